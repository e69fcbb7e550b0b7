"""The item master's back-office URLs (/cms/catalog/…) and its menu. https://docs.wagtail.org/en/stable/reference/hooks.html

Objects are named by their uuid in the path; every such pattern is registered for the outsider sweep in
catalog/outsider.py."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from portal.core.menu import ShownToMenuItem

from . import admin_views
from .access import may_change_item_master, may_view_item_master

admin_urlpatterns = [
    path("items/", admin_views.item_index, name="item_index"),
    path("items/new/", admin_views.item_create, name="item_create"),
    path("items/attribute-fields/", admin_views.item_attribute_fields, name="item_attribute_fields"),
    path("items/<uuid:item_id>/", admin_views.item_detail, name="item_detail"),
    path("items/<uuid:item_id>/edit/", admin_views.item_edit, name="item_edit"),
    path("items/<uuid:item_id>/files/", admin_views.item_files, name="item_files"),
    path("datasheets/<uuid:document_id>/download/", admin_views.datasheet_download, name="datasheet_download"),
    path("categories/", admin_views.category_index, name="category_index"),
    path("categories/new/", admin_views.category_create, name="category_create"),
    path("categories/<uuid:category_id>/edit/", admin_views.category_edit, name="category_edit"),
    path("units/", admin_views.unit_index, name="unit_index"),
    path("units/new/", admin_views.unit_create, name="unit_create"),
    path("units/<uuid:unit_id>/edit/", admin_views.unit_edit, name="unit_edit"),
    path("import/", admin_views.import_items, name="import_items"),
    path("import/errors.csv", admin_views.import_error_report, name="import_error_report"),
    path("import/template.xlsx", admin_views.import_template, name="import_template"),
]


@hooks.register("register_admin_urls")
def register_catalog_urls():
    return [path("catalog/", include((admin_urlpatterns, "catalog_admin")))]


@hooks.register("register_admin_menu_item")
def item_master_menu_item():
    menu = Menu(
        items=[
            ShownToMenuItem(
                _("Items"),
                reverse("catalog_admin:item_index"),
                name="items",
                icon_name="table",
                order=1,
                shown_to=may_view_item_master,
            ),
            ShownToMenuItem(
                _("Categories"),
                reverse("catalog_admin:category_index"),
                name="item-categories",
                icon_name="folder-open-inverse",
                order=2,
                shown_to=may_view_item_master,
            ),
            ShownToMenuItem(
                _("Units"),
                reverse("catalog_admin:unit_index"),
                name="units-of-measure",
                icon_name="order",
                order=3,
                shown_to=may_view_item_master,
            ),
            ShownToMenuItem(
                _("Import"),
                reverse("catalog_admin:import_items"),
                name="item-import",
                icon_name="upload",
                order=4,
                shown_to=may_change_item_master,
            ),
        ]
    )
    return SubmenuMenuItem(_("Item master"), menu, name="item-master", icon_name="table", order=240)
