"""Demo sourcing for SH01: an RFQ for steel plate open for bids (Huasheng has bid, Hengli not yet), and a steel pipe
RFQ whose deadline has passed with two sealed bids, waiting for the two sourcing managers to open it. Bids go
through the real services, so they are sealed like any other. Running it again changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from catalog.models import Item
from portal.core.registry import demo_data
from portal.organisations.models import Company, Membership, Partner
from portal.organisations.models import Site as CompanySite

from .bidding import bid_submit, parse_bid
from .models import Invitation, InvitationSource, Rfq, RfqLine, RfqStatus, Round

HUASHENG, HENGLI, JINGGONG = "91320200MA1HK0011N", "91330200MA2HL0027C", "91320500MA1JM0042E"

RFQS = [
    # number, title, item category, invited suppliers with their AVL status, days to the deadline (negative: passed),
    # bids: {supplier: [net unit price per line]}
    (
        "RFQ-DEMO-0001",
        "2027 年一季度热轧钢板采购",
        "STEEL-PLATE",
        [(HUASHENG, "approved"), (HENGLI, "conditional")],
        5,
        {HUASHENG: ["4350", "4280", "4420"]},
    ),
    (
        "RFQ-DEMO-0002",
        "2027 年度无缝钢管询价",
        "STEEL-PIPE",
        [(HUASHENG, "approved"), (HENGLI, "not_approved")],
        -1,
        {HUASHENG: ["5850", "6120", "5990"], HENGLI: ["5790", "6240", "5930"]},
    ),
]


def _bidder(partner: Partner):
    # roles are a JSON list; SQLite (make run) has no JSON containment lookup, so filter here
    memberships = Membership.objects.filter(partner=partner, is_active=True).select_related("user").order_by("id")
    return next((membership.user for membership in memberships if "sales" in (membership.roles or ())), None)


@demo_data.register("080-sourcing")
def load_sourcing_demo() -> list:
    company = Company.objects.filter(code="SH01").first()
    if company is None:
        return []
    from portal.organisations.models import StaffRole

    buyer_role = StaffRole.objects.filter(company=company, role="buyer").select_related("user").first()
    if buyer_role is None:
        return []
    site = CompanySite.objects.filter(company=company).order_by("code").first()
    partners = {partner.tax_id: partner for partner in Partner.objects.filter(is_supplier=True)}
    for number, title, category_code, invited, days, bids in RFQS:
        if Rfq.objects.filter(number=number).exists():
            continue
        items = list(Item.objects.filter(category__code__startswith=category_code).order_by("code")[:3])
        if not items or any(tax_id not in partners for tax_id, _status in invited):
            continue
        with transaction.atomic():
            rfq = Rfq.objects.create(
                company=company,
                number=number,
                title=title,
                description="请按技术要求报价，含运费送至宝山工厂。",
                status=RfqStatus.PUBLISHED,
                published_at=timezone.now(),
                currency=company.currency,
                payment_terms="月结 60 天",
                incoterm="DAP",
                incoterm_place="上海宝山",
                created_by=buyer_role.user,
                show_rank=True,
            )
            for position, item in enumerate(items, start=1):
                RfqLine.objects.create(
                    rfq=rfq,
                    position=position,
                    item=item,
                    quantity=Decimal("20") * position,
                    unit=item.base_unit,
                    need_by=timezone.localdate() + timedelta(days=45),
                    site=site,
                    last_price=Decimal(bids[HUASHENG][position - 1]) * Decimal("1.04"),
                    target_price=Decimal(bids[HUASHENG][position - 1]) * Decimal("0.97"),
                )
            for tax_id, avl_status in invited:
                override = avl_status == "not_approved"
                Invitation.objects.create(
                    rfq=rfq,
                    supplier=partners[tax_id],
                    source=InvitationSource.OVERRIDE if override else InvitationSource.AVL,
                    avl_status=avl_status,
                    override_reason="新进入的钢管供应商，本次询价作为试单比价，样品已检验合格。" if override else "",
                    invited_by=buyer_role.user,
                )
            round = Round.objects.create(rfq=rfq, number=1, deadline=timezone.now() + timedelta(days=max(days, 1)))
        for tax_id, prices in bids.items():
            user = _bidder(partners[tax_id])
            if user is None:
                continue
            rows = [
                {
                    "line": str(line.uuid),
                    "unit_price": price,
                    "tax_rate": "13",
                    "invoice_type": "vat_special",
                    "lead_time_days": str(20 + 5 * index),
                }
                for index, (line, price) in enumerate(zip(rfq.lines.order_by("position"), prices, strict=False))
            ]
            invitation = Invitation.objects.get(rfq=rfq, supplier=partners[tax_id])
            bid_submit(user=user, invitation=invitation, content=parse_bid(rfq, rows, comment="价格含运费"))
        if days < 0:
            # the deadline passed: the bids wait sealed for the opening ceremony
            Round.objects.filter(pk=round.pk).update(deadline=timezone.now() + timedelta(days=days))
    return []
