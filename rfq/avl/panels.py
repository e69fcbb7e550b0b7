"""The supplier workspace's AVL task: shown when entries block the supplier or have expired, with the way to
/supplier/approvals/ (what to do about them). One query."""

from django.db.models import Q

from portal.core.panels import Panel
from portal.core.registry import dashboard_panels

from .decision import company_today
from .models import ApprovedSupplier, AvlStatus


@dashboard_panels.register("avl.approvals")
class ApprovalsPanel(Panel):
    workspace = "supplier"
    template_name = "avl/panels/approvals.html"
    order = 80

    def held_back(self, request) -> int:
        if not hasattr(self, "_held_back"):
            # expiry by the portal's day: a hint; the page decides per company
            self._held_back = ApprovedSupplier.objects.filter(
                Q(status=AvlStatus.BLOCKED) | Q(valid_until__lt=company_today(None)),
                partner_id=request.membership.partner_id,
            ).count()
        return self._held_back

    def is_shown(self, request) -> bool:
        return bool(request.membership) and self.held_back(request) > 0

    def get_context(self, request) -> dict:
        return {"held_back": self.held_back(request)}
