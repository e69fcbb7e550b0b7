"""Price resolution: customer price > customer group price > list price, quantity breaks, validity days in the
company's time zone, the list's currency, rounding half up, one query for a whole cart."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from catalog.pricing.models import CustomerGroup, CustomerGroupMember, PriceList, PriceListKind, PriceListLine
from catalog.pricing.selectors import PriceQuote, resolve_price, resolve_prices_many
from tests.factories import PartnerFactory
from tests.factories.catalog import ItemFactory, UnitFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 4, 1)


@pytest.fixture
def prices(cast):
    """Price lists of company A: the list price, a group "DIST" with customer C in it, and C's own list."""

    def price_list(code, kind=PriceListKind.LIST, company=None, currency="CNY", **fields):
        return PriceList.objects.create(
            company=company or cast.company_a, code=code, name=code, currency=currency, kind=kind, **fields
        )

    def group(code, *members, company=None):
        created = CustomerGroup.objects.create(company=company or cast.company_a, code=code, name=code)
        for partner in members:
            CustomerGroupMember.objects.create(group=created, partner=partner)
        return created

    def line(price_list, item, unit_price, min_quantity="0", unit=None, **fields):
        return PriceListLine.objects.create(
            price_list=price_list,
            item=item,
            unit=unit or item.base_unit,
            unit_price=Decimal(unit_price),
            min_quantity=Decimal(min_quantity),
            **fields,
        )

    dist = group("DIST", cast.customer_c)
    return type(
        "Prices",
        (),
        {
            "price_list": staticmethod(price_list),
            "group": staticmethod(group),
            "line": staticmethod(line),
            "list": price_list("LIST"),
            "dist": dist,
            "dist_list": price_list("DIST", kind=PriceListKind.GROUP, customer_group=dist),
            "own": price_list("C-OWN", kind=PriceListKind.CUSTOMER, customer=cast.customer_c),
        },
    )


def quote(cast, item, quantity="1", customer=None, company=None, on=DAY, **kwargs):
    return resolve_price(
        customer=cast.customer_c if customer is None else customer,
        company=company or cast.company_a,
        item=item,
        quantity=Decimal(quantity),
        on=on,
        **kwargs,
    )


def test_customer_price_wins_over_group_and_list(cast, prices):
    item = ItemFactory()
    prices.line(prices.list, item, "100.0000")
    prices.line(prices.dist_list, item, "90.0000")
    prices.line(prices.own, item, "95.0000")  # higher than the group's, and still the customer's price

    result = quote(cast, item, "2")

    assert result == PriceQuote(
        unit_price=Decimal("95.0000"),
        currency="CNY",
        tax_rate=Decimal("13.00"),
        gross_unit_price=Decimal("107.3500"),
        price_list_code="C-OWN",
        price_list_kind="customer",
        min_quantity=Decimal("0.0000"),
        quantity=Decimal("2"),
        unit_id=item.base_unit_id,
        net_amount=Decimal("190.00"),
        tax_amount=Decimal("24.70"),
        gross_amount=Decimal("214.70"),
        price_list_id=prices.own.pk,
        line_id=result.line_id,
    )


def test_group_price_wins_over_list_price(cast, prices):
    item = ItemFactory()
    prices.line(prices.list, item, "100")
    prices.line(prices.dist_list, item, "90")

    result = quote(cast, item)

    assert (result.price_list_code, result.price_list_kind, result.unit_price) == ("DIST", "group", Decimal("90"))


def test_a_customer_list_without_the_item_falls_through_to_the_group_then_the_list(cast, prices):
    in_group, only_listed, other = ItemFactory(), ItemFactory(), ItemFactory()
    prices.line(prices.own, other, "1")
    prices.line(prices.dist_list, in_group, "80")
    prices.line(prices.list, in_group, "100")
    prices.line(prices.list, only_listed, "50")

    assert quote(cast, in_group).price_list_code == "DIST"
    assert quote(cast, only_listed).price_list_code == "LIST"


def test_no_line_anywhere_is_no_price(cast, prices):
    assert quote(cast, ItemFactory()) is None


def test_a_customer_outside_the_group_gets_the_list_price(cast, prices):
    item = ItemFactory()
    prices.line(prices.list, item, "100")
    prices.line(prices.dist_list, item, "90")
    prices.line(prices.own, item, "80")
    stranger = PartnerFactory(is_customer=True)

    assert quote(cast, item, customer=stranger).price_list_code == "LIST"
    assert resolve_price(customer=None, company=cast.company_a, item=item, quantity=1, on=DAY).price_list_code == (
        "LIST"
    )


def test_of_two_groups_the_lower_price_applies(cast, prices):
    item = ItemFactory()
    key = prices.group("KEY", cast.customer_c)
    key_list = prices.price_list("KEY", kind=PriceListKind.GROUP, customer_group=key)
    prices.line(prices.dist_list, item, "90.0000")
    prices.line(key_list, item, "85.5000")
    prices.line(prices.list, item, "100")

    result = quote(cast, item)

    assert (result.price_list_code, result.unit_price) == ("KEY", Decimal("85.5000"))


@pytest.mark.parametrize(
    ("quantity", "unit_price", "min_quantity"),
    [
        ("1", "100.0000", "0.0000"),
        ("9.9999", "100.0000", "0.0000"),
        ("10", "95.0000", "10.0000"),  # at the break
        ("99", "95.0000", "10.0000"),
        ("100", "90.0000", "100.0000"),
        ("5000", "90.0000", "100.0000"),
    ],
)
def test_quantity_breaks(cast, prices, quantity, unit_price, min_quantity):
    item = ItemFactory()
    prices.line(prices.list, item, "100", min_quantity="0")
    prices.line(prices.list, item, "95", min_quantity="10")
    prices.line(prices.list, item, "90", min_quantity="100")

    result = quote(cast, item, quantity)

    assert (result.unit_price, result.min_quantity) == (Decimal(unit_price), Decimal(min_quantity))


def test_a_break_the_quantity_does_not_reach_falls_through_to_the_next_level(cast, prices):
    item = ItemFactory()
    prices.line(prices.own, item, "80", min_quantity="100")
    prices.line(prices.list, item, "100")

    assert quote(cast, item, "99").price_list_code == "LIST"
    assert quote(cast, item, "100").price_list_code == "C-OWN"


def test_lines_in_another_unit_do_not_apply(cast, prices):
    item = ItemFactory()
    box = UnitFactory(code="box", name="箱", name_en="box")
    prices.line(prices.list, item, "100")
    prices.line(prices.own, item, "900", unit=box)

    assert quote(cast, item).price_list_code == "LIST"
    result = quote(cast, item, "2", unit=box)
    assert (result.price_list_code, result.unit_id, result.net_amount) == ("C-OWN", box.pk, Decimal("1800.00"))


@pytest.mark.parametrize(
    ("on", "priced"),
    [
        (date(2026, 3, 31), False),  # the day before valid_from
        (date(2026, 4, 1), True),  # valid_from itself
        (date(2026, 4, 30), True),  # valid_until itself (inclusive)
        (date(2026, 5, 1), False),  # the day after
    ],
)
@pytest.mark.parametrize("on_the", ["list", "line"])
def test_validity_days_are_inclusive(cast, prices, on, priced, on_the):
    item = ItemFactory()
    window = {"valid_from": date(2026, 4, 1), "valid_until": date(2026, 4, 30)}
    if on_the == "list":
        spring = prices.price_list("SPRING", **window)
        prices.line(spring, item, "100")
    else:
        prices.line(prices.list, item, "100", **window)

    assert (quote(cast, item, on=on) is not None) is priced


def test_an_inactive_list_does_not_apply(cast, prices):
    item = ItemFactory()
    prices.line(prices.own, item, "80")
    prices.line(prices.list, item, "100")
    PriceList.objects.filter(pk=prices.own.pk).update(is_active=False)

    assert quote(cast, item).price_list_code == "LIST"
    PriceList.objects.filter(pk=prices.list.pk).update(is_active=False)
    assert quote(cast, item) is None


def test_a_line_valid_from_a_later_day_replaces_the_open_one_at_the_same_break(cast, prices):
    item = ItemFactory()
    prices.line(prices.list, item, "100")
    prices.line(prices.list, item, "110", valid_from=date(2026, 4, 1))

    assert quote(cast, item, on=date(2026, 3, 31)).unit_price == Decimal("100")
    assert quote(cast, item, on=date(2026, 4, 1)).unit_price == Decimal("110")


@pytest.mark.parametrize(
    ("now", "priced"),
    [
        (datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC), False),  # 23:59:59 on 31 March in Shanghai
        (datetime(2026, 3, 31, 16, 0, 0, tzinfo=UTC), True),  # 00:00 on 1 April in Shanghai, still 31 March in UTC
        (datetime(2026, 4, 30, 15, 59, 59, tzinfo=UTC), True),  # 23:59:59 on 30 April in Shanghai
        (datetime(2026, 4, 30, 16, 0, 0, tzinfo=UTC), False),  # 00:00 on 1 May in Shanghai
    ],
)
def test_today_is_the_company_s_calendar_day(cast, prices, now, priced):
    item = ItemFactory()
    spring = prices.price_list("SPRING", valid_from=date(2026, 4, 1), valid_until=date(2026, 4, 30))
    prices.line(spring, item, "100")

    with time_machine.travel(now, tick=False):
        result = resolve_price(customer=cast.customer_c, company=cast.company_a, item=item, quantity=1)

    assert (result is not None) is priced


def test_the_currency_comes_from_the_list(cast, prices):
    item = ItemFactory()
    export = prices.price_list("EXPORT-C", kind=PriceListKind.CUSTOMER, customer=cast.customer_c, currency="USD")
    prices.line(export, item, "12.5000")
    prices.line(prices.list, item, "100")

    result = quote(cast, item, "3")

    assert (result.currency, result.unit_price, result.net_amount) == ("USD", Decimal("12.5000"), Decimal("37.50"))


@pytest.mark.parametrize(
    ("unit_price", "tax_rate", "quantity", "gross_unit_price", "net_amount", "tax_amount", "gross_amount"),
    [
        # 0.0050 × 1.13 = 0.00565: half up to 0.0057 (half even would give 0.0056); 5 × 0.0050 = 0.025 → 0.03
        ("0.0050", "13.00", "5", "0.0057", "0.03", "0.00", "0.03"),
        # 0.0010 × 1.05 = 0.00105 → 0.0011; 1 × 0.0010 = 0.001 → 0.00
        ("0.0010", "5.00", "1", "0.0011", "0.00", "0.00", "0.00"),
        # 12.3450 × 1.13 = 13.94985 → 13.9499; 3 × 12.345 = 37.035 → 37.04; 37.04 × 0.13 = 4.8152 → 4.82
        ("12.3450", "13.00", "3", "13.9499", "37.04", "4.82", "41.86"),
        # 0.5 × 2.5 = 1.25; tax 1.25 × 0.09 = 0.1125 → 0.11
        ("0.5000", "9.00", "2.5", "0.5450", "1.25", "0.11", "1.36"),
        # tax 6%: 10.0250 × 1.06 = 10.6265 exactly; 7 × 10.025 = 70.175 → 70.18; 70.18 × 0.06 = 4.2108 → 4.21
        ("10.0250", "6.00", "7", "10.6265", "70.18", "4.21", "74.39"),
        # no tax
        ("1.0000", "0.00", "1", "1.0000", "1.00", "0.00", "1.00"),
    ],
)
def test_gross_price_and_amounts_round_half_up(
    cast, prices, unit_price, tax_rate, quantity, gross_unit_price, net_amount, tax_amount, gross_amount
):
    item = ItemFactory()
    prices.line(prices.list, item, unit_price, tax_rate=Decimal(tax_rate))

    result = quote(cast, item, quantity)

    assert (result.gross_unit_price, result.net_amount, result.tax_amount, result.gross_amount) == (
        Decimal(gross_unit_price),
        Decimal(net_amount),
        Decimal(tax_amount),
        Decimal(gross_amount),
    )


def test_another_company_s_lists_never_apply(cast, prices):
    item = ItemFactory()
    b_group = prices.group("DIST", cast.customer_c, company=cast.company_b)
    b_list = prices.price_list("LIST", company=cast.company_b)
    b_group_list = prices.price_list("DIST", company=cast.company_b, kind=PriceListKind.GROUP, customer_group=b_group)
    b_own = prices.price_list("C-OWN", company=cast.company_b, kind=PriceListKind.CUSTOMER, customer=cast.customer_c)
    for price_list in (b_list, b_group_list, b_own):
        prices.line(price_list, item, "1")

    assert quote(cast, item) is None
    prices.line(prices.list, item, "100")
    result = quote(cast, item)
    assert (result.price_list_id, result.unit_price) == (prices.list.pk, Decimal("100"))
    # … and company B's customer price is B's
    assert quote(cast, item, company=cast.company_b).price_list_id == b_own.pk


def test_company_a_s_group_does_not_price_at_company_b(cast, prices):
    """Customer C is in company A's group DIST; company B's group list for another group does not apply."""
    item = ItemFactory()
    b_group = prices.group("KEY", company=cast.company_b)
    b_group_list = prices.price_list("KEY", company=cast.company_b, kind=PriceListKind.GROUP, customer_group=b_group)
    prices.line(b_group_list, item, "1")
    prices.line(prices.dist_list, item, "90")

    assert quote(cast, item, company=cast.company_b) is None


def _mixed_cart(cast, prices, size):
    """`size` items priced at every level, with breaks, validity windows, another unit, and unpriced items."""
    box = UnitFactory(code="box", name="箱", name_en="box")
    spring = prices.price_list("SPRING", valid_from=date(2026, 4, 1), valid_until=date(2026, 4, 30))
    key = prices.group("KEY", cast.customer_c)
    key_list = prices.price_list("KEY", kind=PriceListKind.GROUP, customer_group=key)
    entries = []
    for index in range(size):
        item = ItemFactory()
        kind = index % 7
        quantity = Decimal(index % 4 * 50 + 1)
        unit = None
        if kind == 0:
            prices.line(prices.own, item, "80")
            prices.line(prices.list, item, "100")
        elif kind == 1:
            prices.line(prices.own, item, "80", min_quantity="100")
            prices.line(prices.dist_list, item, "90")
            prices.line(key_list, item, "88.8800")
        elif kind == 2:
            prices.line(prices.list, item, "100")
            prices.line(prices.list, item, "95", min_quantity="50")
            prices.line(prices.list, item, "90.1234", min_quantity="100", valid_until=date(2026, 3, 31))
        elif kind == 3:
            prices.line(spring, item, "70")
        elif kind == 4:
            prices.line(prices.list, item, "100")
            prices.line(prices.own, item, "900", unit=box)
            unit = box if index % 2 else None
        elif kind == 5:
            pass  # no price: request a quote
        else:
            prices.line(prices.dist_list, item, "0.0050", tax_rate=Decimal("13"))
        entries.append((item, quantity, unit))
    return entries


@pytest.mark.parametrize("size", [2, 50])
def test_many_equals_one_by_one_in_one_query(cast, prices, django_assert_num_queries, size):
    entries = _mixed_cart(cast, prices, size)

    # One query: the lines of the company's valid lists for these items, with their lists joined and the
    # customer's groups as a subquery; the same for 2 items and for 50.
    with django_assert_num_queries(1):
        many = resolve_prices_many(
            customer=cast.customer_c, company=cast.company_a, items_with_quantities=entries, on=DAY
        )

    one_by_one = {
        item.pk: resolve_price(
            customer=cast.customer_c, company=cast.company_a, item=item, quantity=quantity, unit=unit, on=DAY
        )
        for item, quantity, unit in entries
    }
    assert many == one_by_one
    assert list(many) == [item.pk for item, _quantity, _unit in entries]
    if size == 50:
        kinds = {quote.price_list_kind if quote else None for quote in many.values()}
        assert kinds == {"customer", "group", "list", None}


def test_a_mixed_cart_resolves_each_line_by_the_strategy(cast, prices):
    entries = _mixed_cart(cast, prices, 16)

    many = resolve_prices_many(customer=cast.customer_c, company=cast.company_a, items_with_quantities=entries, on=DAY)

    summary = [
        (quote.price_list_code, quote.unit_price, quote.min_quantity) if quote else None for quote in many.values()
    ]
    assert [quantity for _item, quantity, _unit in entries] == [Decimal(n) for n in (1, 51, 101, 151) * 4]
    assert summary == [
        ("C-OWN", Decimal("80.0000"), Decimal("0.0000")),  # 0 (customer, qty 1)
        ("KEY", Decimal("88.8800"), Decimal("0.0000")),  # 1 (qty 51 below the customer's break): the lower group
        ("LIST", Decimal("95.0000"), Decimal("50.0000")),  # 2 (qty 101): the break from 100 ended the day before
        ("SPRING", Decimal("70.0000"), Decimal("0.0000")),  # 3: a list valid in April
        ("LIST", Decimal("100.0000"), Decimal("0.0000")),  # 4: in the base unit the customer line (per box) is no use
        None,  # 5: no price, request a quote
        ("DIST", Decimal("0.0050"), Decimal("0.0000")),  # 6
        ("C-OWN", Decimal("80.0000"), Decimal("0.0000")),  # 7 (as 0)
        ("KEY", Decimal("88.8800"), Decimal("0.0000")),  # 8 (as 1, qty 1)
        ("LIST", Decimal("95.0000"), Decimal("50.0000")),  # 9 (as 2, qty 51)
        ("SPRING", Decimal("70.0000"), Decimal("0.0000")),  # 10 (as 3)
        ("C-OWN", Decimal("900.0000"), Decimal("0.0000")),  # 11 (as 4, odd index): per box
        None,  # 12 (as 5)
        ("DIST", Decimal("0.0050"), Decimal("0.0000")),  # 13 (as 6)
        ("C-OWN", Decimal("80.0000"), Decimal("0.0000")),  # 14 (as 0, qty 101)
        ("C-OWN", Decimal("80.0000"), Decimal("100.0000")),  # 15 (as 1, qty 151 reaches the customer's break)
    ]


def test_an_empty_cart_needs_no_query(cast, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert resolve_prices_many(customer=cast.customer_c, company=cast.company_a, items_with_quantities=[]) == {}


@pytest.mark.parametrize(
    ("fields", "valid"),
    [
        ({"kind": PriceListKind.LIST}, True),
        ({"kind": PriceListKind.LIST, "with_customer": True}, False),
        ({"kind": PriceListKind.GROUP}, False),
        ({"kind": PriceListKind.GROUP, "with_group": True}, True),
        ({"kind": PriceListKind.GROUP, "with_group": True, "with_customer": True}, False),
        ({"kind": PriceListKind.CUSTOMER}, False),
        ({"kind": PriceListKind.CUSTOMER, "with_customer": True}, True),
        ({"kind": PriceListKind.CUSTOMER, "with_group": True}, False),
    ],
)
def test_the_database_holds_kind_and_target_together(cast, prices, fields, valid):
    fields = dict(fields)
    target = {}
    if fields.pop("with_group", False):
        target["customer_group"] = prices.dist
    if fields.pop("with_customer", False):
        target["customer"] = cast.customer_c
    before = PriceList.objects.count()

    if valid:
        prices.price_list("NEW", **fields, **target)
        assert PriceList.objects.count() == before + 1
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            prices.price_list("NEW", **fields, **target)
        assert PriceList.objects.count() == before


def test_the_same_break_twice_in_a_list_is_refused(cast, prices):
    item = ItemFactory()
    prices.line(prices.list, item, "100")

    with pytest.raises(IntegrityError), transaction.atomic():
        prices.line(prices.list, item, "99")
    assert PriceListLine.objects.filter(item=item).count() == 1


def test_a_line_without_unit_takes_the_item_s_base_unit_on_clean(cast, prices):
    item = ItemFactory()
    line = PriceListLine(price_list=prices.list, item=item, unit_price=Decimal("1"))

    line.full_clean()

    assert line.unit_id == item.base_unit_id
