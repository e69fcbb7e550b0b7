"""The supplier workspace's "Open invitations" panel: how many RFQs still take the partner's bid, and the nearest
deadline (one query whatever the number of invitations)."""

from portal.core.panels import Panel
from portal.core.registry import dashboard_panels
from portal.organisations.models import PartnerStatus

from .supplier_selectors import open_invitations


@dashboard_panels.register("sourcing.open_invitations")
class OpenInvitationsPanel(Panel):
    workspace = "supplier"
    template_name = "sourcing/panels/open_invitations.html"
    order = 10

    def is_shown(self, request) -> bool:
        membership = request.membership
        return bool(membership) and membership.partner.status == PartnerStatus.APPROVED

    def get_context(self, request) -> dict:
        return {"summary": open_invitations(request.membership.partner)}
