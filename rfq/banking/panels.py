"""The supplier workspace's bank details card: the way in, and whether a change awaits the group's approval."""

from portal.core.panels import Panel
from portal.core.registry import dashboard_panels
from portal.organisations.models import PartnerRole

from .models import BankDetailsChange, ChangeStatus


@dashboard_panels.register("banking.bank_details")
class BankDetailsPanel(Panel):
    workspace = "supplier"
    template_name = "banking/panels/bank_details.html"
    order = 90

    def is_shown(self, request) -> bool:
        membership = request.membership
        return bool(membership) and (membership.has_role(PartnerRole.ADMIN) or membership.has_role(PartnerRole.FINANCE))

    def get_context(self, request) -> dict:
        # one query whatever the number of changes
        pending = BankDetailsChange.objects.filter(
            partner_id=request.membership.partner_id, status=ChangeStatus.PENDING
        ).count()
        return {"pending": pending}
