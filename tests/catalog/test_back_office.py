"""The item master in the back office: who may see and change it, the item list, the item form with its
specification, the history from the audit log, categories with their attribute schema, and units."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from catalog.models import Category, Item, ItemImage, UnitOfMeasure
from catalog.services import item_upsert
from portal.audit.models import AuditEvent
from portal.documents.models import Document
from portal.integration.models import OutboxEvent
from tests.conftest import login
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.catalog import CategoryFactory, ItemFactory, steel_plate_category, steel_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward(cast):
    """A master-data steward of company A."""
    return StaffRoleFactory(
        user=UserFactory(email="masterdata@group.test"), role="master_data", company=cast.company_a
    ).user


@pytest.fixture
def plate(cast):
    category, units = steel_plate_category(), steel_units()
    item = item_upsert(
        actor=cast.group_admin,
        code="PL-Q235B-10",
        values={
            "name": "热轧钢板 Q235B 10mm",
            "name_en": "Hot-rolled plate Q235B 10 mm",
            "category": category,
            "base_unit": units["t"],
            "attributes": {"grade": "Q235B", "thickness": "10", "width": 1500},
        },
        conversions={units["pcs"]: Decimal("0.125")},
    ).obj
    return item, category, units


def messages_of(client):
    return list(client.get("/cms/catalog/categories/").context["messages"])


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def counts():
    return (
        Item.objects.count(),
        Category.objects.count(),
        UnitOfMeasure.objects.count(),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
    )


def form_data(item, category, units, **changes):
    data = {
        "name": item.name,
        "name_en": item.name_en,
        "category": str(category.pk),
        "base_unit": str(units["t"].pk),
        "is_purchasable": "on",
        "status": "active",
        "description": "",
        "description_en": "",
        "attr_grade": "Q235B",
        "attr_thickness": "10",
        "attr_width": "1500",
        "attr_standard": "",
        "conversions-TOTAL_FORMS": "2",
        "conversions-INITIAL_FORMS": "1",
        "conversions-MIN_NUM_FORMS": "0",
        "conversions-MAX_NUM_FORMS": "1000",
        "conversions-0-unit": str(units["pcs"].pk),
        "conversions-0-factor": "0.125",
        "conversions-1-unit": "",
        "conversions-1-factor": "",
    }
    return data | changes


# Access ----------------------------------------------------------------------------------------------------


def test_partner_users_and_people_without_a_role_do_not_get_in(cast, plate):
    item, _category, _units = plate
    for user in (cast.supplier_a_admin, cast.outsider):
        # Wagtail sends them to its login, which tells a signed-in person without back-office access 403
        response = login(Client(), user).get("/cms/catalog/items/", follow=True)
        assert (response.status_code, response.redirect_chain) == (403, [("/cms/login/?next=/cms/catalog/items/", 302)])
        assert "PL-Q235B-10" not in response.content.decode()
    assert Client().get("/cms/catalog/items/").status_code == 302


def test_staff_without_master_data_see_but_do_not_change(cast, plate):
    item, category, units = plate
    client = english(login(Client(), cast.staff_b))
    listing = client.get("/cms/catalog/items/")
    assert listing.status_code == 200 and "PL-Q235B-10" in listing.content.decode()
    detail = client.get(f"/cms/catalog/items/{item.uuid}/").content.decode()
    assert "热轧钢板 Q235B 10mm" in detail and f"/cms/catalog/items/{item.uuid}/edit/" not in detail
    assert client.get("/cms/catalog/categories/").status_code == 200
    assert client.get("/cms/catalog/units/").status_code == 200
    before = counts()
    refused = [
        client.get(f"/cms/catalog/items/{item.uuid}/edit/"),
        client.post(f"/cms/catalog/items/{item.uuid}/edit/", form_data(item, category, units, name="改名")),
        client.post("/cms/catalog/items/new/", form_data(item, category, units, code="NEW-1")),
        client.post(f"/cms/catalog/categories/{category.uuid}/edit/", {"name": "x"}),
        client.post("/cms/catalog/units/new/", {"code": "box", "name": "箱", "dimension": "count", "factor": "1"}),
        client.post(f"/cms/catalog/items/{item.uuid}/files/", {"action": "datasheet"}),
        client.get("/cms/catalog/import/"),
    ]
    assert [response.status_code for response in refused] == [403] * 7
    assert "Your roles do not allow this action." in refused[1].content.decode()
    assert counts() == before
    item.refresh_from_db()
    assert item.name == "热轧钢板 Q235B 10mm"


def test_menu_shows_the_item_master_to_staff(cast, steward):
    page = login(Client(), cast.staff_b).get("/cms/").content.decode()
    assert "/cms/catalog/items/" in page and "/cms/catalog/import/" not in page
    page = login(Client(), steward).get("/cms/").content.decode()
    assert "/cms/catalog/items/" in page and "/cms/catalog/import/" in page


def test_unknown_or_malformed_ids_are_404(steward, plate):
    item, category, _units = plate
    client = login(Client(), steward)
    unknown = "8b6f4a3e-0000-4000-8000-000000000000"
    for path in (
        "/cms/catalog/items/{}/",
        "/cms/catalog/items/{}/edit/",
        "/cms/catalog/datasheets/{}/download/",
        "/cms/catalog/categories/{}/edit/",
        "/cms/catalog/units/{}/edit/",
    ):
        for value in (unknown, "not-a-uuid"):
            assert client.get(path.format(value)).status_code == 404, path.format(value)
    assert client.post(f"/cms/catalog/items/{unknown}/files/", {"action": "datasheet"}).status_code == 404
    # another object's uuid names nothing here: the item's is not a datasheet, the category's not a unit
    assert client.get(f"/cms/catalog/datasheets/{item.uuid}/download/").status_code == 404
    assert client.get(f"/cms/catalog/units/{category.uuid}/edit/").status_code == 404


# Item list -------------------------------------------------------------------------------------------------


def test_search_and_filters(cast, plate):
    item, category, units = plate
    bolts = CategoryFactory(code="BOLT", name="螺栓", name_en="Bolts")
    ItemFactory(code="BLT-M12", name="六角螺栓 M12", name_en="Hex bolt M12", category=bolts, is_sellable=True)
    ItemFactory(code="BLT-M16", name="六角螺栓 M16", name_en="Hex bolt M16", category=bolts, status="blocked")
    client = login(Client(), cast.buyer)

    def codes(query):
        page = client.get(f"/cms/catalog/items/?{query}").content.decode()
        return [code for code in ("PL-Q235B-10", "BLT-M12", "BLT-M16") if f">{code}<" in page]

    assert codes("") == ["PL-Q235B-10", "BLT-M12", "BLT-M16"]
    assert codes("q=hex+bolt") == ["BLT-M12", "BLT-M16"]
    assert codes("q=钢板") == ["PL-Q235B-10"]
    assert codes("q=m16") == ["BLT-M16"]
    # a parent category includes its descendants
    assert codes(f"category={category.parent_id}") == ["PL-Q235B-10"]
    assert codes(f"category={bolts.pk}&status=active") == ["BLT-M12"]
    assert codes("sellable=yes") == ["BLT-M12"]
    assert codes("purchasable=no") == []


def test_item_list_runs_a_constant_number_of_queries(cast, plate):
    client = login(Client(), cast.buyer)
    client.get("/cms/catalog/items/")
    with CaptureQueriesContext(connection) as few:
        client.get("/cms/catalog/items/")
    category = CategoryFactory(code="MORE", parent=plate[1])
    for number in range(30):
        ItemFactory(code=f"X-{number:03d}", category=category)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/cms/catalog/items/")
    # The page's own queries (categories once, count, one page of items with category and unit joined) do
    # not grow with the rows; the rest is Wagtail's chrome and the session.
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(re.findall(r'href="/cms/catalog/items/[0-9a-f-]{36}/"', response.content.decode())) == 31


# Item form -------------------------------------------------------------------------------------------------


def test_create_form_shows_the_categorys_attributes(steward, plate):
    _item, category, _units = plate
    client = english(login(Client(), steward))
    page = client.get(f"/cms/catalog/items/new/?category={category.pk}").content.decode()
    assert 'name="attr_grade"' in page and '<option value="Q355B">' in page
    assert 'name="attr_thickness"' in page and '<span class="catalog-unit">mm</span>' in page
    # the htmx partial re-renders the attributes for another category
    partial = client.get(f"/cms/catalog/items/attribute-fields/?category={category.parent_id}").content.decode()
    assert "attr_grade" not in partial and "This category has no attributes." in partial


def test_create_an_item_with_attributes_and_a_conversion(steward, plate):
    item, category, units = plate
    client = login(Client(), steward)
    data = form_data(item, category, units, code="PL-Q345B-12", name="热轧钢板 Q345B 12mm", attr_grade="Q345B")
    data |= {"attr_thickness": "12", "conversions-INITIAL_FORMS": "0"}
    response = client.post("/cms/catalog/items/new/", data)
    assert response.status_code == 302
    created = Item.objects.get(code="PL-Q345B-12")
    assert created.attributes == {"grade": "Q345B", "thickness": "12", "width": 1500}
    assert [(c.unit.code, c.factor) for c in created.conversions.all()] == [("pcs", Decimal("0.125"))]
    assert AuditEvent.objects.filter(action="item.created", object_id=str(created.uuid), actor=steward).count() == 1
    assert OutboxEvent.objects.filter(topic="item.created", object_id=str(created.uuid)).count() == 1


def test_a_bad_attribute_is_shown_next_to_its_field_and_nothing_is_saved(steward, plate):
    item, category, units = plate
    client = english(login(Client(), steward))
    before = counts()
    response = client.post(
        f"/cms/catalog/items/{item.uuid}/edit/", form_data(item, category, units, attr_thickness="0", name="改名")
    )
    assert response.status_code == 200
    page = response.content.decode()
    field = page[page.index('for="id_attr_thickness"') : page.index('name="attr_thickness"')]
    assert "Thickness must be at least 0.1 mm." in field
    assert counts() == before
    item.refresh_from_db()
    assert (item.name, item.attributes["thickness"]) == ("热轧钢板 Q235B 10mm", "10")


def test_a_missing_required_attribute_and_a_bad_conversion_are_shown_at_their_fields(steward, plate):
    item, category, units = plate
    client = english(login(Client(), steward))
    data = form_data(item, category, units, attr_grade="", **{"conversions-0-unit": str(units["t"].pk)})
    page = client.post(f"/cms/catalog/items/{item.uuid}/edit/", data).content.decode()
    grade = page[page.index('for="id_attr_grade"') : page.index('name="attr_grade"')]
    assert "Grade is required." in grade
    # the service checks attributes first; once they are fine, the conversion's error shows in its row
    data["attr_grade"] = "Q235B"
    page = client.post(f"/cms/catalog/items/{item.uuid}/edit/", data).content.decode()
    row = page[page.index('name="conversions-0-unit"') : page.index('name="conversions-0-DELETE"')]
    assert "The base unit needs no conversion." in row


def test_edit_keeps_the_code_and_records_the_history(steward, plate):
    item, category, units = plate
    client = english(login(Client(), steward))
    response = client.post(
        f"/cms/catalog/items/{item.uuid}/edit/",
        form_data(item, category, units, code="HACKED", attr_thickness="12.5", status="blocked"),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.code, item.status, item.attributes["thickness"]) == ("PL-Q235B-10", "blocked", "12.5")
    page = client.get(f"/cms/catalog/items/{item.uuid}/").content.decode()
    history = page[page.index('id="history"') :]
    assert "masterdata@group.test" in history and "admin@group.test" in history
    assert "item.changed" in history and "item.created" in history
    assert "<del>active</del> → <ins>blocked</ins>" in history
    assert history.index("item.changed") < history.index("item.created")  # newest first


def test_datasheet_upload_and_download(steward, cast, plate):
    item, _category, _units = plate
    client = english(login(Client(), steward))
    pdf = SimpleUploadedFile("Q235B 数据表.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    response = client.post(f"/cms/catalog/items/{item.uuid}/files/", {"action": "datasheet", "datasheet": pdf})
    assert response.status_code == 302
    page = client.get(f"/cms/catalog/items/{item.uuid}/").content.decode()
    assert "Q235B 数据表.pdf" in page and "item.datasheet_added" in page
    document = Document.objects.get(object_type="catalog.item", object_id=str(item.uuid))
    assert (document.kind, document.owner_company) == ("datasheet", cast.company_a)
    # every staff member may read it
    download = login(Client(), cast.staff_b).get(f"/cms/catalog/datasheets/{document.uuid}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    refused = client.post(
        f"/cms/catalog/items/{item.uuid}/files/",
        {"action": "datasheet", "datasheet": SimpleUploadedFile("tool.exe", b"MZ\x90\x00")},
    )
    assert refused.status_code == 400 and "cannot be uploaded" in refused.content.decode()
    assert Document.objects.count() == 1


# Categories and units --------------------------------------------------------------------------------------


def schema_rows(*rows):
    data = {
        "attributes-TOTAL_FORMS": str(len(rows)),
        "attributes-INITIAL_FORMS": "0",
        "attributes-MIN_NUM_FORMS": "0",
        "attributes-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"attributes-{index}-{key}"] = value
    return data


def test_category_with_an_attribute_schema(steward, plate):
    _item, category, _units = plate
    client = english(login(Client(), steward))
    page = client.get("/cms/catalog/categories/").content.decode()
    assert page.index("STEEL<") < page.index("STEEL-PLATE<")
    # item counts include the categories below (as the linked item list does)
    assert f'?category={category.parent_id}">1</a>' in page and f'?category={category.pk}">1</a>' in page
    data = {"code": "STEEL-COIL", "name": "钢卷", "name_en": "Steel coil", "parent": str(category.parent_id)}
    data |= {"sort_order": "0", "is_active": "on"}
    data |= schema_rows(
        {"code": "coating", "label": "镀层", "label_en": "Coating", "type": "choice", "choices": "GI, GL，ZM"},
        {"code": "thickness", "label": "厚度", "type": "decimal", "unit": "mm", "required": "on", "min": "0.2"},
        {"code": "", "type": "text"},
    )
    response = client.post("/cms/catalog/categories/new/", data)
    assert response.status_code == 302
    coil = Category.objects.get(code="STEEL-COIL")
    assert coil.parent_id == category.parent_id
    assert coil.attribute_schema == [
        {"code": "coating", "type": "choice", "label": "镀层", "label_en": "Coating", "choices": ["GI", "GL", "ZM"]},
        {"code": "thickness", "type": "decimal", "label": "厚度", "unit": "mm", "required": True, "min": 0.2},
    ]
    assert AuditEvent.objects.filter(action="category.created", object_id=str(coil.uuid)).count() == 1
    # the child's form shows what it inherits, read-only
    page = client.get(f"/cms/catalog/categories/{category.uuid}/edit/").content.decode()
    assert "Inherited attributes" not in page  # STEEL has none
    assert 'name="attributes-0-code" value="grade"' in page


def test_editing_a_category_keeps_the_rows_left_as_they_were(steward, plate):
    _item, category, _units = plate
    client = english(login(Client(), steward))
    page = client.get(f"/cms/catalog/categories/{category.uuid}/edit/").content.decode()
    assert page.count('name="attributes-') > 0
    data = {
        "name": "钢板",
        "name_en": "Plates",
        "parent": str(category.parent_id),
        "sort_order": "0",
        "is_active": "on",
    }
    rows = [
        {"code": "grade", "label": "牌号", "label_en": "Grade", "type": "choice", "required": "on",
         "choices": "Q235B, Q345B, Q355B"},
        {"code": "thickness", "label": "厚度", "label_en": "Thickness", "type": "decimal", "unit": "mm",
         "required": "on", "min": "0.1", "max": "300"},
        {"code": "width", "label": "宽度", "label_en": "Plate width", "type": "integer", "unit": "mm"},
        {"code": "standard", "label": "标准", "label_en": "Standard", "type": "text", "DELETE": "on"},
        {"type": "text"},
    ]  # fmt: skip
    data |= schema_rows(*rows) | {"attributes-INITIAL_FORMS": "4"}
    assert client.post(f"/cms/catalog/categories/{category.uuid}/edit/", data).status_code == 302
    category.refresh_from_db()
    assert [(d["code"], d.get("label_en")) for d in category.attribute_schema] == [
        ("grade", "Grade"),
        ("thickness", "Thickness"),
        ("width", "Plate width"),
    ]
    assert category.attribute_schema[1] == {
        "code": "thickness", "type": "decimal", "label": "厚度", "label_en": "Thickness", "unit": "mm",
        "required": True, "min": 0.1, "max": 300,
    }  # fmt: skip
    audit = AuditEvent.objects.get(action="category.changed", object_id=str(category.uuid))
    assert sorted(audit.after) == ["attribute_schema", "name_en"]
    # the item's "standard" was not set, so it still matches; a new required attribute would not
    assert not any(m.level_tag == "warning" for m in messages_of(client))
    rows = [*rows[:3], {"code": "surface", "label": "表面", "type": "text", "required": "on"}]
    data = {key: value for key, value in data.items() if not key.startswith("attributes-")}
    data |= schema_rows(*rows) | {"attributes-INITIAL_FORMS": "3"}
    response = client.post(f"/cms/catalog/categories/{category.uuid}/edit/", data, follow=True)
    page = response.content.decode()
    assert "1 items of this category or below no longer match its attributes (e.g. PL-Q235B-10)." in page


def test_category_schema_formset_errors_save_nothing(steward, plate):
    _item, category, _units = plate
    client = english(login(Client(), steward))
    before = counts()
    data = {"code": "BAD", "name": "坏", "sort_order": "0"} | schema_rows(
        {"code": "Thickness", "type": "decimal"},
        {"code": "grade", "type": "choice", "choices": ""},
        {"code": "width", "type": "text", "min": "5"},
        {"code": "dup", "type": "text"},
        {"code": "dup", "type": "text"},
    )
    page = client.post("/cms/catalog/categories/new/", data).content.decode()
    assert "Use lower-case letters, digits and _, starting with a letter." in page
    assert "List the choices, separated by commas." in page
    assert "Only numbers have a minimum or maximum." in page
    assert counts() == before


def test_category_cannot_move_under_its_own_child(steward, plate):
    _item, category, _units = plate
    client = english(login(Client(), steward))
    steel = category.parent
    data = {"name": steel.name, "parent": str(category.pk), "sort_order": "0", "is_active": "on"} | schema_rows()
    page = client.post(f"/cms/catalog/categories/{steel.uuid}/edit/", data).content.decode()
    assert "Select a valid choice." in page  # its descendants are not offered
    steel.refresh_from_db()
    assert steel.parent_id is None


def test_units_list_create_and_edit(steward, plate):
    client = english(login(Client(), steward))
    response = client.post(
        "/cms/catalog/units/new/",
        {"code": "box", "name": "箱", "name_en": "box", "dimension": "count", "factor": "1", "is_active": "on"},
    )
    assert response.status_code == 302
    box = UnitOfMeasure.objects.get(code="box")
    assert (box.name, box.dimension, box.factor) == ("箱", "count", Decimal("1"))
    client.post(
        f"/cms/catalog/units/{box.uuid}/edit/",
        {"code": "crate", "name": "箱", "name_en": "box", "dimension": "count", "factor": "1"},
    )
    box.refresh_from_db()
    assert (box.code, box.is_active) == ("box", False)
    # the factor is fixed once the unit exists; the rest changes
    client.post(
        f"/cms/catalog/units/{box.uuid}/edit/",
        {"name": "箱", "name_en": "box", "dimension": "other", "factor": "1.5", "is_active": "on"},
    )
    box.refresh_from_db()
    assert (box.dimension, box.factor, box.is_active) == ("other", Decimal("1"), True)
    assert list(AuditEvent.objects.filter(object_id=str(box.uuid)).values_list("action", "before", "after")) == [
        ("unit.changed", {"dimension": "count", "is_active": False}, {"dimension": "other", "is_active": True}),
        ("unit.changed", {"is_active": True}, {"is_active": False}),
        ("unit.created", {}, {"code": "box", "name": "箱"}),
    ]
    assert "box" in client.get("/cms/catalog/units/").content.decode()


def test_images_are_uploaded_or_chosen_and_removed(steward, plate):
    item, _category, _units = plate
    client = english(login(Client(), steward))
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 80, 20)).save(buffer, "PNG")
    upload = SimpleUploadedFile("plate.png", buffer.getvalue(), content_type="image/png")
    response = client.post(
        f"/cms/catalog/items/{item.uuid}/files/", {"action": "image", "image": upload, "caption": "切边"}
    )
    assert response.status_code == 302
    attached = ItemImage.objects.get(item=item)
    assert (attached.caption, attached.image.width, attached.image.height) == ("切边", 40, 30)
    # the same library image chosen for another item
    other = ItemFactory(code="PL-2", category=item.category, base_unit=item.base_unit)
    client.post(f"/cms/catalog/items/{other.uuid}/files/", {"action": "image", "existing": attached.image_id})
    assert ItemImage.objects.get(item=other).image_id == attached.image_id
    page = client.get(f"/cms/catalog/items/{item.uuid}/").content.decode()
    assert "<img" in page and "item.image_added" in page
    client.post(f"/cms/catalog/items/{item.uuid}/files/", {"action": "remove_image", "image": attached.pk})
    assert not ItemImage.objects.filter(item=item).exists()
    assert AuditEvent.objects.filter(action="item.image_removed", object_id=str(item.uuid)).count() == 1


def test_new_forms_never_overwrite_an_existing_code(steward, plate):
    item, category, units = plate
    client = english(login(Client(), steward))
    before = counts()
    data = form_data(item, category, units, code=item.code, name="覆盖", **{"conversions-INITIAL_FORMS": "0"})
    page = client.post("/cms/catalog/items/new/", data).content.decode()
    assert "An item with this code exists already." in page
    new_category = {"code": category.code, "name": "覆盖", "sort_order": "0"} | schema_rows()
    page = client.post("/cms/catalog/categories/new/", new_category).content.decode()
    assert "A category with this code exists already." in page
    page = client.post(
        "/cms/catalog/units/new/", {"code": "t", "name": "覆盖", "dimension": "mass", "factor": "1"}
    ).content.decode()
    assert "A unit with this code exists already." in page
    assert counts() == before
    item.refresh_from_db()
    category.refresh_from_db()
    assert (item.name, category.name, units["t"].name) == ("热轧钢板 Q235B 10mm", "钢板", "吨")
    assert UnitOfMeasure.objects.get(code="t").factor == Decimal("1000")


def test_without_javascript_the_form_shows_the_chosen_categorys_fields_first(steward, plate):
    item, category, units = plate
    client = english(login(Client(), steward))
    page = client.get("/cms/catalog/items/new/").content.decode()
    assert "Choose a category: its attributes appear here." in page and "attr_grade" not in page
    before = counts()
    data = form_data(item, category, units, code="PL-NEW", action="refresh", attr_thickness="12")
    page = client.post("/cms/catalog/items/new/", data).content.decode()
    assert 'name="attr_thickness" value="12"' in page and "error-message" not in page
    assert counts() == before
