"""/api/v1/stock: batches of the ERP's stock per warehouse and item (newer wins, per-row errors, company-bound
clients only for their company, scopes), and reads."""

from decimal import Decimal

import pytest

from catalog.shop.models import ItemStock
from tests.api.conftest import keyed
from tests.factories import WarehouseFactory, make_api_client
from tests.factories.catalog import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock_world(cast):
    WarehouseFactory(company=cast.company_a, code="FG01")
    WarehouseFactory(company=cast.company_b, code="FG01")
    ItemFactory(code="PL-1")
    ItemFactory(code="PL-2")
    return cast


def row(**extra):
    return {
        "company": "SH01",
        "warehouse": "FG01",
        "item": "PL-1",
        "on_hand": "10",
        "available": "8",
        "as_of": "2026-11-28T08:00:00Z",
        "source_version": 7,
    } | extra


def send(client, rows, **headers):
    return client.post("/api/v1/stock/batch", {"items": rows}, content_type="application/json", headers=headers)


def stored():
    return sorted(
        (
            s.company.code,
            s.warehouse.code,
            s.item.code,
            format(s.on_hand.normalize(), "f"),
            format(s.available.normalize(), "f"),
        )
        for s in ItemStock.objects.select_related("company", "warehouse", "item")
    )


def test_a_batch_applies_good_rows_and_reports_the_bad_ones(stock_world):
    response = send(
        keyed(stock_world.api_a),
        [
            row(),
            row(item="PL-2", available="12"),
            row(item="NOPE"),
            row(warehouse="XX"),
            row(available="abc"),
            row(as_of="2026-11-28T08:00:00"),
            "not an object",
        ],
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["index"], r["status"]) for r in results] == [
        (0, "applied"),
        (1, "invalid"),
        (2, "invalid"),
        (3, "invalid"),
        (4, "invalid"),
        (5, "invalid"),
        (6, "invalid"),
    ]
    assert results[0]["key"] == "SH01/FG01/PL-1"
    assert results[1]["errors"] == [{"field": "items[1].available", "detail": "Available cannot be more than on hand."}]
    assert results[2]["errors"] == [{"field": "items[2].item", "detail": "There is no item with the code “NOPE”."}]
    assert results[3]["errors"] == [{"field": "items[3].warehouse", "detail": "SH01 has no warehouse XX."}]
    assert results[4]["errors"][0]["field"] == "items[4].available"
    assert results[5]["errors"][0]["field"] == "items[5].as_of"
    assert results[6]["errors"] == [{"field": "items[6]", "detail": "Each row must be a JSON object."}]
    assert stored() == [("SH01", "FG01", "PL-1", "10", "8")]


def test_newer_wins(stock_world):
    client = keyed(stock_world.api_a)
    send(client, [row()])
    assert send(client, [row(available="1", source_version=6)]).json()["results"][0]["status"] == "stale"
    assert send(client, [row(available="5", source_version=8)]).json()["results"][0]["status"] == "applied"
    assert stored() == [("SH01", "FG01", "PL-1", "10", "5")]
    # without versions, the later count wins
    send(client, [row(item="PL-2", source_version=None, as_of="2026-11-28T09:00:00Z")])
    old = send(client, [row(item="PL-2", available="0", source_version=None, as_of="2026-11-28T08:59:59Z")])
    assert old.json()["results"][0]["status"] == "stale"
    newer = send(client, [row(item="PL-2", available="3", source_version=None, as_of="2026-11-28T17:00:00+08:00")])
    assert newer.json()["results"][0]["status"] == "applied"
    assert stored() == [("SH01", "FG01", "PL-1", "10", "5"), ("SH01", "FG01", "PL-2", "10", "3")]


def test_company_clients_write_only_their_company(stock_world):
    results = send(keyed(stock_world.api_b), [row(), row(company="WH02")]).json()["results"]
    assert [r["status"] for r in results] == ["forbidden", "applied"]
    assert results[0]["errors"] == [
        {"field": "items[0]", "detail": "This client may only write the stock of its own company."}
    ]
    group = make_api_client(company=None, name="erp-group")
    unknown = send(keyed(group), [row(company="ZZ")]).json()["results"][0]
    assert unknown["status"] == "invalid" and unknown["errors"][0]["field"] == "items[0].company"
    assert stored() == [("WH02", "FG01", "PL-1", "10", "8")]


def test_scopes_and_anonymous(stock_world):
    reader = make_api_client(company=stock_world.company_a, scopes=("stock:read",), name="reader")
    refused = send(keyed(reader), [row()])
    assert refused.status_code == 403 and refused.json()["detail"] == "This API key lacks the stock:write scope."
    assert send(keyed(reader, "en").__class__(), [row()]).status_code == 401
    assert ItemStock.objects.count() == 0
    writer = make_api_client(company=stock_world.company_a, scopes=("stock:write",), name="writer")
    assert keyed(writer).get("/api/v1/stock").status_code == 403


def test_idempotency_key_answers_a_retry_the_same(stock_world):
    client = keyed(stock_world.api_a)
    first = send(client, [row()], **{"Idempotency-Key": "k1"})
    ItemStock.objects.update(available=Decimal("2"))  # a retry must not apply the row again
    second = send(client, [row()], **{"Idempotency-Key": "k1"})
    assert second.json() == first.json()
    assert stored() == [("SH01", "FG01", "PL-1", "10", "2")]
    other = send(client, [row(available="1", source_version=9)], **{"Idempotency-Key": "k1"})
    assert other.status_code == 422 and other.json()["detail"] == "This Idempotency-Key was used for another request."


def test_reads_are_of_the_clients_company(stock_world):
    send(keyed(stock_world.api_a), [row(), row(item="PL-2")])
    send(keyed(stock_world.api_b), [row(company="WH02")])
    mine = keyed(stock_world.api_a).get("/api/v1/stock?item=PL-1").json()
    assert mine == {
        "results": [
            {
                "company": "SH01",
                "warehouse": "FG01",
                "item": "PL-1",
                "on_hand": "10",
                "available": "8",
                "as_of": "2026-11-28T08:00:00Z",
                "source_version": 7,
            }
        ],
        "next_cursor": None,
    }
    assert [r["company"] for r in keyed(stock_world.api_b).get("/api/v1/stock").json()["results"]] == ["WH02"]
    paged = keyed(stock_world.api_a).get("/api/v1/stock?limit=1").json()
    assert len(paged["results"]) == 1 and paged["next_cursor"]
    assert Decimal(paged["results"][0]["on_hand"]) == Decimal("10")
