"""Sales orders in the back office (/cms/orders/): the list (their companies only, filters, counts per status, a
constant number of queries), order review (credit, price deviation, stock and dates, constant queries in the number
of lines), line decisions and special approvals with their role matrix (nothing changed on a refusal)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.shop.models import ItemStock
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from portal.organisations.models import CustomerAccount
from selfservice.orders.models import (
    CreditApproval,
    CreditStatus,
    CustomerBalance,
    LineStatus,
    OrderEvent,
    OrderSource,
    OrderStatus,
    SalesOrder,
)
from selfservice.orders.selectors import company_today
from tests.conftest import login
from tests.factories import WarehouseFactory
from tests.factories.order_review import make_review_order, order_of_customer_c, other_customer, review_item

pytestmark = pytest.mark.django_db

INDEX = "/cms/orders/"


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def as_user(user):
    return english(login(Client(), user))


def numbers(response):
    return re.findall(r'data-order="([^"]+)"', response.content.decode())


def review_url(order):
    return f"/cms/orders/{order.uuid}/"


def decide_url(order, line):
    return f"/cms/orders/{order.uuid}/lines/{line.uuid}/decide/"


def snapshot(order):
    return (
        list(order.lines.order_by("line_no").values_list("status", "confirmed_quantity", "promised_date")),
        SalesOrder.objects.get(pk=order.pk).status,
        OrderEvent.objects.count(),
        OutboxEvent.objects.count(),
        AuditEvent.objects.count(),
        CreditApproval.objects.count(),
    )


def test_staff_see_their_companys_orders_with_counts_and_filters(cast, manager):
    first = order_of_customer_c(cast, number="SO-A-1")
    order_of_customer_c(cast, number="SO-A-2", status=OrderStatus.CONFIRMED)
    order_of_customer_c(cast, number="SO-A-3", source=OrderSource.ERP)
    partner_d, _admin = other_customer(cast)
    make_review_order(company=cast.company_a, customer=partner_d, number="SO-A-4")
    CustomerAccount.objects.create(partner=cast.customer_c, company=cast.company_b, erp_number="KB1")
    make_review_order(company=cast.company_b, customer=cast.customer_c, number="SO-B-1")
    SalesOrder.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=10))

    client = as_user(cast.sales)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert sorted(numbers(response)) == ["SO-A-1", "SO-A-2", "SO-A-3", "SO-A-4"]
    content = response.content.decode()
    assert re.search(r'data-status="submitted">Submitted for review: <strong>3</strong>', content)
    assert re.search(r'data-status="confirmed">Confirmed: <strong>1</strong>', content)

    assert sorted(numbers(client.get(INDEX, {"status": "submitted"}))) == ["SO-A-1", "SO-A-3", "SO-A-4"]
    assert numbers(client.get(INDEX, {"source": "erp"})) == ["SO-A-3"]
    assert sorted(numbers(client.get(INDEX, {"customer": "Customer D"}))) == ["SO-A-4"]
    assert sorted(numbers(client.get(INDEX, {"customer": cast.customer_c.tax_id}))) == ["SO-A-1", "SO-A-2", "SO-A-3"]
    since = (company_today(cast.company_a) - timedelta(days=2)).isoformat()
    assert sorted(numbers(client.get(INDEX, {"submitted_from": since, "status": "submitted"}))) == ["SO-A-3", "SO-A-4"]
    # a bad date is a message, not a 500, and filters nothing
    assert client.get(INDEX, {"submitted_from": "yesterday"}).status_code == 200

    # group administrators see every company's orders
    assert sorted(numbers(as_user(cast.group_admin).get(INDEX))) == ["SO-A-1", "SO-A-2", "SO-A-3", "SO-A-4", "SO-B-1"]


def test_the_list_is_not_for_staff_without_an_orders_role(cast):
    order_of_customer_c(cast)
    assert as_user(cast.buyer).get(INDEX).status_code == 403
    # a partner's people are sent to the back office's login (which tells them it is not for them)
    for who in ("supplier_a_admin", "customer_c_admin"):
        response = as_user(getattr(cast, who)).get(INDEX)
        assert (response.status_code, response["Location"]) == (302, f"/cms/login/?next={INDEX}")


def test_the_list_runs_a_constant_number_of_queries(cast, django_assert_num_queries):
    client = as_user(cast.sales)
    order_of_customer_c(cast)
    client.get(INDEX)  # warm the session and Wagtail's caches
    with CaptureQueriesContext(connection) as few:
        client.get(INDEX)
    for _n in range(6):
        order_of_customer_c(cast)
    # session, user, scope (2), counts per status, page count, page rows (company, customer, account joined),
    # the companies for the filter, Wagtail's menu: the same with 1 or 7 orders
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(INDEX)
    assert len(numbers(response)) == 7


# --- order review ------------------------------------------------------------------------------------------------


def test_review_page_shows_credit_deviation_stock_and_dates(cast):
    today = company_today(cast.company_a)
    slow = review_item("SLOW-1", lead_time_days=30)
    stocked = review_item("STOCK-1", lead_time_days=30)
    warehouse_1 = WarehouseFactory(company=cast.company_a, code="W1")
    warehouse_2 = WarehouseFactory(company=cast.company_a, code="W2")
    now = timezone.now()
    ItemStock.objects.create(company=cast.company_a, warehouse=warehouse_1, item=stocked, available=6, as_of=now)
    ItemStock.objects.create(company=cast.company_a, warehouse=warehouse_2, item=stocked, available=5, as_of=now)
    # company B's stock does not count for company A's order
    ItemStock.objects.create(
        company=cast.company_b, warehouse=WarehouseFactory(company=cast.company_b), item=slow, available=99, as_of=now
    )
    CustomerAccount.objects.filter(partner=cast.customer_c, company=cast.company_a).update(
        credit_limit=Decimal("10000.00")
    )
    order = order_of_customer_c(
        cast,
        lines=[
            {"item": slow, "quantity": "10", "unit_price": "90", "list_price": "100", "requested_date": today},
            {"item": stocked, "quantity": "10", "unit_price": "110", "list_price": "100", "requested_date": today},
        ],
    )
    CustomerBalance.objects.create(
        customer_account=order.customer_account, open_receivables=Decimal("2500.00"), currency="CNY", as_of=now
    )
    other = order_of_customer_c(cast, lines=[{"quantity": "10"}])  # 1130.00 open

    response = as_user(cast.sales).get(review_url(order))
    assert response.status_code == 200
    content = response.content.decode()
    # 10000 limit − 1130 other open order − 2500 receivables = 6370; this order is 2260 (2000 + 13%)
    assert order.gross_total == Decimal("2260.00")
    assert re.search(r"data-available>CNY 6,370.00<", content)
    assert 'data-fits="yes"' in content
    slow_row = re.search(r'<tr data-line="10".*?</tr>', content, re.S).group(0)
    stocked_row = re.search(r'<tr data-line="20".*?</tr>', content, re.S).group(0)
    assert "-10.0%" in slow_row and "data-below-list" in slow_row
    assert "+10.0%" in stocked_row and "data-below-list" not in stocked_row
    assert "not reported" in slow_row
    assert (today + timedelta(days=30)).isoformat() in slow_row and "data-date-at-risk" in slow_row
    assert "11 pcs" in stocked_row
    assert (today + timedelta(days=2)).isoformat() in stocked_row and "data-date-at-risk" in stocked_row
    assert other.number not in content


def test_review_page_queries_are_constant_in_the_number_of_lines(cast, django_assert_num_queries):
    small = order_of_customer_c(cast, lines=[{}])
    big = order_of_customer_c(cast, lines=[{} for _n in range(8)])
    client = as_user(cast.sales)
    client.get(review_url(small))
    with CaptureQueriesContext(connection) as few:
        client.get(review_url(small))
    # order, lines, stock, conversions, credit (3), approvals, history, plus the session, scope and Wagtail's own
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(review_url(big))
    assert response.content.decode().count("<tr data-line=") == 8


def test_a_buyer_of_the_company_gets_403_on_the_review_page(cast):
    order = order_of_customer_c(cast)
    assert as_user(cast.buyer).get(review_url(order)).status_code == 403


def test_finance_reads_but_gets_no_decision_forms(cast, finance):
    order = order_of_customer_c(cast)
    response = as_user(finance).get(review_url(order))
    assert response.status_code == 200
    assert "lines/" not in response.content.decode().split('id="lines-title"')[1]


# --- line decisions ----------------------------------------------------------------------------------------------


def test_sales_confirm_reduce_and_reject_through_the_page(cast):
    order = order_of_customer_c(cast, lines=[{"quantity": "10"}, {"quantity": "5"}, {"quantity": "2"}])
    first, second, third = order.lines.order_by("line_no")
    promised = (company_today(cast.company_a) + timedelta(days=9)).isoformat()
    client = as_user(cast.sales)
    response = client.post(decide_url(order, first), {"action": "confirm", "promised_date": promised})
    assert response.status_code == 302 and response["Location"] == review_url(order)
    response = client.post(decide_url(order, second), {"action": "reduce", "quantity": "4", "promised_date": promised})
    assert response.status_code == 302
    response = client.post(decide_url(order, third), {"action": "reject", "reason": "Out of production"}, follow=True)
    assert "Every line is decided: the order is confirmed and the customer informed." in response.content.decode()
    assert list(order.lines.order_by("line_no").values_list("status", "confirmed_quantity")) == [
        (LineStatus.CONFIRMED, Decimal("10.0000")),
        (LineStatus.REDUCED, Decimal("4.0000")),
        (LineStatus.REJECTED, Decimal("0.0000")),
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    # confirmed totals: 1000 + 400 = 1400 net, 182 tax
    assert "CNY 1,400.00 + tax 182.00 = <strong>1,582.00</strong>" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "confirm", "promised_date": "not-a-date"}, "The promised date is not a date"),
        ({"action": "confirm", "promised_date": ""}, "Give the promised delivery date."),
        ({"action": "confirm", "promised_date": "2000-01-01"}, "is in the past"),
        ({"action": "reduce", "quantity": "10", "promised_date": "2999-01-01"}, "must be less than the 10 ordered"),
        ({"action": "reduce", "quantity": "0", "promised_date": "2999-01-01"}, "must be more than zero"),
        ({"action": "reduce", "quantity": "x", "promised_date": "2999-01-01"}, "must be a number"),
        ({"action": "reject", "reason": ""}, "Say why the line is rejected"),
        ({"action": "explode"}, "Choose confirm, reduce or reject."),
    ],
)
def test_bad_decisions_get_a_message_and_change_nothing(cast, data, message):
    order = order_of_customer_c(cast)
    line = order.lines.get()
    before = snapshot(order)
    response = as_user(cast.sales).post(decide_url(order, line), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(order) == before


@pytest.mark.parametrize(("who", "status"), [("buyer", 403), ("finance", 403), ("group_admin", 403), ("staff_b", 404)])
def test_decisions_by_anyone_but_sales_change_nothing(cast, who, status, request):
    actor = request.getfixturevalue("finance") if who == "finance" else getattr(cast, who)
    order = order_of_customer_c(cast)
    line = order.lines.get()
    before = snapshot(order)
    response = as_user(actor).post(decide_url(order, line), {"action": "reject", "reason": "no"})
    assert response.status_code == status
    assert snapshot(order) == before


def test_decisions_by_the_customer_or_anonymous_change_nothing(cast):
    order = order_of_customer_c(cast)
    line = order.lines.get()
    before = snapshot(order)
    response = as_user(cast.customer_c_admin).post(decide_url(order, line), {"action": "reject", "reason": "no"})
    assert response.status_code == 302  # partners' people are not let into the back office
    assert response["Location"].startswith("/cms/login/")
    response = Client().post(decide_url(order, line), {"action": "reject", "reason": "no"})
    assert response.status_code == 302
    assert snapshot(order) == before


def test_a_line_of_another_order_is_404(cast):
    order = order_of_customer_c(cast)
    other = order_of_customer_c(cast)
    before = snapshot(order)
    response = as_user(cast.sales).post(decide_url(order, other.lines.get()), {"action": "reject", "reason": "x"})
    assert response.status_code == 404
    assert snapshot(order) == before


# --- special approval --------------------------------------------------------------------------------------------


def held(cast):
    CustomerAccount.objects.filter(partner=cast.customer_c, company=cast.company_a).update(
        credit_limit=Decimal("1000.00")
    )
    return order_of_customer_c(cast, status=OrderStatus.CREDIT_HOLD, credit_status=CreditStatus.OVER_LIMIT)


def approval_url(order):
    return f"/cms/orders/{order.uuid}/credit-approval/"


def approval_data(cast, **changes):
    until = (company_today(cast.company_a) + timedelta(days=7)).isoformat()
    return {"amount": "130.00", "valid_until": until, "reason": "Year-end order of a good customer"} | changes


def test_a_sales_manager_grants_and_the_held_order_is_released(cast, manager):
    order = held(cast)
    client = as_user(manager)
    page = client.get(review_url(order)).content.decode()
    assert 'name="amount" value="130.00"' in page  # what the order needs beyond the available credit
    assert 'data-fits="no"' in page
    response = client.post(approval_url(order), approval_data(cast), follow=True)
    content = response.content.decode()
    assert "Special approval granted." in content
    assert f"Order {order.number} is released for review." in content
    order.refresh_from_db()
    assert (order.status, order.credit_status) == (OrderStatus.SUBMITTED, CreditStatus.SPECIAL_APPROVAL)
    approval = CreditApproval.objects.get()
    assert (approval.amount, approval.order_id, approval.granted_by) == (Decimal("130.00"), order.pk, manager)
    # valid through the end of the chosen day in the company's zone
    local_end = approval.valid_until.astimezone(timezone.get_fixed_timezone(480))
    assert (local_end.date().isoformat(), local_end.hour, local_end.minute) == (
        approval_data(cast)["valid_until"],
        23,
        59,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "0"}, "greater than or equal to 0.01"),
        ({"valid_until": "2000-01-01"}, "The approval must end in the future."),
        ({"reason": ""}, "This field is required."),
        ({"valid_until": "3000-01-01"}, "At most 90 days ahead."),
    ],
)
def test_bad_approvals_get_a_message_and_change_nothing(cast, manager, changes, message):
    order = held(cast)
    before = snapshot(order)
    response = as_user(manager).post(approval_url(order), approval_data(cast, **changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert snapshot(order) == before


@pytest.mark.parametrize(("who", "status"), [("sales", 403), ("buyer", 403), ("group_admin", 403), ("staff_b", 404)])
def test_approvals_by_anyone_but_a_sales_manager_change_nothing(cast, who, status):
    order = held(cast)
    before = snapshot(order)
    response = as_user(getattr(cast, who)).post(approval_url(order), approval_data(cast))
    assert response.status_code == status
    assert snapshot(order) == before
    response = Client().post(approval_url(order), approval_data(cast))
    assert response.status_code == 302
    assert snapshot(order) == before


def test_sales_see_no_approval_form(cast):
    order = held(cast)
    assert "data-approval-form" not in as_user(cast.sales).get(review_url(order)).content.decode()


def test_the_start_page_lists_orders_to_review(cast, manager):
    order_of_customer_c(cast, number="SO-WAIT-1")
    held(cast)
    content = as_user(cast.sales).get("/cms/").content.decode()
    assert "SO-WAIT-1" in content
    assert "1 order to review" in content
    assert "held for credit" not in content
    content = as_user(manager).get("/cms/").content.decode()
    assert "1 order held for credit" in content
