"""Registers the audit log in the back office: its URLs and a menu item that only staff see."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.organisations.access import scope_of

from .admin_views import AuditEventIndexView


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return scope_of(request.user).is_staff


@hooks.register("register_admin_urls")
def register_audit_urls():
    return [
        path("audit/", AuditEventIndexView.as_view(), name="audit_event_index"),
        path("audit/results/", AuditEventIndexView.as_view(results_only=True), name="audit_event_index_results"),
    ]


@hooks.register("register_admin_menu_item")
def register_audit_menu_item():
    return StaffMenuItem(
        _("Audit log"), reverse("audit_event_index"), name="audit-log", icon_name="history", order=9000
    )
