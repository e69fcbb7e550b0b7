"""Test data for sourcing: a published RFQ of company A with item lines and invited suppliers, bids submitted through
the real services, and an opening by two sourcing managers with fresh second factors."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count
from types import SimpleNamespace
from typing import Any

from allauth.account.internal.flows.login import record_authentication
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import timezone

from rfq.sourcing.bidding import bid_submit, parse_bid
from rfq.sourcing.models import Invitation, Rfq, RfqLine, RfqStatus, Round
from rfq.sourcing.opening import round_open_sign
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.catalog import ItemFactory

_numbers = count(1)


def make_published_rfq(
    cast: Any,
    *,
    lines: int = 2,
    suppliers: tuple | None = None,
    deadline: Any = None,
    company: Any = None,
    buyer: Any = None,
    quantities: tuple | None = None,
    **fields: Any,
) -> Rfq:
    """An RFQ of company A (by its buyer) with `lines` item lines (10 pcs each unless `quantities`), last price 100
    and target 90, invitations for `suppliers` (default A and B) and round 1 closing at `deadline` (default in
    two days)."""
    company = company or cast.company_a
    number = next(_numbers)
    rfq = Rfq.objects.create(
        company=company,
        number=f"RFQ-T-{number:05d}",
        title=fields.pop("title", f"测试询价 {number}"),
        status=RfqStatus.PUBLISHED,
        published_at=timezone.now(),
        created_by=buyer or cast.buyer,
        **fields,
    )
    for position in range(1, lines + 1):
        item = ItemFactory()
        RfqLine.objects.create(
            rfq=rfq,
            position=position,
            item=item,
            quantity=Decimal(quantities[position - 1]) if quantities else Decimal("10"),
            unit=item.base_unit,
            need_by=timezone.localdate() + timedelta(days=60),
            last_price=Decimal("100"),
            target_price=Decimal("90"),
        )
    for supplier in suppliers if suppliers is not None else (cast.supplier_a, cast.supplier_b):
        Invitation.objects.create(rfq=rfq, supplier=supplier, avl_status="approved", invited_by=rfq.created_by)
    Round.objects.create(rfq=rfq, number=1, deadline=deadline or timezone.now() + timedelta(days=2))
    return rfq


def invitation_of(rfq: Rfq, supplier: Any) -> Invitation:
    return Invitation.objects.get(rfq=rfq, supplier=supplier)


def offer_rows(
    rfq: Rfq, prices: list[Any], *, lead_time: int = 30, tax_rate: str = "13", invoice_type: str = "vat_special"
):
    """Form rows quoting each line of the RFQ in order at the given net unit prices (None: the line is not quoted)."""
    rows = []
    for line, price in zip(rfq.lines.order_by("position"), prices, strict=False):
        if price is None:
            continue
        rows.append(
            {
                "line": str(line.uuid),
                "unit_price": str(price),
                "tax_rate": tax_rate,
                "invoice_type": invoice_type,
                "lead_time_days": str(lead_time),
                "moq": "",
                "price_valid_until": "",
                "comment": "",
            }
        )
    return rows


def submit_bid(user: Any, rfq: Rfq, supplier: Any, prices: list[Any], *, comment: str = "", **row_options: Any):
    """Submit through the real service; returns the BidSubmission."""
    content = parse_bid(rfq, offer_rows(rfq, prices, **row_options), comment=comment)
    return bid_submit(user=user, invitation=invitation_of(rfq, supplier), content=content)


def pass_deadline(rfq: Rfq) -> Round:
    """Move the current round's deadline just into the past (as if time had passed)."""
    round = rfq.rounds.order_by("-number").first()
    round.deadline = timezone.now() - timedelta(seconds=1)
    round.save(update_fields=["deadline"])
    return round


def fresh_mfa_request(user: Any, path: str = "/cms/"):
    """A request whose session records a second factor used just now (what the opening ceremony asks for)."""
    request = RequestFactory().post(path)
    request.user = user
    request.session = SessionStore()
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", type="totp")
    return request


def second_sourcing_manager(company: Any, email: str = "sourcing2@group.test") -> Any:
    return StaffRoleFactory(user=UserFactory(email=email), role="sourcing_manager", company=company).user


def open_round(rfq: Rfq, managers: list[Any]) -> Round:
    """Open the current round with the given managers' signatures (its deadline must have passed)."""
    round = rfq.rounds.order_by("-number").first()
    for manager in managers:
        round = round_open_sign(user=manager, round=round, request=fresh_mfa_request(manager))
    round.refresh_from_db()
    return round


def opened_rfq(cast: Any, prices: dict[Any, list[Any]], **rfq_options: Any) -> SimpleNamespace:
    """An RFQ whose round 1 is opened with the given bids: {supplier: [price per line]} submitted by each supplier's
    admin (cast.supplier_a_admin / cast.supplier_b_admin; other suppliers need a `bidders` mapping)."""
    bidders = rfq_options.pop("bidders", {})
    rfq = make_published_rfq(cast, suppliers=tuple(prices), **rfq_options)
    default_bidders = {cast.supplier_a.pk: cast.supplier_a_admin, cast.supplier_b.pk: cast.supplier_b_admin}
    submissions = {}
    for supplier, supplier_prices in prices.items():
        user = bidders.get(supplier.pk) or default_bidders[supplier.pk]
        submissions[supplier.pk] = submit_bid(user, rfq, supplier, supplier_prices)
    pass_deadline(rfq)
    second = second_sourcing_manager(rfq.company)
    round = open_round(rfq, [cast.sourcing_manager, second])
    rfq.refresh_from_db()
    return SimpleNamespace(rfq=rfq, round=round, submissions=submissions, second_manager=second)
