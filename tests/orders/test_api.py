"""/api/v1/sales-orders and /api/v1/customer-balances: orders placed in the ERP upserted by company and ERP number
(newer wins, lines by number, per-object errors, idempotent), reads bound to the client's company, scopes."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from portal.integration.models import OutboxEvent
from selfservice.orders.credit import credit_position
from selfservice.orders.models import (
    CreditStatus,
    CustomerBalance,
    LineStatus,
    OrderEvent,
    OrderSource,
    OrderStatus,
    SalesOrder,
)
from tests.factories import make_api_client
from tests.factories.order_review import order_of_customer_c, review_item

pytestmark = pytest.mark.django_db


def keyed(api_client) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_client.plain_key}", "Accept-Language": "en"})


def post_batch(client, collection, objects, **headers):
    return client.post(
        f"/api/v1/{collection}/batch", {"objects": objects}, content_type="application/json", headers=headers
    )


@pytest.fixture
def items(db):
    from tests.factories.catalog import UnitFactory

    UnitFactory(code="kg", name="千克", name_en="kilogram", dimension="mass")
    return [review_item("BOLT-1"), review_item("NUT-1")]


def erp_order(erp_number="88001", company="SH01", customer=None, **extra):
    return {
        "company": company,
        "erp_number": erp_number,
        "customer": customer or {"erp_number": "K-C"},
        "customer_po": "PO-ERP-1",
        "source_version": 1,
        "lines": [
            {"line": 10, "item": "BOLT-1", "quantity": "100", "unit_price": "1.50", "promised_date": "2030-01-10"},
            {"line": 20, "item": "NUT-1", "quantity": "200", "unit_price": "0.40", "tax_rate": "13"},
        ],
    } | extra


@pytest.fixture
def account(cast):
    account = cast.customer_c.customer_accounts.get(company=cast.company_a)
    account.erp_number = "K-C"
    account.save(update_fields=["erp_number"])
    return account


def test_an_erp_order_is_created_and_appears_like_a_portal_one(cast, items, account):
    response = post_batch(keyed(cast.api_a), "sales-orders", [erp_order()])
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert (result["status"], result["key"], result["errors"]) == ("applied", "SH01/88001", [])
    order = SalesOrder.objects.get(erp_number="88001")
    assert result["id"] == str(order.uuid)
    assert (order.number, order.source, order.status, order.credit_status, order.customer_po) == (
        "ERP-SH01-88001",
        OrderSource.ERP,
        OrderStatus.CONFIRMED,
        CreditStatus.NOT_CHECKED,
        "PO-ERP-1",
    )
    assert (order.customer, order.customer_account) == (cast.customer_c, account)
    # 100 × 1.50 + 200 × 0.40 = 230.00 net, 29.90 tax
    assert (order.net_total, order.tax_total, order.gross_total) == (
        Decimal("230.00"),
        Decimal("29.90"),
        Decimal("259.90"),
    )
    lines = list(order.lines.order_by("line_no").values_list("line_no", "status", "confirmed_quantity"))
    assert lines == [(10, LineStatus.CONFIRMED, Decimal("100.0000")), (20, LineStatus.CONFIRMED, Decimal("200.0000"))]
    assert list(OrderEvent.objects.filter(order=order).values_list("kind", "actor_label")) == [
        ("erp_created", "ERP (erp-sh01)")
    ]
    assert OutboxEvent.objects.filter(topic__startswith="order.").count() == 0
    # the customer's credit counts the confirmed ERP order
    assert credit_position(account).open_orders == Decimal("259.90")


def test_a_resend_changes_nothing_and_a_newer_version_changes_what_it_says(cast, items, account):
    client = keyed(cast.api_a)
    post_batch(client, "sales-orders", [erp_order()])
    order = SalesOrder.objects.get(erp_number="88001")
    post_batch(client, "sales-orders", [erp_order()])
    assert OrderEvent.objects.filter(order=order).count() == 1

    changed = erp_order(source_version=2, status="confirmed")
    changed["lines"] = [changed["lines"][0] | {"quantity": "80"}]  # line 20 dropped, line 10 reduced in the ERP
    result = post_batch(client, "sales-orders", [changed]).json()["results"][0]
    assert result["status"] == "applied"
    order.refresh_from_db()
    assert list(order.lines.values_list("line_no", "quantity")) == [(10, Decimal("80.0000"))]
    assert order.gross_total == Decimal("135.60")
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.kind, event.data) == ("erp_updated", {"changed": ["gross_total", "lines", "net_total", "tax_total"]})
    from selfservice.orders.history import describe

    assert describe(event) == "Changed: total, order lines, net total, tax."

    stale = erp_order(source_version=1, customer_po="OLD")
    result = post_batch(client, "sales-orders", [stale]).json()["results"][0]
    assert result["status"] == "stale"
    order.refresh_from_db()
    assert order.customer_po == "PO-ERP-1"
    assert order.lines.count() == 1


def test_per_object_errors_leave_the_good_objects_applied(cast, items, account):
    response = post_batch(
        keyed(cast.api_a),
        "sales-orders",
        [
            erp_order("1"),
            erp_order("2", customer={"erp_number": "NOBODY"}),
            erp_order("3", lines=[{"line": 10, "item": "NOPE", "quantity": "1", "unit_price": "1"}]),
            erp_order("4", company="WH02"),
            erp_order("5", status="credit_hold"),
            erp_order("6", lines=[{"line": 10, "item": "BOLT-1", "quantity": "0", "unit_price": "1"}]),
            erp_order("7", lines=[]),
            "not an object",
            erp_order("9", lines=[{"line": 10, "item": "BOLT-1", "quantity": "1", "unit_price": "1", "unit": "kg"}]),
        ],
    )
    results = response.json()["results"]
    assert [result["status"] for result in results] == [
        "applied",
        "invalid",
        "invalid",
        "forbidden",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
    ]
    assert results[8]["errors"] == [
        {"field": "objects[8].lines[0].unit", "detail": "The item BOLT-1 is not sold in kg."}
    ]
    assert results[1]["errors"] == [{"field": "objects[1].customer", "detail": "SH01 has no such customer account."}]
    assert results[2]["errors"] == [
        {"field": "objects[2].lines[0].item", "detail": "There is no item with the code “NOPE”."}
    ]
    assert results[6]["errors"] == [{"field": "objects[6].lines", "detail": "An order needs at least one line."}]
    assert list(SalesOrder.objects.values_list("erp_number", flat=True)) == ["1"]


def test_a_portal_order_is_not_changed_through_the_erp_api(cast, items, account):
    portal = order_of_customer_c(cast, erp_number="99")
    result = post_batch(keyed(cast.api_a), "sales-orders", [erp_order("99")]).json()["results"][0]
    assert result["status"] == "invalid"
    assert result["errors"][0]["field"] == "objects[0].erp_number"
    portal.refresh_from_db()
    assert portal.source == OrderSource.PORTAL


def test_put_and_reads_are_bound_to_the_clients_company(cast, items, account):
    client = keyed(cast.api_a)
    body = erp_order()
    del body["company"], body["erp_number"]
    response = client.put("/api/v1/sales-orders/SH01/88001", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "applied"
    assert (
        keyed(cast.api_b).put("/api/v1/sales-orders/SH01/88002", body, content_type="application/json").status_code
        == 403
    )
    assert not SalesOrder.objects.filter(erp_number="88002").exists()

    order = SalesOrder.objects.get()
    read = client.get(f"/api/v1/sales-orders/{order.number}")
    assert read.status_code == 200
    data = read.json()
    assert (data["number"], data["company"], data["customer"], data["gross_total"]) == (
        "ERP-SH01-88001",
        "SH01",
        {"tax_id": cast.customer_c.tax_id, "erp_number": "K-C"},
        "259.90",
    )
    assert [line["item"] for line in data["lines"]] == ["BOLT-1", "NUT-1"]
    assert client.get("/api/v1/sales-orders/SH01/88001").json()["number"] == "ERP-SH01-88001"
    assert keyed(cast.api_b).get(f"/api/v1/sales-orders/{order.number}").status_code == 404
    assert keyed(cast.api_b).get("/api/v1/sales-orders/SH01/88001").status_code == 404
    assert keyed(cast.api_b).get("/api/v1/sales-orders").json()["results"] == []


def test_the_list_pages_with_a_cursor_in_constant_queries(cast, items, account, django_assert_max_num_queries):
    for _n in range(5):
        order_of_customer_c(cast, lines=[{}, {}])
    client = keyed(cast.api_a)
    first = client.get("/api/v1/sales-orders", {"limit": 3}).json()
    assert len(first["results"]) == 3 and first["next_cursor"]
    second = client.get("/api/v1/sales-orders", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(second["results"]) == 2 and second["next_cursor"] is None
    assert client.get("/api/v1/sales-orders", {"customer": cast.customer_c.tax_id}).json()["results"].__len__() == 5
    # key, orders (joined), their lines: not one query per order
    with django_assert_max_num_queries(8):
        client.get("/api/v1/sales-orders", {"limit": 5})


def test_scopes(cast, items, account):
    reader = make_api_client(company=cast.company_a, scopes=("orders:read",), name="reader")
    masterdata = make_api_client(company=cast.company_a, scopes=("masterdata:write",), name="md")
    assert post_batch(keyed(reader), "sales-orders", [erp_order()]).status_code == 403
    assert post_batch(keyed(masterdata), "customer-balances", []).status_code == 403
    assert keyed(masterdata).get("/api/v1/sales-orders").status_code == 403
    assert keyed(reader).get("/api/v1/sales-orders").status_code == 200
    assert SalesOrder.objects.count() == 0


def test_the_idempotency_key_replays_the_first_answer(cast, items, account):
    client = keyed(cast.api_a)
    first = post_batch(client, "sales-orders", [erp_order()], **{"Idempotency-Key": "k-1"})
    second = post_batch(client, "sales-orders", [erp_order()], **{"Idempotency-Key": "k-1"})
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert OrderEvent.objects.count() == 1


# --- customer balances -------------------------------------------------------------------------------------------


def balance(**extra):
    return {
        "company": "SH01",
        "customer": {"erp_number": "K-C"},
        "open_receivables": "12000.50",
        "overdue": "500.00",
        "as_of": "2027-03-01T08:00:00+08:00",
    } | extra


def test_balances_newer_wins_by_as_of(cast, account):
    client = keyed(cast.api_a)
    result = post_batch(client, "customer-balances", [balance()]).json()["results"][0]
    assert (result["status"], result["key"]) == ("applied", "SH01/K-C")
    row = CustomerBalance.objects.get()
    assert (row.open_receivables, row.overdue, row.currency, row.as_of) == (
        Decimal("12000.50"),
        Decimal("500.00"),
        "CNY",
        datetime(2027, 3, 1, 0, 0, tzinfo=UTC),
    )
    older = balance(open_receivables="1", as_of="2027-02-28T08:00:00+08:00")
    assert post_batch(client, "customer-balances", [older]).json()["results"][0]["status"] == "stale"
    newer = balance(
        open_receivables="800", as_of="2027-03-02T08:00:00+08:00", customer={"tax_id": cast.customer_c.tax_id}
    )
    assert post_batch(client, "customer-balances", [newer]).json()["results"][0]["status"] == "applied"
    row.refresh_from_db()
    assert row.open_receivables == Decimal("800.00")
    assert credit_position(account).receivables == Decimal("800.00")


def test_balance_errors_per_object(cast, account):
    response = post_batch(
        keyed(cast.api_a),
        "customer-balances",
        [
            balance(currency="USD"),
            balance(company="WH02"),
            balance(customer={}),
            balance(open_receivables="-1"),
        ],
    )
    assert [result["status"] for result in response.json()["results"]] == ["invalid", "forbidden", "invalid", "invalid"]
    assert response.json()["results"][0]["errors"] == [
        {"field": "objects[0].currency", "detail": "The customer's account is kept in CNY."}
    ]
    assert CustomerBalance.objects.count() == 0
