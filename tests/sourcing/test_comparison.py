"""The comparison matrix: the comparable basis (unit, currency, deductible VAT), lowest marks, totals, incomplete
suppliers, lateness, savings, the weighted score with a worked example, constant queries; the page and its
exports, and who may see them."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from catalog.models import ItemUnitConversion
from portal.organisations.models import ExchangeRate
from rfq.sourcing.comparison import comparison_matrix
from rfq.sourcing.models import BidStatus, BidSubmission, RoundStatus
from tests.factories import PartnerFactory
from tests.factories.catalog import ItemFactory, UnitFactory
from tests.sourcing.comparison_data import OPENED_AT, kg, open_round, opened_rfq, place_bid, tonne, worked_example

pytestmark = pytest.mark.django_db

D = Decimal


def test_comparable_basis_unit_currency_and_vat(cast):
    rfq, round, invitations, supplier_c = worked_example(cast)
    matrix = comparison_matrix(rfq)
    assert (matrix.rate.rate, matrix.rate.valid_on, matrix.rate.source) == (D("7"), date(2026, 3, 1), "company")
    assert matrix.opening_day == date(2026, 3, 2)
    plate, machining = matrix.lines
    a = plate.offers[invitations[cast.supplier_a].pk]
    b = plate.offers[invitations[cast.supplier_b].pk]
    # special VAT invoice: deductible, the cost is the net price; per kg: 1000 / 1000
    assert (a["vat_deductible"], a["cost"], a["base_unit_cost"], a["base_unit_cost_company"]) == (
        True,
        D("1000"),
        D("1.0000"),
        D("7.0000"),
    )
    assert (a["amount"], a["amount_company"]) == (D("2000.00"), D("14000.00"))
    # general invoice at 3%: the VAT is a cost
    assert (b["vat_deductible"], b["cost"], b["base_unit_cost"], b["base_unit_cost_company"]) == (
        False,
        D("927.00"),
        D("0.9270"),
        D("6.4890"),
    )
    assert (b["amount"], b["amount_company"]) == (D("1854.00"), D("12978.00"))
    assert (plate.base_unit.code, plate.base_quantity) == ("kg", D("2000"))
    # free text: as quoted (per the line's unit)
    a2 = machining.offers[invitations[cast.supplier_a].pk]
    assert machining.base_unit is None
    assert (a2["cost"], a2["base_unit_cost"], a2["amount"], a2["amount_company"]) == (
        D("42.40"),
        D("42.4000"),
        D("424.00"),
        D("2968.00"),
    )


def test_item_conversion_across_dimensions(cast):
    plate = ItemFactory(code="PLATE-PCS", base_unit=kg())
    pieces = UnitFactory(code="pcs", name="件", name_en="piece", dimension="count", factor=D("1"))
    ItemUnitConversion.objects.create(item=plate, unit=pieces, factor=D("25"))
    rfq, round, invitations = opened_rfq(
        cast,
        lines=[{"item": plate, "quantity": D("4"), "unit": pieces}],
        bids={cast.supplier_a: {1: {"unit_price": D("100")}}},
    )
    row = comparison_matrix(rfq).lines[0]
    offer = row.offers[invitations[cast.supplier_a].pk]
    assert (row.base_quantity, offer["base_unit_cost"], offer["base_unit_cost_company"], offer["amount"]) == (
        D("100"),
        D("4.0000"),
        D("4.0000"),  # the RFQ is in the company's currency: no rate needed
        D("400.00"),
    )
    assert (comparison_matrix(rfq).rate.source, comparison_matrix(rfq).rate.rate) == ("same", D("1"))


def test_group_rate_when_the_company_has_none_and_a_flag_when_no_rate(cast):
    rfq, *_rest = worked_example(cast, rate=False)
    matrix = comparison_matrix(rfq)
    assert (matrix.rate.source, matrix.rate.rate, matrix.rate.is_missing) == ("missing", None, True)
    plate = matrix.lines[0]
    assert [cell["amount_company"] if cell else "-" for cell in plate.cells] == [None, None, None]
    # the RFQ currency figures and the ranking do not need the rate
    assert [(column.total, column.total_company, column.rank) for column in matrix.suppliers] == [
        (D("2424.00"), None, 1),
        (D("2304.00"), None, 2),
        (None, None, None),
    ]
    ExchangeRate.objects.create(company=None, base="USD", quote="CNY", valid_on=date(2026, 2, 27), rate=D("7.1"))
    matrix = comparison_matrix(rfq)
    assert (matrix.rate.source, matrix.rate.rate, matrix.rate.valid_on) == ("group", D("7.1"), date(2026, 2, 27))
    assert matrix.suppliers[0].total_company == D("17210.40")  # 2000 × 7.1 + 424 × 7.1


def test_lowest_totals_incomplete_late_and_alternatives(cast):
    rfq, round, invitations, supplier_c = worked_example(cast)
    matrix = comparison_matrix(rfq)
    a, b, c = (invitations[partner].pk for partner in (cast.supplier_a, cast.supplier_b, supplier_c))
    # columns: ranked suppliers first, then the incomplete one
    assert [column.invitation.pk for column in matrix.suppliers] == [a, b, c]
    plate, machining = matrix.lines
    assert [(cell["is_lowest"], cell["is_late"]) for cell in plate.cells] == [
        (False, False),
        (True, True),
        (False, False),
    ]
    assert [(cell["is_lowest"], cell["is_late"]) if cell else None for cell in machining.cells] == [
        (True, True),
        (False, False),
        None,
    ]
    # the alternative is a sub-row: never the lowest, not in totals
    assert [cell["unit_price"] if cell else None for cell in plate.alternative_cells] == [None, None, D("880")]
    assert plate.alternatives[c]["is_lowest"] is False
    summary = [
        (column.quoted_lines, column.is_complete, column.total, column.total_company, column.late_lines)
        for column in matrix.suppliers
    ]
    assert summary == [
        (2, True, D("2424.00"), D("16968.00"), 1),
        (2, True, D("2304.00"), D("16128.00"), 1),
        (1, False, None, None, 0),
    ]


def test_savings_against_last_and_target_price(cast):
    rfq, *_rest = worked_example(cast)
    matrix = comparison_matrix(rfq)
    plate, machining = matrix.lines
    assert (plate.savings_last, plate.savings_last_company, plate.savings_last_percent) == (
        D("346.00"),
        D("2422.00"),
        D("15.7"),
    )
    assert (plate.savings_target, plate.savings_target_company, plate.savings_target_percent) == (
        D("46.00"),
        D("322.00"),
        D("2.4"),
    )
    assert (machining.savings_last, machining.savings_last_percent, machining.savings_target) == (
        D("76.00"),
        D("15.2"),
        None,
    )
    last, target = matrix.savings_last, matrix.savings_target
    assert (last.lines, last.reference_value, last.amount, last.amount_company, last.percent) == (
        2,
        D("2700.00"),
        D("422.00"),
        D("2954.00"),
        D("15.6"),
    )
    assert (target.lines, target.amount, target.amount_company, target.percent) == (
        1,
        D("46.00"),
        D("322.00"),
        D("2.4"),
    )


def test_weighted_scores_worked_example(cast):
    """Weights 70/20/10. Complete totals: A 2424, B 2304 → price A = 100 × 2304 / 2424 = 95.05, B 100. Average lead
    times: A (10 + 7) / 2 = 8.5, B (30 + 5) / 2 = 17.5 → delivery A 100, B 100 × 8.5 / 17.5 = 48.57. Quality: A
    approved 100, B conditional 70. Weighted: A 0.7 × 95.0495 + 20 + 10 = 96.53; B 70 + 0.2 × 48.571 + 7 = 86.71."""
    rfq, round, invitations, supplier_c = worked_example(cast)
    matrix = comparison_matrix(rfq)
    scores = [
        (column.score_price, column.score_delivery, column.score_quality, column.score, column.rank)
        for column in matrix.suppliers
    ]
    assert scores == [
        (D("95.05"), D("100.00"), D("100"), D("96.53"), 1),
        (D("100.00"), D("48.57"), D("70"), D("86.71"), 2),
        (None, None, D("100"), None, None),
    ]
    # per line (the award's "best score"): line 1 lowest 927, shortest 10 d → A 94.89, B 83.67, C 98.31 (best)
    plate, machining = matrix.lines
    assert [cell["score"] for cell in plate.cells] == [D("94.89"), D("83.67"), D("98.31")]
    assert plate.best_invitation_ids == {invitations[supplier_c].pk}
    # line 2: lowest 42.40 (A), shortest 5 d (B) → A 70 + 20 × 5/7 + 10 = 94.29, B 0.7 × 100 × 42.4/45 + 20 + 7 = 92.96
    assert [cell["score"] if cell else None for cell in machining.cells] == [D("94.29"), D("92.96"), None]
    assert machining.best_invitation_ids == {invitations[cast.supplier_a].pk}
    # other weights change the ranking: price only
    rfq.weight_price, rfq.weight_delivery, rfq.weight_quality = 100, 0, 0
    assert [(column.score, column.rank) for column in comparison_matrix(rfq).suppliers[:2]] == [
        (D("100.00"), 1),
        (D("95.05"), 2),
    ]


def test_only_current_submissions_and_no_withdrawn_bids(cast):
    rfq, round, invitations, supplier_c = worked_example(cast)
    a = invitations[cast.supplier_a]
    plate, machining = rfq.lines.order_by("position")
    # A revised its bid: version 2 is current, version 1 is not compared
    place_bid(round, a, {plate: {"unit_price": D("800")}, machining: {"unit_price": D("40")}}, version=2)
    # C withdrew
    invitations[supplier_c].bids.update(status=BidStatus.WITHDRAWN)
    matrix = comparison_matrix(rfq)
    assert [column.supplier for column in matrix.suppliers] == [cast.supplier_a, cast.supplier_b]
    assert matrix.lines[0].offers[a.pk]["unit_price"] == D("800.0000")
    assert BidSubmission.objects.filter(bid__invitation=a).count() == 2


def _build(cast, suppliers: int, lines: int, *, in_pieces: bool = False):
    """Lines of plates (base unit kg) quoted per t, or per piece (an item conversion) with `in_pieces`."""
    line_fields = []
    for _number in range(lines):
        plate = ItemFactory(base_unit=kg())
        unit = tonne()
        if in_pieces:
            unit = UnitFactory(code="pcs", name="件", name_en="piece", dimension="count", factor=D("1"))
            ItemUnitConversion.objects.create(item=plate, unit=unit, factor=D("25"))
        line_fields.append({"item": plate, "unit": unit, "quantity": D("3")})
    partners = [cast.supplier_a, cast.supplier_b] + [PartnerFactory() for _ in range(suppliers - 2)]
    bids = {
        partner: {position: {"unit_price": D(100 + index + position)} for position in range(1, lines + 1)}
        for index, partner in enumerate(partners)
    }
    rfq, round, invitations = opened_rfq(cast, lines=line_fields, bids=bids, currency="USD")
    ExchangeRate.objects.get_or_create(
        company=cast.company_a, base="USD", quote="CNY", valid_on=date(2026, 3, 1), defaults={"rate": D("7")}
    )
    return rfq


def _queries(callable_):
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


def test_constant_number_of_queries(cast):
    small = _build(cast, 2, 3)
    large = _build(cast, 6, 15)
    # the opened rounds, the company's rate, the lines with their items and units, the bids with their invitations,
    # suppliers and current submissions, the offers: 5 whatever the size (t and kg need no item conversions)
    counts = [_queries(lambda rfq=rfq: comparison_matrix(rfq)) for rfq in (small, large)]
    assert counts == [5, 5]
    assert len(comparison_matrix(large).suppliers) == 6
    # lines in pieces need their items' conversions (with their units): 2 more, still whatever the size
    in_pieces = [_build(cast, 2, 3, in_pieces=True), _build(cast, 6, 15, in_pieces=True)]
    assert [_queries(lambda rfq=rfq: comparison_matrix(rfq)) for rfq in in_pieces] == [7, 7]
    assert comparison_matrix(in_pieces[1]).lines[0].base_quantity == D("75")


def test_page_queries_do_not_grow(cast, login_as):
    small, large = _build(cast, 2, 3), _build(cast, 6, 15)
    client = login_as(cast.buyer)
    client.get(reverse("sourcing_admin:comparison", kwargs={"rfq_id": small.uuid}))  # warm Wagtail's caches
    counts = []
    for rfq in (small, large):
        url = reverse("sourcing_admin:comparison", kwargs={"rfq_id": rfq.uuid})
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


# --- the page and the exports -------------------------------------------------------------------------------------


def _url(name, rfq, **query):
    url = reverse(f"sourcing_admin:{name}", kwargs={"rfq_id": rfq.uuid})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def test_page_shows_both_currencies_flags_and_scores(cast, login_as):
    rfq, *_rest = worked_example(cast)
    response = login_as(cast.buyer).get(_url("comparison", rfq), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("16,968.00", "2,424.00", "96.53", "86.71", "6.4890", "Incomplete", "1 USD = 7.00000000 CNY"):
        assert text in html, text
    assert html.count('class="cmp-best"') + html.count("cmp-best ") >= 2


def test_no_prices_before_opening(cast, login_as):
    rfq, round, *_rest = worked_example(cast)
    round.__class__.objects.filter(pk=round.pk).update(status=RoundStatus.OPEN, opened_at=None)
    for name in ("comparison", "comparison_xlsx", "comparison_pdf"):
        response = login_as(cast.buyer).get(_url(name, rfq))
        assert response.status_code == 404 if name != "comparison" else 200
        assert b"1000.00" not in response.content and b"2424" not in response.content


def test_xlsx_holds_the_page_numbers(cast, login_as):
    rfq, *_rest = worked_example(cast)
    response = login_as(cast.buyer).get(_url("comparison_xlsx", rfq), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    flat = [value for row in values for value in row if value is not None]
    for number in (D("14000.00"), D("12978.00"), D("16968.00"), D("16128.00"), D("96.53"), D("86.71")):
        assert float(number) in [float(v) for v in flat if isinstance(v, int | float)], number
    assert "Incomplete" in flat


def test_pdf_renders(cast, login_as):
    rfq, *_rest = worked_example(cast)
    response = login_as(cast.buyer).get(_url("comparison_pdf", rfq))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("who", "status"),
    [("buyer", 200), ("sourcing_manager", 200), ("group_admin", 200), ("sales", 403), ("staff_b", 404)],
)
def test_who_sees_the_comparison(cast, login_as, who, status):
    rfq, *_rest = worked_example(cast)
    for name in ("comparison", "comparison_xlsx", "comparison_pdf"):
        response = login_as(getattr(cast, who)).get(_url(name, rfq))
        assert response.status_code == status, name
        if status != 200:
            assert b"2424" not in response.content


def test_anonymous_is_sent_to_log_in(cast, client):
    rfq, *_rest = worked_example(cast)
    response = client.get(_url("comparison", rfq))
    assert response.status_code == 302


def test_earlier_rounds_stay_visible(cast, login_as):
    rfq, round, invitations, supplier_c = worked_example(cast)
    second = open_round(rfq, number=2, opened_at=OPENED_AT)
    plate, machining = rfq.lines.order_by("position")
    place_bid(
        second, invitations[cast.supplier_a], {plate: {"unit_price": D("777")}, machining: {"unit_price": D("39")}}
    )
    client = login_as(cast.buyer)
    latest = client.get(_url("comparison", rfq)).content.decode()
    first = client.get(_url("comparison", rfq, round=1)).content.decode()
    assert "777.00" in latest and "777.00" not in first
    assert "900.00" in first and "900.00" not in latest
    assert client.get(_url("comparison", rfq, round=9)).status_code == 404


def test_a_later_round_not_yet_opened_stays_sealed(cast, login_as):
    """Round 1 is opened and stays visible; round 2 takes bids: nothing of it shows, and asking for it is a 404."""
    rfq, round, invitations, supplier_c = worked_example(cast)
    second = open_round(rfq, number=2, opened_at=OPENED_AT)
    plate, machining = rfq.lines.order_by("position")
    place_bid(
        second, invitations[cast.supplier_a], {plate: {"unit_price": D("777")}, machining: {"unit_price": D("39")}}
    )
    type(second).objects.filter(pk=second.pk).update(status=RoundStatus.OPEN, opened_at=None)
    client = login_as(cast.buyer)
    page = client.get(_url("comparison", rfq)).content.decode()
    assert "777" not in page and "1000.00" in page
    assert comparison_matrix(rfq).round.number == 1
    for name in ("comparison", "comparison_xlsx", "comparison_pdf"):
        assert client.get(_url(name, rfq, round=2)).status_code == 404
