"""The audit log in the staff back office (/cms/audit/): newest first, filtered, paginated.

Group staff see every event; company staff see the events of their companies (the access layer's
`visible_to`), so the view never writes a tenancy filter itself.
"""

from __future__ import annotations

import json

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import BaseListingView

from portal.organisations.access import scope_of

from .models import AuditEvent

CHANGE_SUMMARY_CHARS = 120


class AuditEventFilterSet(WagtailFilterSet):
    action = django_filters.CharFilter(
        label=_("Action"),
        lookup_expr="startswith",
        help_text=_("e.g. “document.upload”, or “document.” for all"),
    )
    object_id = django_filters.CharFilter(label=_("Object id"), lookup_expr="exact")

    class Meta:
        model = AuditEvent
        fields: list[str] = []


def _change_summary(event: AuditEvent) -> str:
    if not event.before and not event.after:
        return ""
    text = json.dumps({"before": event.before, "after": event.after}, ensure_ascii=False, sort_keys=True)
    return Truncator(text).chars(CHANGE_SUMMARY_CHARS)


def _seal_state(event: AuditEvent) -> str:
    return str(_("sealed")) if event.seal else str(_("not sealed yet"))


class AuditEventIndexView(BaseListingView):
    page_title = _("Audit log")
    header_icon = "history"
    paginate_by = 50
    index_url_name = "audit_event_index"
    index_results_url_name = "audit_event_index_results"
    filterset_class = AuditEventFilterSet
    default_ordering = "-id"
    verbose_name = _("audit event")
    verbose_name_plural = _("audit events")
    columns = [
        Column("created_at", label=_("Time")),
        Column("actor_label", label=_("Actor")),
        Column("action", label=_("Action")),
        Column("object_type", label=_("Object type")),
        Column("object_label", label=_("Object")),
        Column("object_id", label=_("Object id")),
        Column("company", label=_("Company")),
        Column("partner", label=_("Partner")),
        Column("change", label=_("Change"), accessor=_change_summary),
        Column("ip_address", label=_("IP address")),
        Column("seal_state", label=_("Chain"), accessor=_seal_state),
    ]

    def dispatch(self, request, *args, **kwargs):
        # /cms/ already requires the back-office permission; the audit log is for staff roles only.
        if not scope_of(request.user).is_staff:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return AuditEvent.objects.visible_to(self.request.user).select_related("company", "partner")
