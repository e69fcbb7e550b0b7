"""Outsider sweep registrations for the item master in the back office (imported by the sweep test only).

The item master is group-wide: every staff member may read it, so another company's staff (`staff_b`, a buyer
without the master_data role) gets the pages that show (200) and is refused the ones that change (403, nothing
changed). Partner users and anonymous visitors get what the sweep expects of every back-office page."""

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.item_files import item_datasheet_add
from catalog.models import Category, Item, UnitOfMeasure
from portal.core.outsider import OutsiderCase, register
from portal.documents.models import Document
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.catalog import CategoryFactory, ItemFactory, UnitFactory
from tests.factories.documents import PDF_BYTES

READS = {"staff_b": 200}
CHANGES = {"staff_b": 403}


def _any_staff(cast, obj):
    return cast.buyer


def _steward(cast, obj):
    """A master-data steward (group-wide), who may change the item master."""
    return StaffRoleFactory(user=UserFactory(email="masterdata@group.test"), role="master_data", company=None).user


class _Datasheet:
    """A PDF upload that the sweep may post more than once (the test client reads a real file to its end)."""

    name = "datasheet.pdf"
    content_type = "application/pdf"

    def read(self):
        return PDF_BYTES


def _datasheet(cast):
    return item_datasheet_add(
        actor=cast.group_admin,
        item=ItemFactory(),
        uploaded_file=SimpleUploadedFile("datasheet.pdf", PDF_BYTES, content_type="application/pdf"),
    )


def _item_kwargs(item):
    return {"item_id": item.uuid}


register(
    OutsiderCase(
        url_name="catalog_admin:item_detail",
        model=Item,
        make=lambda cast: ItemFactory(),
        owner=_any_staff,
        kwargs=_item_kwargs,
        expect=READS,
    )
)
register(
    OutsiderCase(
        url_name="catalog_admin:item_edit",
        model=Item,
        make=lambda cast: ItemFactory(),
        owner=_steward,
        kwargs=_item_kwargs,
        expect=CHANGES,
    )
)
register(
    OutsiderCase(
        url_name="catalog_admin:item_files",
        model=Item,
        make=lambda cast: ItemFactory(),
        owner=_steward,
        kwargs=_item_kwargs,
        method="post",
        data={"action": "datasheet", "datasheet": _Datasheet()},
        owner_status=302,
        expect=CHANGES,
    )
)
register(
    OutsiderCase(
        url_name="catalog_admin:datasheet_download",
        model=Document,
        make=_datasheet,
        owner=_any_staff,
        kwargs=lambda document: {"document_id": document.uuid},
        expect=READS,
    )
)
register(
    OutsiderCase(
        url_name="catalog_admin:category_edit",
        model=Category,
        make=lambda cast: CategoryFactory(),
        owner=_steward,
        kwargs=lambda category: {"category_id": category.uuid},
        method="post",
        data={
            "name": "改名",
            "sort_order": "0",
            "is_active": "on",
            "attributes-TOTAL_FORMS": "0",
            "attributes-INITIAL_FORMS": "0",
            "attributes-MIN_NUM_FORMS": "0",
            "attributes-MAX_NUM_FORMS": "1000",
        },
        owner_status=302,
        expect=CHANGES,
    )
)
register(
    OutsiderCase(
        url_name="catalog_admin:unit_edit",
        model=UnitOfMeasure,
        make=lambda cast: UnitFactory(),
        owner=_steward,
        kwargs=lambda unit: {"unit_id": unit.uuid},
        method="post",
        data={"name": "改名", "name_en": "renamed", "dimension": "count", "factor": "1", "is_active": "on"},
        owner_status=302,
        expect=CHANGES,
    )
)


# /api/v1/ keys of the item master: the group's data, so every company's client reads it (and none may change it).
register(
    OutsiderCase(
        url_name="api-v1:category",
        model=Category,
        make=lambda cast: CategoryFactory(code="STEEL"),
        owner=lambda cast, obj: cast.api_a,
        expect={"api_b": 200},
        kwargs=lambda category: {"code": category.code},
    )
)
register(
    OutsiderCase(
        url_name="api-v1:unit",
        model=UnitOfMeasure,
        make=lambda cast: UnitFactory(code="kg"),
        owner=lambda cast, obj: cast.api_a,
        expect={"api_b": 200},
        kwargs=lambda unit: {"code": unit.code},
    )
)
register(
    OutsiderCase(
        url_name="api-v1:item",
        model=Item,
        make=lambda cast: ItemFactory(code="PLATE-1"),
        owner=lambda cast, obj: cast.api_a,
        expect={"api_b": 200},
        kwargs=lambda item: {"code": item.code},
    )
)
