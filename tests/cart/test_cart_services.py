from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import override

from catalog.models import ItemStatus
from portal.core.errors import DomainError
from portal.organisations.models import PartnerStatus
from selfservice.cart.models import Cart, CartLine
from selfservice.cart.services import cart_add, cart_clear, cart_for, cart_line_remove, cart_line_update, parse_quantity

pytestmark = pytest.mark.django_db


def add(shop, cast, quantity, *, item=None, user=None, company=None, **extra):
    return cart_add(
        actor=user or shop.sales,
        partner=shop.customer,
        company=company or cast.company_a,
        item=item or shop.plate,
        quantity=quantity,
        **extra,
    )


def refusal(call):
    with override("en"), pytest.raises(DomainError) as error:
        call()
    return error.value.message


@pytest.mark.parametrize("quantity", ["5", "5.5", "20", "5.0000"])
def test_the_minimum_and_multiples_of_the_sales_unit_are_accepted(shop, cast, quantity):
    line = add(shop, cast, quantity)
    assert line.quantity == Decimal(quantity)
    assert line.unit == shop.units["t"]


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("4.5", "Order at least 5 t."),
        ("4.9999", "Order at least 5 t."),
        ("5.25", "Order in multiples of 0.5 t."),
        ("5.0001", "Order in multiples of 0.5 t."),
        ("0", "Enter a quantity above zero."),
        ("-5", "Enter a quantity above zero."),
        ("abc", "Enter the quantity as a number, e.g. 12.5."),
        ("5.00001", "Enter the quantity with at most 4 decimals."),
        ("NaN", "Enter a quantity above zero."),
    ],
)
def test_quantities_below_the_minimum_or_off_the_multiple_are_refused(shop, cast, quantity, message):
    assert refusal(lambda: add(shop, cast, quantity)) == message
    assert CartLine.objects.count() == 0


def test_adding_again_adds_to_the_same_line(shop, cast):
    first = add(shop, cast, "5")
    second = add(shop, cast, "2.5", note="切边")
    assert second.pk == first.pk
    assert CartLine.objects.get().quantity == Decimal("7.5")
    assert CartLine.objects.get().note == "切边"
    # the same item sold by another company is its own line
    add(shop, cast, "3", item=shop.pipe)
    add(shop, cast, "3", item=shop.pipe, company=cast.company_b)
    assert CartLine.objects.count() == 3


def test_one_cart_per_person_and_customer(shop, cast):
    add(shop, cast, "5")
    add(shop, cast, "5", user=shop.admin)
    assert Cart.objects.filter(customer=shop.customer).count() == 2
    assert cart_for(shop.sales, shop.customer) == cart_for(shop.sales, shop.customer)


def test_items_not_for_sale_are_refused(shop, cast):
    shop.plate.is_sellable = False
    shop.plate.save(update_fields=["is_sellable"])
    assert refusal(lambda: add(shop, cast, "5")) == "PL-Q235-10 is not for sale."
    shop.pipe.status = ItemStatus.BLOCKED
    shop.pipe.save(update_fields=["status"])
    assert refusal(lambda: add(shop, cast, "1", item=shop.pipe)) == "PIPE-50 is not for sale."
    assert CartLine.objects.count() == 0


def test_a_company_without_an_active_account_is_refused(shop, cast):
    shop.account_b.is_active = False
    shop.account_b.save(update_fields=["is_active"])
    assert refusal(lambda: add(shop, cast, "1", item=shop.pipe, company=cast.company_b)) == (
        "You have no customer account at 武汉机械有限公司."
    )
    assert CartLine.objects.count() == 0


def test_an_item_without_a_price_is_refused(shop, cast):
    assert refusal(lambda: add(shop, cast, "5", company=cast.company_b)) == (
        "武汉机械有限公司 has no price for PL-Q235-10 for you: request a quote."
    )


def test_another_unit_and_a_past_date_are_refused(shop, cast):
    assert refusal(lambda: add(shop, cast, "5", unit=shop.units["kg"])) == "Order PL-Q235-10 in t."
    yesterday = timezone.localdate() - timedelta(days=2)
    assert refusal(lambda: add(shop, cast, "5", requested_date=yesterday)) == (
        "The requested delivery date cannot be in the past."
    )
    assert CartLine.objects.count() == 0


def test_only_admin_and_sales_people_of_an_approved_customer_order(shop, cast):
    with pytest.raises(PermissionDenied):
        add(shop, cast, "5", user=shop.finance)
    with pytest.raises(PermissionDenied):
        add(shop, cast, "5", user=shop.customer_d_admin)
    with pytest.raises(PermissionDenied):
        add(shop, cast, "5", user=cast.sales)
    shop.customer.status = PartnerStatus.PENDING
    shop.customer.save(update_fields=["status"])
    assert refusal(lambda: add(shop, cast, "5")) == "Only approved customers can order."
    assert CartLine.objects.count() == 0


def test_update_remove_and_clear_check_the_rules_and_the_owner(shop, cast):
    line = add(shop, cast, "5")
    day = timezone.localdate() + timedelta(days=30)
    line = cart_line_update(actor=shop.sales, line=line, quantity="20", requested_date=day, note=" 加急 ")
    line.refresh_from_db()
    assert (line.quantity, line.requested_date, line.note) == (Decimal("20"), day, "加急")
    assert refusal(lambda: cart_line_update(actor=shop.sales, line=line, quantity="4")) == "Order at least 5 t."
    with pytest.raises(PermissionDenied):
        cart_line_update(actor=shop.admin, line=line, quantity="6")
    with pytest.raises(PermissionDenied):
        cart_line_remove(actor=shop.customer_d_admin, line=line)
    line.refresh_from_db()
    assert line.quantity == Decimal("20")
    cart_line_remove(actor=shop.sales, line=line)
    assert CartLine.objects.count() == 0
    add(shop, cast, "5")
    add(shop, cast, "2", item=shop.pipe)
    with pytest.raises(PermissionDenied):
        cart_clear(actor=shop.admin, cart=cart_for(shop.sales, shop.customer))
    assert cart_clear(actor=shop.sales, cart=cart_for(shop.sales, shop.customer)) == 2
    assert CartLine.objects.count() == 0


@pytest.mark.parametrize(("text", "value"), [("1,5", "1.5"), ("１２", "12"), (" 3 ", "3"), ("2．5", "2.5")])
def test_quantities_are_read_leniently(text, value):
    assert parse_quantity(text) == Decimal(value)
