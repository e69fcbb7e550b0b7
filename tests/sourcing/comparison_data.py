"""Opened RFQs built straight through the models (what the opening leaves behind: submitted bids with their
current submission and the plaintext `OpenedBidLine` rows), for the comparison and award tests, the outsider
sweep and the benchmark. Nothing here seals or opens: that is tested with the opening itself."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from portal.organisations.models import ExchangeRate
from rfq.sourcing.models import (
    Bid,
    BidStatus,
    BidSubmission,
    Invitation,
    OpenedBidLine,
    Rfq,
    RfqLine,
    RfqStatus,
    Round,
    RoundStatus,
)
from tests.factories import PartnerFactory, UserFactory
from tests.factories.catalog import ItemFactory, UnitFactory

D = Decimal
OPENED_AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: the opening day is 2026-03-02
_numbers = itertools.count(1)


def pcs():
    return UnitFactory(code="pcs", name="件", name_en="piece", dimension="count", factor=Decimal("1"))


def make_rfq(cast, *, company=None, lines=(), status=RfqStatus.OPENED, **fields) -> Rfq:
    """An RFQ of company A's buyer with `lines`: dicts of RfqLine fields (default: a free-text line of 10 pcs)."""
    rfq = Rfq.objects.create(
        company=company or cast.company_a,
        number=f"RFQ-T{next(_numbers):05d}",
        title=fields.pop("title", "钢板采购 Steel plates"),
        status=status,
        created_by=cast.buyer,
        **fields,
    )
    unit = pcs()
    RfqLine.objects.bulk_create(
        RfqLine(
            rfq=rfq,
            position=position,
            **{
                "description": f"Line {position}",
                "quantity": Decimal("10"),
                "unit": unit,
                **line,
            },
        )
        for position, line in enumerate(lines or [{}], start=1)
    )
    return rfq


def open_round(rfq: Rfq, *, number: int = 1, opened_at: datetime = OPENED_AT) -> Round:
    return Round.objects.create(
        rfq=rfq, number=number, deadline=opened_at, status=RoundStatus.OPENED, opened_at=opened_at
    )


def invite(rfq: Rfq, supplier, *, avl_status: str = "approved", **fields) -> Invitation:
    return Invitation.objects.create(rfq=rfq, supplier=supplier, avl_status=avl_status, **fields)


def place_bid(round: Round, invitation: Invitation, offers: dict, *, by=None, version: int = 1) -> BidSubmission:
    """A submitted bid whose current submission holds `offers`: {RfqLine: dict of OpenedBidLine fields} (a list of
    dicts for a line with an alternative; mark it with is_alternative=True)."""
    bid, _created = Bid.objects.get_or_create(
        round=round, invitation=invitation, supplier=invitation.supplier, defaults={"status": BidStatus.SUBMITTED}
    )
    submission = BidSubmission.objects.create(
        bid=bid,
        version=version,
        rfq_version=round.rfq.version,
        submitted_at=round.deadline - timedelta(hours=1),
        submitted_by=by or UserFactory(),
        sealed=b"sealed",
        commitment="0" * 64,
        commitment_verified=True,
    )
    Bid.objects.filter(pk=bid.pk).update(current=submission, status=BidStatus.SUBMITTED)
    rows = []
    for line, values in offers.items():
        for value in values if isinstance(values, list) else [values]:
            rows.append(
                OpenedBidLine(
                    submission=submission,
                    rfq_line=line,
                    **{"tax_rate": Decimal("13"), "invoice_type": "vat_special", "lead_time_days": 10, **value},
                )
            )
    OpenedBidLine.objects.bulk_create(rows)
    return submission


def opened_rfq(cast, *, lines=(), bids: dict | None = None, avl: dict | None = None, **fields):
    """An opened RFQ of company A: `bids` maps a supplier to its offers per line position, e.g.
    {cast.supplier_a: {1: {"unit_price": Decimal("5")}}}. Returns (rfq, round, {supplier: invitation})."""
    rfq = make_rfq(cast, lines=lines, **fields)
    round = open_round(rfq)
    by_position = {line.position: line for line in rfq.lines.all()}
    invitations = {}
    for supplier, offers in (bids or {}).items():
        invitations[supplier] = invite(rfq, supplier, avl_status=(avl or {}).get(supplier, "approved"))
        place_bid(round, invitations[supplier], {by_position[position]: value for position, value in offers.items()})
    return rfq, round, invitations


def need_by(days_after_opening: int) -> date:
    return OPENED_AT.date() + timedelta(days=days_after_opening)


def kg():
    return UnitFactory(code="kg", name="千克", name_en="kilogram", dimension="mass", factor=D("1"))


def tonne():
    return UnitFactory(code="t", name="吨", name_en="tonne", dimension="mass", factor=D("1000"))


def worked_example(cast, *, rate=True):
    """The worked example of the module: USD RFQ of a CNY company, rate 7 (company, 2026-03-01).

    Line 1: 2 t of a plate (base unit kg), need by opening + 20 days, last 1100, target 950 (USD/t).
    Line 2: 10 pcs machining (free text), need by opening + 5 days, last 50.
    A (approved):    L1 1000 special VAT (cost 1000), 10 d;  L2 40 general 6% (cost 42.40), 7 d (late)
    B (conditional): L1 900 general 3% (cost 927), 30 d (late); L2 45 special (cost 45), 5 d
    C (approved):    L1 950 special, 10 d, and an alternative 880 at 40 d; no L2 (incomplete)
    """
    supplier_c = PartnerFactory(name="丙供应商有限公司", name_en="Supplier C Ltd.")
    plate = ItemFactory(code="PLATE-Q235", base_unit=kg())
    lines = [
        {
            "item": plate,
            "description": "",
            "quantity": D("2"),
            "unit": tonne(),
            "need_by": need_by(20),
            "last_price": D("1100"),
            "target_price": D("950"),
        },
        {"description": "Machining", "quantity": D("10"), "need_by": need_by(5), "last_price": D("50")},
    ]
    bids = {
        cast.supplier_a: {
            1: {"unit_price": D("1000"), "tax_rate": D("13"), "invoice_type": "vat_special", "lead_time_days": 10},
            2: {"unit_price": D("40"), "tax_rate": D("6"), "invoice_type": "vat_general", "lead_time_days": 7},
        },
        cast.supplier_b: {
            1: {"unit_price": D("900"), "tax_rate": D("3"), "invoice_type": "vat_general", "lead_time_days": 30},
            2: {"unit_price": D("45"), "tax_rate": D("13"), "invoice_type": "vat_special", "lead_time_days": 5},
        },
        supplier_c: {
            1: [
                {"unit_price": D("950"), "invoice_type": "vat_special", "lead_time_days": 10},
                {"unit_price": D("880"), "invoice_type": "vat_special", "lead_time_days": 40, "is_alternative": True},
            ]
        },
    }
    rfq, round, invitations = opened_rfq(
        cast, lines=lines, bids=bids, avl={cast.supplier_b: "conditional"}, currency="USD"
    )
    if rate:
        ExchangeRate.objects.create(
            company=cast.company_a, base="USD", quote="CNY", valid_on=date(2026, 3, 1), rate=D("7")
        )
        # the group's rate is only the fallback, even when newer
        ExchangeRate.objects.create(company=None, base="USD", quote="CNY", valid_on=date(2026, 3, 2), rate=D("7.2"))
        # a rate after the opening day is not used
        ExchangeRate.objects.create(
            company=cast.company_a, base="USD", quote="CNY", valid_on=date(2026, 3, 3), rate=D("9")
        )
    return rfq, round, invitations, supplier_c
