"""Back-office menu and URLs for onboarding. https://docs.wagtail.org/en/stable/reference/hooks.html"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.organisations.access import scope_of

from . import admin_views

admin_urlpatterns = [
    path("onboarding/registrations/", admin_views.registration_index, name="registration_index"),
    path(
        "onboarding/registrations/<uuid:registration_id>/",
        admin_views.registration_detail,
        name="registration_detail",
    ),
    path(
        "onboarding/registrations/<uuid:registration_id>/decide/",
        admin_views.registration_decide,
        name="registration_decide",
    ),
    path(
        "onboarding/join-requests/<uuid:join_request_id>/",
        admin_views.join_request_detail,
        name="join_request_detail",
    ),
    path("onboarding/customers/", admin_views.customer_index, name="customer_index"),
    path("onboarding/customers/<uuid:partner_id>/invite/", admin_views.customer_invite, name="customer_invite"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("", include((admin_urlpatterns, "onboarding_admin")))]


class GroupAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return scope_of(request.user).is_group_admin


class SalesMenuItem(MenuItem):
    def is_shown(self, request):
        scope = scope_of(request.user)
        return scope.is_group_admin or scope.has_staff_role("sales") or scope.has_staff_role("sales_manager")


@hooks.register("register_admin_menu_item")
def registrations_menu_item():
    return GroupAdminMenuItem(
        _("Registrations"),
        reverse("onboarding_admin:registration_index"),
        name="registrations",
        icon_name="form",
        order=205,
    )


@hooks.register("register_admin_menu_item")
def invitations_menu_item():
    return SalesMenuItem(
        _("Invite customer contacts"),
        reverse("onboarding_admin:customer_index"),
        name="customer-invitations",
        icon_name="mail",
        order=206,
    )
