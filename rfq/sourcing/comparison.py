"""The comparison matrix of an opened round (比价): lines × suppliers on a comparable basis, read from the
`OpenedBidLine` rows that the opening wrote. Only staff of the RFQ's company reach it, and only for opened rounds.

The comparable basis of an offer (its *cost*), per the line's unit, in the RFQ's currency:
- the net unit price as quoted (suppliers quote per the line's unit, before tax);
- plus the VAT when it cannot be deducted: a special VAT invoice (增值税专用发票) lets the company deduct its input
  VAT, so the cost is the net price; a general invoice (普通发票) or no invoice does not, so the VAT is a cost:
  net × (1 + rate);
- then per the item's base unit (catalog.units: the units' factors or the item's own conversions; free-text lines
  stay as quoted) and in the company's currency (the ERP's rate, see `exchange_rate`).
A line's amount is cost × quantity, rounded half-up to cents. Totals are the sums of the rounded amounts.

Choices written down here (the issue leaves them open):
- Rate: the company's own ERP rate RFQ currency → company currency on the opening day, i.e. its latest rate dated
  on or before the day the round was opened (company time zone); else the group's reference rate by the same
  rule. The rate and its date are shown. Without any rate the matrix still renders in the RFQ currency and flags
  the company-currency figures as missing; ranking is unaffected (one rate scales every supplier alike).
- Totals and the price score are only for suppliers that quoted every line ("complete"); others are flagged
  "incomplete", keep their per-line figures, and are not ranked.
- Alternative offers are shown as a sub-row under the supplier's main offer; they take part in no lowest mark,
  total or score (they depart from what was asked for) but may be awarded with a reason.
- Scores per supplier: price = 100 × lowest complete total / supplier total; delivery = 100 × shortest average
  lead time / supplier's average lead time (averages over the supplier's main offers; a supplier averaging 0 days
  scores 100); quality from the AVL status at invitation: QUALITY_SCORES. Weighted by the RFQ's weights
  (percent, summing to 100), rounded to two decimals; rank by weighted score, then lower total.
- The same three scores per line (price and delivery measured on that line only) make a line's "best score": the
  award asks for a reason when a line goes to a supplier that is not best on it (rfq.sourcing.awards).
- Savings per line: (reference price − the line's lowest cost) × quantity against the last purchase price and the
  target price (both staff-only, in the RFQ currency per the line's unit, taken on the same cost basis); in total
  over the lines that have the reference price.

The number of SQL queries does not depend on the number of lines or suppliers (pinned by a test).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from django.db.models import F, Q, prefetch_related_objects
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.units import base_units_per
from portal.core.errors import DomainError
from portal.organisations.models import ExchangeRate
from rfq.avl.decision import company_today

from .bidding import InvoiceType
from .models import Bid, BidStatus, InvitationStatus, OpenedBidLine, Rfq, RfqLine, Round, RoundStatus

# The AVL status recorded on the invitation → quality score. A documented choice: approved suppliers are the
# reference (100), conditionally approved ones carry a known concern (70), any other status (blocked, expired, not
# approved, invited by override) scores 40.
QUALITY_SCORES = {"approved": Decimal(100), "conditional": Decimal(70)}
QUALITY_SCORE_OTHER = Decimal(40)
# the only invoice whose VAT the company deducts
VAT_SPECIAL = InvoiceType.VAT_SPECIAL
INVOICE_LABELS = dict(InvoiceType.choices)

AVL_LABELS = {
    "approved": gettext_lazy("Approved"),
    "conditional": gettext_lazy("Conditional"),
    "blocked": gettext_lazy("Blocked"),
    "expired": gettext_lazy("Expired"),
    "not_approved": gettext_lazy("Not on the AVL"),
}

OFFER_FIELDS = (
    "pk",
    "rfq_line_id",
    "submission_id",
    "is_alternative",
    "unit_price",
    "tax_rate",
    "invoice_type",
    "lead_time_days",
    "moq",
    "price_valid_until",
    "comment",
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
PRICE_PLACES = Decimal("0.0001")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def price(value: Decimal) -> Decimal:
    return value.quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


def score(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def number_text(value: Decimal | None, places: int, *, trim_to: int | None = None, sep: str = ",") -> str:
    """1234.5 → "1,234.50" (sep: the thousands separator, "" for none); with trim_to, trailing zeros beyond that many
    places go (a price of 777.0000 reads "777.00", 6.4890 reads "6.489")."""
    if value is None:
        return "—"
    text = f"{value:,.{places}f}" if sep else f"{value:.{places}f}"
    if sep and sep != ",":
        text = text.replace(",", sep)
    if trim_to is not None and places > trim_to:
        whole, _dot, fraction = text.partition(".")
        fraction = fraction.rstrip("0").ljust(trim_to, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    return text


def thousands_separator() -> str:
    """The active language's separator when it groups by three (as floatformat:"2g" does in the templates);
    none for languages that group otherwise or not at all (Chinese: 12345.00)."""
    return get_format("THOUSAND_SEPARATOR") if get_format("NUMBER_GROUPING") == 3 else ""


def quality_score(avl_status: str) -> Decimal:
    return QUALITY_SCORES.get(avl_status, QUALITY_SCORE_OTHER)


def is_vat_deductible(invoice_type: str) -> bool:
    return invoice_type == VAT_SPECIAL


def offer_cost(unit_price: Decimal, tax_rate: Decimal, invoice_type: str) -> Decimal:
    """The cost of one line unit to the company, in the RFQ currency (see the module's docstring)."""
    if is_vat_deductible(invoice_type):
        return unit_price
    return unit_price * (1 + tax_rate / HUNDRED)


@dataclass(frozen=True)
class Rate:
    """RFQ currency → company currency. `source`: "same" (no conversion), "company", "group" or "missing"."""

    base: str
    quote: str
    rate: Decimal | None
    valid_on: date | None
    source: str

    @property
    def is_missing(self) -> bool:
        return self.rate is None

    def convert(self, value: Decimal | None) -> Decimal | None:
        if value is None or self.rate is None:
            return None
        return value * self.rate


def exchange_rate(rfq: Rfq, day: date) -> Rate:
    base, quote = rfq.currency, rfq.company.currency
    if base == quote:
        return Rate(base, quote, Decimal(1), None, "same")
    rates = ExchangeRate.objects.filter(base=base, quote=quote, valid_on__lte=day).order_by("-valid_on")
    for source, condition in (("company", Q(company=rfq.company)), ("group", Q(company__isnull=True))):
        found = rates.filter(condition).only("rate", "valid_on").first()
        if found is not None:
            return Rate(base, quote, found.rate, found.valid_on, source)
    return Rate(base, quote, None, None, "missing")


class Offer(TypedDict):
    """One supplier's offer for one line (a cell of the matrix), or its alternative (a sub-row).

    A plain dict of plain values (no model instances): CPython's garbage collector does not track such dicts, and a
    page of 40 suppliers × 300 lines holds 12,000 of them; as objects they set off a full collection every few
    requests (see bench/results/comparison.md)."""

    invitation_id: int
    opened_line_id: int
    unit_price: Decimal  # as quoted: net, RFQ currency, per the line's unit
    tax_rate: Decimal
    invoice_type: str
    invoice_label: str
    vat_deductible: bool
    cost: Decimal  # unrounded, RFQ currency, per the line's unit
    base_unit_cost: Decimal  # rounded, RFQ currency, per the item's base unit (free text: per the line's unit)
    base_unit_cost_company: Decimal | None  # rounded, company currency
    amount: Decimal  # cost × quantity, RFQ currency, cents
    amount_company: Decimal | None
    lead_time_days: int
    is_late: bool
    moq: Decimal | None
    price_valid_until: date | None
    comment: str
    is_alternative: bool
    is_lowest: bool
    score_price: Decimal | None
    score_delivery: Decimal | None
    score_quality: Decimal | None
    score: Decimal | None  # the weighted score on this line (main offers)
    is_best: bool


@dataclass
class LineRow:
    line: RfqLine
    base_unit: Any  # UnitOfMeasure or None (free text, or no conversion)
    base_quantity: Decimal | None
    conversion_missing: bool
    per_base: Decimal | None = None  # base units per line unit
    slack_days: int | None = None  # days from the opening day to the need-by date
    offers: dict[int, Offer] = field(default_factory=dict)  # invitation id → main offer
    alternatives: dict[int, Offer] = field(default_factory=dict)  # invitation id → alternative offer
    cells: list[Offer | None] = field(default_factory=list)  # in the matrix's supplier order
    alternative_cells: list[Offer | None] = field(default_factory=list)
    lowest_cost: Decimal | None = None
    best_invitation_ids: frozenset[int] = frozenset()
    savings_last: Decimal | None = None
    savings_last_company: Decimal | None = None
    savings_last_percent: Decimal | None = None
    savings_target: Decimal | None = None
    savings_target_company: Decimal | None = None
    savings_target_percent: Decimal | None = None

    @property
    def has_alternatives(self) -> bool:
        return bool(self.alternatives)


@dataclass
class SupplierColumn:
    invitation: Any
    submission: Any
    quoted_lines: int = 0
    is_complete: bool = False
    total: Decimal | None = None
    total_company: Decimal | None = None
    average_lead_time: Decimal | None = None
    late_lines: int = 0
    score_price: Decimal | None = None
    score_delivery: Decimal | None = None
    score_quality: Decimal = QUALITY_SCORE_OTHER
    score: Decimal | None = None
    rank: int | None = None

    @property
    def supplier(self):
        return self.invitation.supplier

    @property
    def avl_label(self) -> str:
        status = self.invitation.avl_status
        return str(AVL_LABELS.get(status, status)) if status else ""


@dataclass
class Savings:
    reference: str  # "last" or "target"
    lines: int = 0
    reference_value: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    amount_company: Decimal | None = Decimal(0)

    @property
    def percent(self) -> Decimal | None:
        if not self.reference_value:
            return None
        return (self.amount / self.reference_value * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Matrix:
    rfq: Rfq
    round: Round
    rounds: list[Round]
    opening_day: date
    rate: Rate
    suppliers: list[SupplierColumn]
    lines: list[LineRow]
    savings_last: Savings
    savings_target: Savings

    @property
    def company_currency(self) -> str:
        return self.rate.quote

    @property
    def weights(self) -> tuple[int, int, int]:
        return (self.rfq.weight_price, self.rfq.weight_delivery, self.rfq.weight_quality)

    def supplier(self, invitation_id: int) -> SupplierColumn | None:
        return next((column for column in self.suppliers if column.invitation.pk == invitation_id), None)


def opened_rounds(rfq: Rfq) -> list[Round]:
    return list(rfq.rounds.filter(status=RoundStatus.OPENED).order_by("number"))


def comparison_matrix(rfq: Rfq, round: Round | None = None, *, rounds: list[Round] | None = None) -> Matrix:
    """The matrix of `round` (default: the latest opened one). DomainError when no round is opened yet or the
    round given is not opened: prices exist only for opened rounds."""
    rounds = rounds if rounds is not None else opened_rounds(rfq)
    if round is None:
        if not rounds:
            raise DomainError(_("No round of this RFQ is opened yet."))
        round = rounds[-1]
    if round.status != RoundStatus.OPENED or round.rfq_id != rfq.pk:
        raise DomainError(_("This round is not opened yet."))
    company = rfq.company
    opening_day = company_today(company, round.opened_at) if round.opened_at else company_today(company)
    rate = exchange_rate(rfq, opening_day)

    lines = list(
        rfq.lines.select_related("item__base_unit", "unit")
        .defer("item__attributes", "item__description", "item__description_en")
        .order_by("position")
    )
    # An item's own conversions are needed only where a line's unit is of another dimension than the item's base
    # unit (pcs of a plate whose base unit is t): fetch them for those items alone, in one go.
    across = [line.item for line in lines if line.item_id and line.unit.dimension != line.item.base_unit.dimension]
    if across:
        prefetch_related_objects(across, "conversions__unit")
    # The current submission of each submitted bid of the round: a revised bid's earlier versions and withdrawn
    # bids are not compared. The bids (one per supplier) come as objects; the offers (suppliers × lines) as plain
    # tuples: making thousands of model instances would cost more than all the arithmetic.
    bids = {
        bid.current_id: bid
        for bid in Bid.objects.filter(round=round, status=BidStatus.SUBMITTED, current__isnull=False)
        .exclude(invitation__status=InvitationStatus.REMOVED)
        .select_related("invitation__supplier", "current")
    }
    opened = (
        OpenedBidLine.objects.filter(
            submission__bid__round=round,
            submission__bid__status=BidStatus.SUBMITTED,
            submission__bid__current_id=F("submission_id"),
            submission__withdrawn_at__isnull=True,
        )
        .order_by("rfq_line_id", "is_alternative", "pk")
        .values_list(*OFFER_FIELDS)
    )

    rows = {line.pk: _line_row(line) for line in lines}
    for row in rows.values():
        if row.line.need_by:
            row.slack_days = (row.line.need_by - opening_day).days
    columns: dict[int, SupplierColumn] = {}
    labels = {value: str(label) for value, label in INVOICE_LABELS.items()}
    for values in opened:
        row = rows.get(values[1])
        bid = bids.get(values[2])
        if row is None or bid is None:
            continue
        invitation_id = bid.invitation_id
        if invitation_id not in columns:
            columns[invitation_id] = SupplierColumn(
                invitation=bid.invitation,
                submission=bid.current,
                score_quality=quality_score(bid.invitation.avl_status),
            )
        offer = _offer(row, values, invitation_id, rate, labels)
        if offer["is_alternative"]:
            row.alternatives[invitation_id] = offer
        else:
            row.offers[invitation_id] = offer

    for row in rows.values():
        _mark_line(row, columns, rfq, rate)
    _score_suppliers(columns, list(rows.values()), rfq)
    ordered = sorted(
        columns.values(),
        key=lambda column: (
            column.rank is None,
            column.rank or 0,
            column.total is None,
            column.total or 0,
            column.supplier.name,
        ),
    )
    for row in rows.values():
        row.cells = [row.offers.get(column.invitation.pk) for column in ordered]
        row.alternative_cells = [row.alternatives.get(column.invitation.pk) for column in ordered]
    line_rows = [rows[line.pk] for line in lines]
    return Matrix(
        rfq=rfq,
        round=round,
        rounds=rounds,
        opening_day=opening_day,
        rate=rate,
        suppliers=ordered,
        lines=line_rows,
        savings_last=_savings(line_rows, "last", rate),
        savings_target=_savings(line_rows, "target", rate),
    )


def _line_row(line: RfqLine) -> LineRow:
    if not line.item_id:
        return LineRow(line=line, base_unit=None, base_quantity=None, conversion_missing=False)
    try:
        per_base = base_units_per(line.item, line.unit)
    except DomainError:
        return LineRow(line=line, base_unit=None, base_quantity=None, conversion_missing=True)
    return LineRow(
        line=line,
        base_unit=line.item.base_unit,
        base_quantity=line.quantity * per_base,
        conversion_missing=False,
        per_base=per_base,
    )


def _offer(row: LineRow, values: tuple, invitation_id: int, rate: Rate, labels: dict[str, str]) -> Offer:
    """One offer from its OFFER_FIELDS values (a plain tuple: this runs once per cell)."""
    (pk, _line, _submission, is_alternative, unit_price, tax_rate, invoice_type, lead_time, moq, valid, comment) = (
        values
    )
    cost = offer_cost(unit_price, tax_rate, invoice_type)
    base_cost = cost / row.per_base if row.per_base else cost
    amount = cost * row.line.quantity
    factor = rate.rate
    return {
        "invitation_id": invitation_id,
        "opened_line_id": pk,
        "unit_price": unit_price,
        "tax_rate": tax_rate,
        "invoice_type": invoice_type,
        "invoice_label": labels.get(invoice_type, invoice_type),
        "vat_deductible": is_vat_deductible(invoice_type),
        "cost": cost,
        "base_unit_cost": base_cost.quantize(PRICE_PLACES, rounding=ROUND_HALF_UP),
        "base_unit_cost_company": None
        if factor is None
        else (base_cost * factor).quantize(PRICE_PLACES, ROUND_HALF_UP),
        "amount": amount.quantize(CENT, rounding=ROUND_HALF_UP),
        "amount_company": None if factor is None else (amount * factor).quantize(CENT, rounding=ROUND_HALF_UP),
        "lead_time_days": lead_time,
        # need_by < opening day + lead time
        "is_late": row.slack_days is not None and lead_time > row.slack_days,
        "moq": moq,
        "price_valid_until": valid,
        "comment": comment,
        "is_alternative": is_alternative,
        "is_lowest": False,
        "score_price": None,
        "score_delivery": None,
        "score_quality": None,
        "score": None,
        "is_best": False,
    }


def _ratio(best: Decimal, own: Decimal) -> Decimal:
    """100 × best / own, where lower is better; own 0 (free, or delivered at once) is the best there is."""
    if own <= 0:
        return HUNDRED
    return HUNDRED * best / own


def _weighted(rfq: Rfq, price_score: Decimal, delivery_score: Decimal, quality: Decimal) -> Decimal:
    return (
        rfq.weight_price * price_score + rfq.weight_delivery * delivery_score + rfq.weight_quality * quality
    ) / HUNDRED


def _mark_line(row: LineRow, columns: dict[int, SupplierColumn], rfq: Rfq, rate: Rate) -> None:
    offers = list(row.offers.values())
    if not offers:
        return
    lowest = min(offer["cost"] for offer in offers)
    shortest = Decimal(min(offer["lead_time_days"] for offer in offers))
    row.lowest_cost = lowest
    weight_price, weight_delivery, weight_quality = rfq.weight_price, rfq.weight_delivery, rfq.weight_quality
    for invitation_id, offer in row.offers.items():
        offer["is_lowest"] = offer["cost"] == lowest
        price_score = _ratio(lowest, offer["cost"])
        delivery_score = _ratio(shortest, Decimal(offer["lead_time_days"]))
        offer["score_price"] = price_score.quantize(CENT, rounding=ROUND_HALF_UP)
        offer["score_delivery"] = delivery_score.quantize(CENT, rounding=ROUND_HALF_UP)
        offer["score_quality"] = quality = columns[invitation_id].score_quality
        weighted = (weight_price * price_score + weight_delivery * delivery_score + weight_quality * quality) / HUNDRED
        offer["score"] = weighted.quantize(CENT, rounding=ROUND_HALF_UP)
    best = max(offer["score"] for offer in offers)
    row.best_invitation_ids = frozenset(pk for pk, offer in row.offers.items() if offer["score"] == best)
    for offer in offers:
        offer["is_best"] = offer["score"] == best
    quantity = row.line.quantity
    for reference in ("last", "target"):
        reference_price = getattr(row.line, f"{reference}_price")
        if reference_price is None:
            continue
        saved = (reference_price - lowest) * quantity
        converted = rate.convert(saved)
        setattr(row, f"savings_{reference}", money(saved))
        setattr(row, f"savings_{reference}_company", money(converted) if converted is not None else None)
        if reference_price:
            percent = ((reference_price - lowest) / reference_price * HUNDRED).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
            setattr(row, f"savings_{reference}_percent", percent)


def _score_suppliers(columns: dict[int, SupplierColumn], rows: list[LineRow], rfq: Rfq) -> None:
    """Totals of complete suppliers, the three scores and the weighted score, and the ranking."""
    offers_of: dict[int, list[Offer]] = {pk: [] for pk in columns}
    for row in rows:
        for pk, offer in row.offers.items():
            offers_of[pk].append(offer)
    for pk, column in columns.items():
        offers = offers_of[pk]
        column.quoted_lines = len(offers)
        column.is_complete = bool(rows) and len(offers) == len(rows)
        column.late_lines = sum(1 for offer in offers if offer["is_late"])
        if offers:
            column.average_lead_time = Decimal(sum(offer["lead_time_days"] for offer in offers)) / len(offers)
        if column.is_complete:
            column.total = sum((offer["amount"] for offer in offers), Decimal(0))
            amounts = [offer["amount_company"] for offer in offers]
            column.total_company = None if None in amounts else sum(amounts, Decimal(0))
    complete = [column for column in columns.values() if column.is_complete]
    if not complete:
        return
    lowest_total = min(column.total for column in complete)
    shortest = min(column.average_lead_time for column in complete)
    for column in complete:
        price_score = _ratio(lowest_total, column.total)
        delivery_score = _ratio(shortest, column.average_lead_time)
        column.score_price = score(price_score)
        column.score_delivery = score(delivery_score)
        column.score = score(_weighted(rfq, price_score, delivery_score, column.score_quality))
    complete.sort(key=lambda column: (-column.score, column.total, column.supplier.name))
    for rank, column in enumerate(complete, start=1):
        column.rank = rank


def _savings(rows: list[LineRow], reference: str, rate: Rate) -> Savings:
    savings = Savings(reference=reference)
    for row in rows:
        amount = getattr(row, f"savings_{reference}")
        if amount is None:
            continue
        savings.lines += 1
        savings.reference_value += money(getattr(row.line, f"{reference}_price") * row.line.quantity)
        savings.amount += amount
        company = getattr(row, f"savings_{reference}_company")
        savings.amount_company = (
            None if company is None or savings.amount_company is None else savings.amount_company + company
        )
    return savings
