"""The supplier workspace's "Open invitations" task: how many RFQs still take the partner's bid, and the nearest
deadline. Shown only when something waits (the dashboard says "Nothing waits for you" otherwise); one query
whatever the number of invitations."""

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
        if not membership or membership.partner.status != PartnerStatus.APPROVED:
            return False
        # the same instance renders right after: keep the summary for get_context (one query in all)
        self.summary = open_invitations(membership.partner)
        return self.summary.count > 0

    def get_context(self, request) -> dict:
        return {"summary": self.summary}
