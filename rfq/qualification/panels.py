"""The supplier workspace's qualification task: what is missing or expired, and what expires within 30 days
(shown only when there is something to do)."""

import datetime as dt

from portal.core.panels import Panel
from portal.core.registry import dashboard_panels

from .models import DocumentStatus, QualificationDocument
from .services import local_today, supplier_gaps, supplier_zone

EXPIRING_WITHIN_DAYS = 30


@dashboard_panels.register("qualification.documents")
class QualificationPanel(Panel):
    workspace = "supplier"
    template_name = "qualification/panels/qualification.html"
    order = 80

    def is_shown(self, request) -> bool:
        """Only when something needs doing: a gap, or a document expiring within 30 days."""
        membership = request.membership
        if not membership or not membership.partner.is_supplier:
            return False
        self.context = self._counts(membership.partner)
        return bool(self.context["gaps"] or self.context["expiring"])

    def get_context(self, request) -> dict:
        return self.context

    @staticmethod
    def _counts(partner) -> dict:
        # a fixed number of queries whatever the number of documents, companies and categories
        today = local_today(supplier_zone(partner))
        expiring = QualificationDocument.objects.filter(
            partner=partner,
            status=DocumentStatus.ACCEPTED,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=EXPIRING_WITHIN_DAYS),
        ).count()
        return {"gaps": len(supplier_gaps(partner)), "expiring": expiring}
