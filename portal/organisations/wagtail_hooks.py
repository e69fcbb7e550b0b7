"""Back-office menu and URLs for organisations, partners and people. https://docs.wagtail.org/en/stable/reference/hooks.html"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from portal.core.menu import ShownToMenuItem, is_group_admin, is_staff

from . import admin_views
from .models import Company, Site, Warehouse

admin_urlpatterns = [
    path("partners/", admin_views.partner_index, name="partner_index"),
    path("partners/<uuid:partner_id>/", admin_views.partner_detail, name="partner_detail"),
    path("partners/<uuid:partner_id>/status/", admin_views.partner_status, name="partner_status"),
    path("partners/<uuid:partner_id>/invite/", admin_views.partner_invite, name="partner_invite"),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        admin_views.partner_invitation_revoke,
        name="partner_invitation_revoke",
    ),
    path("memberships/<uuid:membership_id>/", admin_views.membership_detail, name="membership_detail"),
    path("people/", admin_views.people_index, name="people_index"),
    path("exchange-rates/", admin_views.exchange_rate_index, name="exchange_rate_index"),
    path("people/<uuid:person_id>/", admin_views.person_detail, name="person_detail"),
    path("people/<uuid:person_id>/mfa-reset/", admin_views.person_mfa_reset, name="person_mfa_reset"),
    path("people/<uuid:person_id>/roles/", admin_views.person_role_grant, name="person_role_grant"),
    path("staff-roles/<uuid:role_id>/revoke/", admin_views.person_role_revoke, name="person_role_revoke"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("", include((admin_urlpatterns, "organisations_admin")))]


@hooks.register("register_admin_menu_item")
def partners_menu_item():
    return ShownToMenuItem(
        _("Partners"),
        reverse("organisations_admin:partner_index"),
        name="partners",
        icon_name="group",
        order=210,
        shown_to=is_staff,
    )


@hooks.register("register_admin_menu_item")
def people_menu_item():
    return ShownToMenuItem(
        _("People and roles"),
        reverse("organisations_admin:people_index"),
        name="people",
        icon_name="user",
        order=220,
        shown_to=is_group_admin,
    )


class CompanyViewSet(ModelViewSet):
    model = Company
    icon = "home"
    form_fields = ["code", "name", "name_en", "currency", "ledger_code", "time_zone", "is_active"]
    list_display = ["code", "name", "currency", "ledger_code", "time_zone", "is_active"]
    search_fields = ["code", "name", "name_en"]
    copy_view_enabled = False


class SiteViewSet(ModelViewSet):
    model = Site
    icon = "site"
    form_fields = ["company", "code", "name", "address"]
    list_display = ["company", "code", "name"]
    list_filter = ["company"]
    copy_view_enabled = False


class WarehouseViewSet(ModelViewSet):
    model = Warehouse
    icon = "folder-inverse"
    form_fields = ["company", "site", "code", "name"]
    list_display = ["company", "code", "name", "site"]
    list_filter = ["company"]
    copy_view_enabled = False


class OrganisationViewSetGroup(ModelViewSetGroup):
    """Group master data: editable by group administrators (see backends.StaffRoleBackend)."""

    menu_label = _("Group structure")
    menu_icon = "home"
    menu_order = 230
    items = (CompanyViewSet, SiteViewSet, WarehouseViewSet)


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationViewSetGroup()


@hooks.register("register_admin_menu_item")
def exchange_rates_menu_item():
    return ShownToMenuItem(
        _("Exchange rates"),
        reverse("organisations_admin:exchange_rate_index"),
        name="exchange-rates",
        icon_name="doc-full",
        order=8890,
        shown_to=is_staff,
    )
