"""Back-office menu and URLs for supplier qualification. https://docs.wagtail.org/en/stable/reference/hooks.html"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.menu import ShownToMenuItem

from . import admin_views
from .services import may_keep_any_requirements

admin_urlpatterns = [
    path("", admin_views.review_queue, name="review_queue"),
    path("documents/", admin_views.document_list, name="document_list"),
    path("documents/<uuid:document_id>/", admin_views.document_detail, name="document_detail"),
    path("documents/<uuid:document_id>/accept/", admin_views.document_accept_view, name="document_accept"),
    path("documents/<uuid:document_id>/reject/", admin_views.document_reject_view, name="document_reject"),
    path("documents/<uuid:document_id>/file/", admin_views.document_file, name="document_file"),
    path("suppliers/<uuid:partner_id>/", admin_views.supplier_detail, name="supplier_detail"),
    path("types/", admin_views.document_type_index, name="document_type_index"),
    path("types/new/", admin_views.document_type_edit, name="document_type_create"),
    path("types/<uuid:type_id>/", admin_views.document_type_edit, name="document_type_edit"),
    path("requirements/", admin_views.requirement_index, name="requirement_index"),
    path("requirements/new/", admin_views.requirement_edit, name="requirement_create"),
    path("requirements/<uuid:requirement_id>/", admin_views.requirement_edit, name="requirement_edit"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("qualification/", include((admin_urlpatterns, "qualification_admin")))]


@hooks.register("register_admin_menu_item")
def qualification_menu_item():
    return ShownToMenuItem(
        _("Qualification review"),
        reverse("qualification_admin:review_queue"),
        name="qualification-review",
        icon_name="doc-full",
        order=230,
        shown_to=may_keep_any_requirements,
    )


@hooks.register("register_admin_menu_item")
def qualification_requirements_menu_item():
    return ShownToMenuItem(
        _("Qualification requirements"),
        reverse("qualification_admin:requirement_index"),
        name="qualification-requirements",
        icon_name="list-ul",
        order=231,
        shown_to=may_keep_any_requirements,
    )
