"""Item sales terms through the item API and item_upsert / item_upsert_many (the sales unit must convert to the
base unit), and renaming a category keeps its items' search documents current."""

import pytest

from catalog.bulk import ItemChange, item_upsert_many
from catalog.models import Item, ItemUnitConversion
from catalog.search import search_items
from catalog.services import category_upsert, item_upsert
from tests.api.conftest import keyed
from tests.factories import make_api_client
from tests.factories.catalog import CategoryFactory, UnitFactory, steel_plate_category, steel_units
from tests.factories.shop import plate

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_client(cast):
    steel_units()
    steel_plate_category()
    UnitFactory(code="box", dimension="count")
    return keyed(make_api_client(company=None, name="erp-group"))


def body(**extra):
    return {
        "name": "热轧钢板",
        "category": "STEEL-PLATE",
        "base_unit": "t",
        "is_sellable": True,
        "attributes": {"grade": "Q235B", "thickness": "10"},
    } | extra


def test_the_api_takes_and_answers_the_sales_terms(group_client):
    response = group_client.put(
        "/api/v1/items/PL-1",
        body(sales_unit="kg", min_order_quantity="500", order_multiple="250", lead_time_days=21),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    item = Item.objects.get(code="PL-1")
    assert (item.sales_unit.code, str(item.min_order_quantity), str(item.order_multiple), item.lead_time_days) == (
        "kg",
        "500.0000",
        "250.0000",
        21,
    )
    read = group_client.get("/api/v1/items/PL-1").json()
    assert {key: read[key] for key in ("sales_unit", "min_order_quantity", "order_multiple", "lead_time_days")} == {
        "sales_unit": "kg",
        "min_order_quantity": "500",
        "order_multiple": "250",
        "lead_time_days": 21,
    }
    # null clears the sales unit (the base unit applies)
    group_client.put("/api/v1/items/PL-1", {"sales_unit": None}, content_type="application/json")
    assert Item.objects.get(code="PL-1").sales_unit is None


def test_a_sales_unit_that_does_not_convert_is_refused(group_client):
    refused = group_client.put("/api/v1/items/PL-2", body(sales_unit="pcs"), content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "sales_unit", "detail": "pcs does not convert to the base unit t: add a conversion for it."}
    ]
    unknown = group_client.put("/api/v1/items/PL-2", body(sales_unit="zz"), content_type="application/json")
    assert unknown.json()["errors"] == [{"field": "sales_unit", "detail": "There is no unit with the code “zz”."}]
    negative = group_client.put("/api/v1/items/PL-2", body(min_order_quantity="-1"), content_type="application/json")
    assert negative.status_code == 422
    assert not Item.objects.filter(code="PL-2").exists()
    # with a conversion it is accepted, also a unit of the converted unit's dimension
    accepted = group_client.put(
        "/api/v1/items/PL-2", body(sales_unit="box", conversions={"pcs": "0.125"}), content_type="application/json"
    )
    assert accepted.status_code == 200, accepted.content
    assert ItemUnitConversion.objects.filter(item__code="PL-2").count() == 1


def test_batches_decide_as_item_upsert_does(group_client):
    response = group_client.post(
        "/api/v1/items/batch",
        {
            "objects": [
                body(code="PL-3", sales_unit="kg", min_order_quantity="1000"),
                body(code="PL-4", sales_unit="pcs"),
                body(code="PL-5", sales_unit="pcs", conversions={"pcs": "0.2"}),
            ]
        },
        content_type="application/json",
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied", "invalid", "applied"]
    assert results[1]["errors"] == [
        {
            "field": "objects[1].sales_unit",
            "detail": "pcs does not convert to the base unit t: add a conversion for it.",
        }
    ]
    assert dict(Item.objects.filter(code__in=["PL-3", "PL-5"]).values_list("code", "sales_unit__code")) == {
        "PL-3": "kg",
        "PL-5": "pcs",
    }
    # a later change of the sales unit alone is checked against the stored conversions
    units = steel_units()
    outcome = item_upsert_many(actor=None, changes=[ItemChange(code="PL-3", values={"sales_unit": units["pcs"]})])[0]
    assert outcome.status == "invalid" and "sales_unit" in outcome.message_dict
    outcome = item_upsert_many(actor=None, changes=[ItemChange(code="PL-5", values={"sales_unit": None})])[0]
    assert outcome.status == "applied" and outcome.changes["sales_unit"][1] is None
    assert Item.objects.get(code="PL-5").sales_unit is None


def test_item_upsert_checks_the_stored_conversions(cast):
    units = steel_units()
    category = steel_plate_category()
    values = {
        "name": "板",
        "category": category,
        "base_unit": units["t"],
        "attributes": {"grade": "Q235B", "thickness": 5},
    }
    item_upsert(actor=None, code="PL-6", values=values, conversions={units["pcs"]: 1})
    item_upsert(actor=None, code="PL-6", values={"sales_unit": units["pcs"], "min_order_quantity": 3})
    assert Item.objects.get(code="PL-6").sales_unit == units["pcs"]
    with pytest.raises(Exception, match="sales_unit"):
        item_upsert(actor=None, code="PL-6", values={}, conversions={})


def test_renaming_a_category_refreshes_its_items_search_text(cast):
    units = steel_units()
    category = steel_plate_category()
    child = CategoryFactory(code="STEEL-PLATE-HR", name="热轧板", parent=category)
    plate("PL-7", category=child, units=units)
    plate("PL-8", category=category, units=units)
    other = CategoryFactory(code="PIPE", name="钢管")
    plate("PL-9", category=other, units=units)
    category_upsert(actor=None, code="STEEL", values={"name": "金属材料", "name_en": "Metals"})
    found = sorted(item.code for item in search_items("金属", limit=None))
    assert found == ["PL-7", "PL-8"]
    assert sorted(item.code for item in search_items("metals", limit=None)) == ["PL-7", "PL-8"]
    assert search_items("钢材", limit=None).count() == 0
    # moving a category under another refreshes too
    category_upsert(actor=None, code="PIPE", values={"parent": category.parent})
    assert sorted(item.code for item in search_items("metals", limit=None)) == ["PL-7", "PL-8", "PL-9"]
