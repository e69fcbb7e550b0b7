"""Order review services: confirm, reduce, reject per line; completion once no line is open (confirmed or
rejected, one event, the customer notified with a summary); special credit approvals (特批)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.core.errors import DomainError
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from selfservice.orders.models import (
    CreditApproval,
    CreditStatus,
    CustomerBalance,
    LineStatus,
    OrderEvent,
    OrderStatus,
    SalesOrder,
)
from selfservice.orders.review import (
    approval_default_amount,
    credit_approval_grant,
    order_line_confirm,
    order_line_reduce,
    order_line_reject,
)
from selfservice.orders.selectors import company_today
from tests.factories.order_review import order_of_customer_c

pytestmark = pytest.mark.django_db


def three_lines(cast):
    return order_of_customer_c(cast, lines=[{"quantity": "10"}, {"quantity": "5"}, {"quantity": "2"}])


def lines_of(order):
    return list(order.lines.order_by("line_no"))


def in_a_week(order):
    return company_today(order.company) + timedelta(days=7)


def snapshot(order):
    return (
        list(order.lines.order_by("line_no").values_list("status", "confirmed_quantity", "promised_date")),
        SalesOrder.objects.get(pk=order.pk).status,
        OrderEvent.objects.count(),
        OutboxEvent.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_confirm_a_line_records_it_and_leaves_the_order_in_review(cast):
    order = three_lines(cast)
    first = lines_of(order)[0]
    promised = in_a_week(order)
    order_line_confirm(actor=cast.sales, order_id=order.pk, line_id=first.pk, promised_date=promised)
    first.refresh_from_db()
    assert (first.status, first.confirmed_quantity, first.promised_date) == (
        LineStatus.CONFIRMED,
        Decimal("10.0000"),
        promised,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    assert order.reviewed_at is None
    event = OrderEvent.objects.get(order=order, kind="line_confirmed")
    assert event.data == {"line": 10, "item": first.item.code, "quantity": "10", "promised_date": promised.isoformat()}
    assert event.internal is False
    assert event.actor == cast.sales
    assert AuditEvent.objects.filter(action="sales_order.line_confirmed", object_id=str(order.uuid)).count() == 1
    assert OutboxEvent.objects.filter(topic__startswith="order.").count() == 0


@pytest.mark.parametrize("quantity", ["0", "-1", "10", "10.0000", "11", "abc", "NaN", "1.00001"])
def test_reduce_is_refused_outside_more_than_zero_and_less_than_ordered(cast, quantity):
    order = three_lines(cast)
    first = lines_of(order)[0]
    before = snapshot(order)
    with pytest.raises(DomainError):
        order_line_reduce(
            actor=cast.sales, order_id=order.pk, line_id=first.pk, quantity=quantity, promised_date=in_a_week(order)
        )
    assert snapshot(order) == before


def test_reduce_keeps_the_ordered_figures_and_records_from_and_to(cast):
    order = three_lines(cast)
    first = lines_of(order)[0]
    order_line_reduce(
        actor=cast.sales, order_id=order.pk, line_id=first.pk, quantity="9.5", promised_date=in_a_week(order)
    )
    first.refresh_from_db()
    assert (first.status, first.quantity, first.confirmed_quantity, first.net_amount) == (
        LineStatus.REDUCED,
        Decimal("10.0000"),
        Decimal("9.5000"),
        Decimal("1000.00"),
    )
    event = OrderEvent.objects.get(order=order, kind="line_reduced")
    assert (event.data["quantity_from"], event.data["quantity_to"]) == ("10", "9.5")


def test_reject_needs_a_reason(cast):
    order = three_lines(cast)
    first = lines_of(order)[0]
    before = snapshot(order)
    with pytest.raises(DomainError, match="Say why"):
        order_line_reject(actor=cast.sales, order_id=order.pk, line_id=first.pk, reason="   ")
    assert snapshot(order) == before


def test_a_promised_date_in_the_past_is_refused_today_is_allowed(cast):
    order = three_lines(cast)
    first, second = lines_of(order)[:2]
    today = company_today(order.company)
    before = snapshot(order)
    with pytest.raises(DomainError, match="in the past"):
        order_line_confirm(
            actor=cast.sales, order_id=order.pk, line_id=first.pk, promised_date=today - timedelta(days=1)
        )
    with pytest.raises(DomainError, match="in the past"):
        order_line_reduce(
            actor=cast.sales,
            order_id=order.pk,
            line_id=second.pk,
            quantity="1",
            promised_date=today - timedelta(days=1),
        )
    assert snapshot(order) == before
    order_line_confirm(actor=cast.sales, order_id=order.pk, line_id=first.pk, promised_date=today)
    first.refresh_from_db()
    assert first.promised_date == today


@time_machine.travel("2027-03-01 17:30:00+00:00", tick=False)
def test_the_past_is_judged_in_the_companys_time_zone(cast):
    # 17:30 UTC is 01:30 on 2 March in Shanghai: 1 March is already the past there.
    order = three_lines(cast)
    first = lines_of(order)[0]
    from datetime import date

    with pytest.raises(DomainError):
        order_line_confirm(actor=cast.sales, order_id=order.pk, line_id=first.pk, promised_date=date(2027, 3, 1))
    order_line_confirm(actor=cast.sales, order_id=order.pk, line_id=first.pk, promised_date=date(2027, 3, 2))


def test_deciding_the_last_line_confirms_the_order_once_and_tells_the_customer(cast, manager):
    order = order_of_customer_c(
        cast, lines=[{"quantity": "10"}, {"quantity": "5"}, {"quantity": "2"}, {"quantity": "1"}], language="en"
    )
    first, second, third, fourth = lines_of(order)
    promised = in_a_week(order)
    order_line_confirm(actor=cast.sales, order_id=order.pk, line_id=first.pk, promised_date=promised)
    order_line_confirm(actor=manager, order_id=order.pk, line_id=second.pk, promised_date=promised)
    order_line_reduce(actor=cast.sales, order_id=order.pk, line_id=third.pk, quantity="1", promised_date=promised)
    assert OutboxEvent.objects.filter(topic__startswith="order.").count() == 0
    order_line_reject(actor=cast.sales, order_id=order.pk, line_id=fourth.pk, reason="Discontinued")

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.reviewed_by == cast.sales
    assert order.reviewed_at is not None
    events = list(OutboxEvent.objects.filter(topic__startswith="order."))
    assert [event.topic for event in events] == ["order.confirmed"]
    payload = events[0].payload
    assert payload["status"] == "confirmed"
    assert [(line["line"], line["status"], line["confirmed_quantity"]) for line in payload["lines"]] == [
        (10, "confirmed", "10.0000"),
        (20, "confirmed", "5.0000"),
        (30, "reduced", "1.0000"),
        (40, "rejected", "0.0000"),
    ]
    assert payload["lines"][3]["rejection_reason"] == "Discontinued"
    notification = Notification.objects.get(kind="orders.reviewed")
    assert notification.recipient == cast.customer_c_admin
    assert notification.params["summary"] == "2 lines confirmed, 1 reduced, 1 rejected."
    assert notification.url == f"/customer/orders/{order.uuid}/"
    assert OrderEvent.objects.get(order=order, kind="confirmed").data == {
        "summary": {"confirmed": 2, "reduced": 1, "rejected": 1}
    }


def test_rejecting_every_line_rejects_the_order(cast):
    order = order_of_customer_c(cast, lines=[{}, {}])
    first, second = lines_of(order)
    order_line_reject(actor=cast.sales, order_id=order.pk, line_id=first.pk, reason="No capacity")
    order_line_reject(actor=cast.sales, order_id=order.pk, line_id=second.pk, reason="No capacity")
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED
    assert list(OutboxEvent.objects.filter(topic__startswith="order.").values_list("topic", flat=True)) == [
        "order.rejected"
    ]
    # in the order's language (Chinese unless the customer ordered in English)
    assert Notification.objects.get(kind="orders.reviewed").params["summary"] == "2 行已拒绝。"


def test_a_decided_line_and_an_order_not_in_review_are_refused(cast):
    order = three_lines(cast)
    first = lines_of(order)[0]
    order_line_confirm(actor=cast.sales, order_id=order.pk, line_id=first.pk, promised_date=in_a_week(order))
    before = snapshot(order)
    with pytest.raises(DomainError, match="already decided"):
        order_line_reject(actor=cast.sales, order_id=order.pk, line_id=first.pk, reason="x")
    assert snapshot(order) == before

    held = order_of_customer_c(cast, status=OrderStatus.CREDIT_HOLD)
    line = lines_of(held)[0]
    before = snapshot(held)
    with pytest.raises(DomainError, match="only a submitted order"):
        order_line_confirm(actor=cast.sales, order_id=held.pk, line_id=line.pk, promised_date=in_a_week(held))
    assert snapshot(held) == before


def test_a_line_of_another_order_is_refused(cast):
    order = three_lines(cast)
    other = order_of_customer_c(cast)
    with pytest.raises(DomainError):
        order_line_confirm(
            actor=cast.sales, order_id=order.pk, line_id=lines_of(other)[0].pk, promised_date=in_a_week(order)
        )


@pytest.mark.parametrize("who", ["buyer", "staff_b", "group_admin", "customer_c_admin", "finance"])
def test_only_sales_of_the_company_review(cast, who, request):
    actor = request.getfixturevalue("finance") if who == "finance" else getattr(cast, who)
    order = three_lines(cast)
    first = lines_of(order)[0]
    before = snapshot(order)
    with pytest.raises(PermissionDenied):
        order_line_confirm(actor=actor, order_id=order.pk, line_id=first.pk, promised_date=in_a_week(order))
    with pytest.raises(PermissionDenied):
        order_line_reject(actor=actor, order_id=order.pk, line_id=first.pk, reason="x")
    assert snapshot(order) == before


# --- special approval (特批) ---------------------------------------------------------------------------------------


def held_order(cast, *, limit="1000.00"):
    from portal.organisations.models import CustomerAccount

    CustomerAccount.objects.filter(partner=cast.customer_c, company=cast.company_a).update(credit_limit=Decimal(limit))
    order = order_of_customer_c(
        cast, status=OrderStatus.CREDIT_HOLD, credit_status=CreditStatus.OVER_LIMIT, lines=[{"quantity": "10"}]
    )
    return order  # 10 × 100.00 + 13% = 1130.00


def test_special_approval_by_a_sales_manager_releases_the_held_order(cast, manager):
    order = held_order(cast)
    assert approval_default_amount(order) == Decimal("130.00")
    approval, released = credit_approval_grant(
        actor=manager,
        account=order.customer_account,
        amount="130.00",
        valid_until=timezone.now() + timedelta(days=7),
        reason="Long-standing customer, year-end order",
        order=order,
    )
    assert [o.pk for o in released] == [order.pk]
    order.refresh_from_db()
    assert (order.status, order.credit_status) == (OrderStatus.SUBMITTED, CreditStatus.SPECIAL_APPROVAL)
    assert approval.amount == Decimal("130.00")
    assert approval.granted_by == manager
    assert list(OutboxEvent.objects.values_list("topic", flat=True)) == ["order.submitted"]
    note = OrderEvent.objects.get(order=order, kind="credit_approved")
    assert note.internal is True
    assert note.data["amount"] == "130.00"
    assert AuditEvent.objects.filter(action="credit_approval.granted").count() == 1


def test_an_approval_too_small_leaves_the_order_held(cast, manager):
    order = held_order(cast)
    _approval, released = credit_approval_grant(
        actor=manager,
        account=order.customer_account,
        amount="129.99",
        valid_until=timezone.now() + timedelta(days=7),
        reason="Partial",
        order=order,
    )
    assert released == []
    order.refresh_from_db()
    assert order.status == OrderStatus.CREDIT_HOLD
    assert OutboxEvent.objects.count() == 0


def test_an_expired_approval_is_not_counted(cast, manager):
    order = held_order(cast)
    CreditApproval.objects.create(
        customer_account=order.customer_account,
        amount=Decimal("5000.00"),
        valid_until=timezone.now() - timedelta(seconds=1),
        reason="Last month's",
        granted_by=manager,
    )
    assert approval_default_amount(order) == Decimal("130.00")
    _approval, released = credit_approval_grant(
        actor=manager,
        account=order.customer_account,
        amount="100.00",
        valid_until=timezone.now() + timedelta(days=7),
        reason="Not enough alone",
    )
    assert released == []
    order.refresh_from_db()
    assert order.status == OrderStatus.CREDIT_HOLD


def test_receivables_count_against_the_approval(cast, manager):
    order = held_order(cast, limit="2000.00")
    CustomerBalance.objects.create(
        customer_account=order.customer_account,
        open_receivables=Decimal("1000.00"),
        currency="CNY",
        as_of=timezone.now(),
    )
    assert approval_default_amount(order) == Decimal("130.00")


@pytest.mark.parametrize("who", ["sales", "buyer", "staff_b", "group_admin"])
def test_only_a_sales_manager_of_the_company_grants(cast, who):
    order = held_order(cast)
    with pytest.raises(PermissionDenied):
        credit_approval_grant(
            actor=getattr(cast, who),
            account=order.customer_account,
            amount="500",
            valid_until=timezone.now() + timedelta(days=7),
            reason="x",
            order=order,
        )
    assert CreditApproval.objects.count() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.CREDIT_HOLD


@pytest.mark.parametrize(
    ("amount", "days", "reason", "message"),
    [
        ("0", 7, "x", "more than zero"),
        ("-5", 7, "x", "more than zero"),
        ("1.001", 7, "x", "two decimal places"),
        ("abc", 7, "x", "must be a number"),
        ("100", 92, "x", "at most 90 days"),
        ("100", -1, "x", "end in the future"),
        ("100", 7, "  ", "Give the reason"),
    ],
)
def test_bad_approvals_are_refused(cast, manager, amount, days, reason, message):
    order = held_order(cast)
    with pytest.raises(DomainError, match=message):
        credit_approval_grant(
            actor=manager,
            account=order.customer_account,
            amount=amount,
            valid_until=timezone.now() + timedelta(days=days),
            reason=reason,
            order=order,
        )
    assert CreditApproval.objects.count() == 0
    assert AuditEvent.objects.filter(action="credit_approval.granted").count() == 0
