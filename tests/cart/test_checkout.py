from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import override

from portal.audit.models import AuditEvent
from portal.core.errors import DomainError
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from selfservice.cart.models import CartLine
from selfservice.orders.checkout import OverCredit, PriceChanged
from selfservice.orders.models import CreditApproval, CustomerBalance, OrderStatus, SalesOrder
from selfservice.payments.models import PaymentSetup
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.orders import make_order, price_item, ship_to_address

from .helpers import checkout, fill

pytestmark = pytest.mark.django_db


def state():
    return (
        SalesOrder.objects.count(),
        CartLine.objects.count(),
        OutboxEvent.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.filter(action="order.placed").count(),
    )


def test_within_the_limit_the_order_is_submitted_with_snapshots(shop, cast, django_capture_on_commit_callbacks):
    fill(shop, cast.company_a, [(shop.plate, "20"), (shop.pipe, "3")])
    with django_capture_on_commit_callbacks(execute=False), override("en"):
        order = checkout(shop, cast.company_a, note="请周一送货")
    year = timezone.now().year
    assert order.number == f"SO-{year}-000001"
    assert (order.status, order.payment_mode, order.payment_status, order.credit_status) == (
        "submitted", "credit", "not_required", "within_limit",
    )  # fmt: skip
    # 20 t at the break from 20 (3900) + 3 × 120.50
    assert (order.net_total, order.tax_total, order.gross_total) == (
        Decimal("78361.50"), Decimal("10187.00"), Decimal("88548.50"),
    )  # fmt: skip
    assert order.currency == "CNY"
    assert order.customer_po == "PO-4711"
    assert order.placed_by == shop.sales
    assert order.language == "en"
    assert order.submitted_at is not None
    assert order.ship_to == shop.ship_to
    assert order.ship_to_text.splitlines()[1] == str(shop.ship_to)
    assert order.invoicing["tax_id"] == shop.customer.tax_id
    lines = list(order.lines.order_by("line_no"))
    assert [(line.item, line.quantity, line.unit_price, line.list_price, line.price_source) for line in lines] == [
        (shop.plate, Decimal("20"), Decimal("3900"), Decimal("3900"), "LIST"),
        (shop.pipe, Decimal("3"), Decimal("120.5"), Decimal("120.5"), "LIST"),
    ]
    assert [line.gross_amount for line in lines] == [Decimal("88140.00"), Decimal("408.50")]
    assert CartLine.objects.count() == 0
    assert list(order.events.values_list("kind", flat=True)) == ["placed", "submitted"]
    assert OutboxEvent.objects.filter(topic="order.submitted").count() == 1
    assert AuditEvent.objects.filter(action="order.placed", object_id=str(order.uuid)).count() == 1
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {"sales@group.test"}


def test_a_customer_price_and_the_list_price_are_both_kept(shop, cast):
    price_item(cast.company_a, shop.pipe, "100.00", customer=shop.customer)
    fill(shop, cast.company_a, [(shop.pipe, "2")])
    line = checkout(shop, cast.company_a).lines.get()
    assert (line.unit_price, line.list_price, line.price_source) == (
        Decimal("100"), Decimal("120.5"), f"C-{shop.customer.pk}",
    )  # fmt: skip


def test_numbers_count_up_group_wide(shop, cast):
    fill(shop, cast.company_a, [(shop.pipe, "1")])
    fill(shop, cast.company_b, [(shop.pipe, "1")])
    first = checkout(shop, cast.company_a)
    second = checkout(shop, cast.company_b, ship_to=shop.ship_to_b)
    year = timezone.now().year
    assert (first.number, second.number) == (f"SO-{year}-000001", f"SO-{year}-000002")


def test_two_companies_make_two_orders(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "5"), (shop.pipe, "1")])
    fill(shop, cast.company_b, [(shop.pipe, "4")])
    order_a = checkout(shop, cast.company_a)
    assert list(CartLine.objects.values_list("company__code", flat=True)) == ["WH02"]
    order_b = checkout(shop, cast.company_b, ship_to=shop.ship_to_b)
    assert (order_a.company, order_a.lines.count(), order_a.gross_total) == (
        cast.company_a, 2, Decimal("22736.17"),
    )  # fmt: skip
    assert (order_b.company, order_b.customer_account, order_b.gross_total) == (
        cast.company_b, shop.account_b, Decimal("533.36"),
    )  # fmt: skip
    assert CartLine.objects.count() == 0


def test_a_changed_price_refuses_and_changes_nothing(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "5"), (shop.pipe, "1")])
    line = CartLine.objects.get(item=shop.pipe)
    seen = {str(item.uuid): ("4000.0000" if item.item == shop.plate else "110.00") for item in CartLine.objects.all()}
    before = state()
    with pytest.raises(PriceChanged) as error:
        checkout(shop, cast.company_a, prices=seen)
    assert [(change.line_uuid, change.old, change.new) for change in error.value.changes] == [
        (str(line.uuid), Decimal("110.00"), Decimal("120.5")),
    ]
    assert state() == before


def test_a_line_added_after_the_page_was_shown_counts_as_a_change(shop, cast):
    fill(shop, cast.company_a, [(shop.plate, "5")])
    from .helpers import seen_prices

    seen = seen_prices(shop, cast.company_a)
    fill(shop, cast.company_a, [(shop.pipe, "1")])
    with pytest.raises(PriceChanged) as error:
        checkout(shop, cast.company_a, prices=seen)
    assert [(change.item_code, change.old) for change in error.value.changes] == [("PIPE-50", None)]
    assert SalesOrder.objects.count() == 0


def test_an_address_of_another_partner_or_company_is_refused(shop, cast):
    fill(shop, cast.company_a, [(shop.pipe, "1")])
    other = ship_to_address(shop.customer_d)
    with override("en"):
        with pytest.raises(DomainError) as error:
            checkout(shop, cast.company_a, ship_to=other)
        assert error.value.message == "Choose one of your delivery addresses for 上海钢铁有限公司."
        with pytest.raises(DomainError):
            checkout(shop, cast.company_a, ship_to=shop.ship_to_b)  # only for company B
    assert SalesOrder.objects.count() == 0


def test_finance_people_and_other_customers_cannot_check_out(shop, cast):
    fill(shop, cast.company_a, [(shop.pipe, "1")])
    before = state()
    with pytest.raises(PermissionDenied):
        checkout(shop, cast.company_a, user=shop.finance, prices={})
    with override("en"), pytest.raises(DomainError) as error:
        checkout(shop, cast.company_a, user=shop.admin, prices={})
    assert error.value.message == "Your cart has nothing from 上海钢铁有限公司."
    assert state() == before


# --- the credit check ----------------------------------------------------------------------------------------------


def cart_of_gross(shop, cast, gross_total):
    """A cart at company A whose order total is exactly `gross_total` (pipes at a customer price)."""
    net = (Decimal(gross_total) / Decimal("1.13")).quantize(Decimal("0.01"))
    price_item(cast.company_a, shop.pipe, net, customer=shop.customer)
    fill(shop, cast.company_a, [(shop.pipe, "1")])
    return net


def set_credit(shop, *, limit, receivables="0.00"):
    shop.account_a.credit_limit = Decimal(limit)
    shop.account_a.save(update_fields=["credit_limit"])
    CustomerBalance.objects.update_or_create(
        customer_account=shop.account_a,
        defaults={"open_receivables": Decimal(receivables), "currency": "CNY", "as_of": timezone.now()},
    )


def test_exactly_at_the_limit_passes(shop, cast):
    cart_of_gross(shop, cast, "1130.00")  # net 1000.00 + 130.00 tax
    set_credit(shop, limit="3130.00", receivables="1500.00")
    make_order(shop.account_a, [(shop.plate, "5", "88.50")])  # open order 442.50 + 57.53 tax = 500.03
    shop.account_a.credit_limit = Decimal("3130.03")
    shop.account_a.save(update_fields=["credit_limit"])
    order = checkout(shop, cast.company_a)
    assert (order.gross_total, order.status, order.credit_status) == (Decimal("1130.00"), "submitted", "within_limit")


def test_one_cent_over_fails_with_the_amounts(shop, cast):
    cart_of_gross(shop, cast, "1130.00")
    set_credit(shop, limit="3130.02", receivables="1500.00")
    make_order(shop.account_a, [(shop.plate, "5", "88.50")])  # 500.03 open
    before = state()
    with override("en"), pytest.raises(OverCredit) as error:
        checkout(shop, cast.company_a)
    assert error.value.message == (
        "This order of CNY 1,130.00 exceeds your available credit of CNY 1,129.99 at 上海钢铁有限公司."
    )
    assert state() == before


def test_prepaid_cancelled_and_paid_orders_do_not_use_credit(shop, cast):
    cart_of_gross(shop, cast, "1130.00")
    set_credit(shop, limit="1130.00")
    make_order(shop.account_a, status=OrderStatus.CANCELLED)
    make_order(shop.account_a, status=OrderStatus.AWAITING_PAYMENT, payment_mode="prepay", payment_status="pending")
    make_order(shop.account_a, status=OrderStatus.SUBMITTED, payment_mode="prepay", payment_status="paid")
    make_order(shop.account_a, status=OrderStatus.CREDIT_HOLD)
    assert checkout(shop, cast.company_a).credit_status == "within_limit"


def test_confirmed_orders_and_receivables_count(shop, cast):
    cart_of_gross(shop, cast, "1130.00")
    set_credit(shop, limit="3259.99", receivables="1000.00")
    make_order(shop.account_a, [(shop.plate, "1", "1000.00")], status=OrderStatus.CONFIRMED)  # 1130.00
    with pytest.raises(OverCredit):
        checkout(shop, cast.company_a)
    set_credit(shop, limit="3259.99", receivables="999.99")
    assert checkout(shop, cast.company_a).status == "submitted"


def grant(shop, cast, amount, *, days=3):
    manager = StaffRoleFactory(user=UserFactory(), role="sales_manager", company=cast.company_a).user
    return CreditApproval.objects.create(
        customer_account=shop.account_a,
        amount=Decimal(amount),
        valid_until=timezone.now() + timedelta(days=days),
        reason="年底备货",
        granted_by=manager,
    )


def test_a_special_approval_in_force_counts_and_marks_the_order(shop, cast):
    cart_of_gross(shop, cast, "1130.00")
    set_credit(shop, limit="1000.00")
    grant(shop, cast, "130.00")
    order = checkout(shop, cast.company_a)
    assert (order.status, order.credit_status) == ("submitted", "special_approval")


def test_an_expired_approval_does_not_count(shop, cast):
    cart_of_gross(shop, cast, "1130.00")
    set_credit(shop, limit="1000.00")
    approval = grant(shop, cast, "500.00", days=2)
    with time_machine.travel(approval.valid_until + timedelta(seconds=1)), pytest.raises(OverCredit):
        checkout(shop, cast.company_a)
    approval.revoked_at = timezone.now()
    approval.save(update_fields=["revoked_at"])
    with pytest.raises(OverCredit):
        checkout(shop, cast.company_a)
    assert SalesOrder.objects.count() == 0


def test_over_the_limit_an_approval_is_asked_with_a_reason(shop, cast):
    manager = StaffRoleFactory(
        user=UserFactory(email="manager@group.test"), role="sales_manager", company=cast.company_a
    )
    cart_of_gross(shop, cast, "1130.00")
    set_credit(shop, limit="1000.00")
    with override("en"), pytest.raises(DomainError) as error:
        checkout(shop, cast.company_a, choice="approval")
    assert error.value.message == "Tell the sales team why this order should be approved."
    order = checkout(shop, cast.company_a, choice="approval", reason="项目急需")
    assert (order.status, order.credit_status, order.payment_mode) == ("credit_hold", "over_limit", "credit")
    assert list(order.events.values_list("kind", flat=True)) == ["placed", "credit_hold"]
    notification = Notification.objects.get(kind="orders.credit_hold")
    assert (notification.recipient, notification.params["reason"]) == (manager.user, "项目急需")
    assert OutboxEvent.objects.filter(topic="order.submitted").count() == 0


def test_an_approval_is_not_asked_for_an_order_that_fits(shop, cast):
    fill(shop, cast.company_a, [(shop.pipe, "1")])
    with override("en"), pytest.raises(DomainError) as error:
        checkout(shop, cast.company_a, choice="approval", reason="x")
    assert error.value.message == "This order fits your credit: submit it without an approval."


def test_prepay_needs_the_companys_payment_set_up(shop, cast):
    cart_of_gross(shop, cast, "1130.00")
    set_credit(shop, limit="0.00")
    with override("en"), pytest.raises(DomainError) as error:
        checkout(shop, cast.company_a, choice="prepay")
    assert error.value.message == "上海钢铁有限公司 does not take prepayment online."
    PaymentSetup.objects.create(company=cast.company_a, method="bank_transfer", bank_name="工商银行")
    order = checkout(shop, cast.company_a, choice="prepay")
    assert (order.status, order.payment_mode, order.payment_status, order.credit_status) == (
        "awaiting_payment", "prepay", "pending", "prepaid",
    )  # fmt: skip
    assert order.submitted_at is None
    assert OutboxEvent.objects.filter(topic="order.submitted").count() == 0
