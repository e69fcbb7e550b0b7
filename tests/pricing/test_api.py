"""/api/v1/price-lists and /api/v1/customer-groups: scopes, companies, per-object results, replay, reads."""

import pytest

from catalog.pricing.models import CustomerGroup, PriceList
from portal.integration.models import OutboxEvent
from tests.api.conftest import keyed, post_batch
from tests.factories import make_api_client
from tests.factories.catalog import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def http(cast):
    group = make_api_client(company=None, name="erp-group")
    reader = make_api_client(company=cast.company_a, scopes=("masterdata:read",), name="reader-sh01")
    return type(
        "Http", (), {"group": keyed(group), "a": keyed(cast.api_a), "b": keyed(cast.api_b), "reader": keyed(reader)}
    )


@pytest.fixture
def items(db):
    return [ItemFactory(code="STEEL-1"), ItemFactory(code="STEEL-2")]


def price_list(code="LIST", company="SH01", **extra):
    return {
        "company": company,
        "code": code,
        "name": f"Prices {code}",
        "currency": "CNY",
        "lines": [{"item": "STEEL-1", "unit_price": "10.5"}, {"item": "STEEL-2", "unit_price": "20"}],
    } | extra


def rows():
    return sorted(
        (row.company.code, row.code, row.name, tuple(sorted(str(line.unit_price) for line in row.lines.all())))
        for row in PriceList.objects.select_related("company")
    )


def put(client, company, code, body, **headers):
    return client.put(f"/api/v1/price-lists/{company}/{code}", body, content_type="application/json", headers=headers)


def test_batch_applies_good_objects_and_reports_the_bad_one(cast, http, items):
    response = post_batch(
        http.a,
        "price-lists",
        [
            price_list("LIST"),
            price_list("BAD", lines=[{"item": "STEEL-1", "unit_price": "1"}, {"item": "NOPE", "unit_price": "2"}]),
            price_list("OTHER", company="WH02"),
            price_list(
                "SPECIAL",
                lines=[{"item": "STEEL-1", "unit_price": "9", "valid_from": "2026-05-01", "valid_until": "2026-04-01"}],
            ),
        ],
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["key"], r["status"]) for r in results] == [
        ("SH01/LIST", "applied"),
        ("SH01/BAD", "invalid"),
        ("WH02/OTHER", "forbidden"),
        ("SH01/SPECIAL", "invalid"),
    ]
    assert results[0]["id"] == str(PriceList.objects.get(code="LIST").uuid)
    assert results[1]["errors"] == [
        {"field": "objects[1].lines[1].item", "detail": "There is no item with the code “NOPE”."}
    ]
    assert results[2]["errors"] == [
        {"field": "objects[2]", "detail": "This client may only write the prices of its own company."}
    ]
    assert results[3]["errors"] == [
        {"field": "objects[3].lines[0].valid_until", "detail": "The end of validity cannot come before its start."}
    ]
    assert rows() == [("SH01", "LIST", "Prices LIST", ("10.5000", "20.0000"))]


def test_without_the_write_scope_403_and_nothing_changes(cast, http, items):
    response = post_batch(http.reader, "price-lists", [price_list()])
    assert response.status_code == 403
    response = put(http.reader, "SH01", "LIST", price_list())
    assert response.status_code == 403
    assert response.json()["detail"] == "This API key lacks the masterdata:write scope."
    assert not PriceList.objects.exists() and not OutboxEvent.objects.exists()


def test_put_replaces_lines_and_another_company_is_refused(cast, http, items):
    first = put(http.a, "SH01", "LIST", price_list())
    assert first.status_code == 200 and first.json()["status"] == "applied"

    second = put(http.a, "SH01", "LIST", {"lines": [{"item": "STEEL-2", "unit_price": "19"}]})
    assert second.status_code == 200
    assert rows() == [("SH01", "LIST", "Prices LIST", ("19.0000",))]

    other = put(http.b, "SH01", "LIST", {"name": "taken over", "lines": []})
    assert other.status_code == 403
    assert rows() == [("SH01", "LIST", "Prices LIST", ("19.0000",))]

    mismatch = put(http.a, "SH01", "LIST", {"company": "WH02"})
    assert mismatch.status_code == 422
    assert mismatch.json()["errors"] == [{"field": "company", "detail": "Differs from the key in the path."}]


def test_put_invalid_is_422_with_field_errors(cast, http, items):
    response = put(http.a, "SH01", "G", price_list(code="G", kind="group", customer_group="NONE", lines=[]))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "customer_group", "detail": "SH01 has no customer group NONE."}]
    assert not PriceList.objects.exists()


def test_idempotency_key_replays_the_first_answer(cast, http, items):
    first = post_batch(http.a, "price-lists", [price_list()], **{"Idempotency-Key": "prices-1"})
    PriceList.objects.filter(code="LIST").update(name="changed meanwhile")

    replay = post_batch(http.a, "price-lists", [price_list()], **{"Idempotency-Key": "prices-1"})

    assert (replay.status_code, replay.content) == (200, first.content)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert PriceList.objects.get(code="LIST").name == "changed meanwhile"
    assert OutboxEvent.objects.filter(topic="price_list.created").count() == 1


def test_customer_groups_then_a_group_price_list(cast, http, items):
    response = post_batch(
        http.a,
        "customer-groups",
        [
            {"company": "SH01", "code": "DIST", "name": "经销商", "members": [str(cast.customer_c.uuid)]},
            {"company": "WH02", "code": "DIST", "name": "经销商"},
            {"company": "SH01", "code": "KEY", "name": "Key", "members": [str(cast.supplier_a.uuid)]},
        ],
    )
    assert [(r["status"], r["errors"]) for r in response.json()["results"]] == [
        ("applied", []),
        ("forbidden", [{"field": "objects[1]", "detail": "This client may only write the prices of its own company."}]),
        ("invalid", [{"field": "objects[2].members[0]", "detail": "This partner is not a customer of SH01."}]),
    ]
    group = CustomerGroup.objects.get()
    assert list(group.members.values_list("partner", flat=True)) == [cast.customer_c.pk]

    response = put(http.a, "SH01", "DIST", price_list("DIST", kind="group", customer_group="DIST"))
    assert response.status_code == 200
    assert PriceList.objects.get(code="DIST").customer_group == group


def test_reads_are_paged_and_of_the_clients_company_only(cast, http, items):
    for code in ("A1", "A2", "A3"):
        put(http.a, "SH01", code, price_list(code))
    put(http.group, "WH02", "B1", price_list("B1", company="WH02"))

    first = http.reader.get("/api/v1/price-lists", {"limit": 2})
    assert first.status_code == 200
    body = first.json()
    assert [row["code"] for row in body["results"]] == ["A1", "A2"]
    assert body["results"][0]["lines"] == [
        {
            "item": "STEEL-1",
            "unit": items[0].base_unit.code,
            "min_quantity": "0",
            "unit_price": "10.5",
            "tax_rate": "13",
            "valid_from": None,
            "valid_until": None,
        },
        {
            "item": "STEEL-2",
            "unit": items[1].base_unit.code,
            "min_quantity": "0",
            "unit_price": "20",
            "tax_rate": "13",
            "valid_from": None,
            "valid_until": None,
        },
    ]
    second = http.reader.get("/api/v1/price-lists", {"limit": 2, "cursor": body["next_cursor"]})
    assert [row["code"] for row in second.json()["results"]] == ["A3"]
    assert second.json()["next_cursor"] is None

    assert http.reader.get("/api/v1/price-lists/WH02/B1").status_code == 404
    assert http.b.get("/api/v1/price-lists/WH02/B1").json()["company"] == "WH02"
    assert [row["code"] for row in http.group.get("/api/v1/price-lists", {"company": "WH02"}).json()["results"]] == [
        "B1"
    ]


def test_reading_needs_the_read_scope(cast, items):
    writer = keyed(make_api_client(company=cast.company_a, scopes=("masterdata:write",), name="writer"))
    assert writer.get("/api/v1/price-lists").status_code == 403
