"""Whether a supplier may be sourced (invited to an RFQ, given a new order) in an item category for a company.

`avl_decision(partner, company, category, on)` answers a `Decision` by these rules:

1. The entries that apply are the supplier's entries for that company or group-wide (company empty), for the
   category itself or any of its ancestors.
2. The most specific entry wins, and only that one: a company's own entries come before the group-wide ones (the
   company's list is its decision; the group-wide list is the default for companies that have not decided);
   within each, the entry of the category itself comes before its parent's, the parent's before the grandparent's.
   So a company entry on "Steel" beats a group-wide entry on "Steel › Plate".
3. `valid_until` is the last day the entry holds, as a calendar day in the company's time zone (group-wide
   decisions without a company: the portal's time zone). Callers pass `on` as that day (`company_today`). An
   entry past its day is "expired": not approved and not allowed. An expired entry does not fall through to a
   less specific one (the specific decision has lapsed; someone must renew it).
4. blocked → not allowed; conditional → allowed, with `conditional=True` to be shown; approved → allowed;
   no entry → "not_approved", not allowed (a supplier is sourced only once someone approved it).
5. A supplier the group has not approved as a partner (pending registration, or blocked as a whole) is not
   allowed anywhere, whatever its entries say.
6. Every reason a registered gate (rfq.avl.gates, e.g. "qualification expired") gives makes it not allowed,
   whatever the entry says; the status stays what the AVL says, the reasons tell what else is missing.

`reasons` explain, for the supplier and for staff, everything that is not plain "approved": why it is not
allowed (and what to do about it), or the condition of a conditional approval.

`avl_suppliers_for(company, category, on)` answers every supplier that has an applicable entry, with its
decision, in a constant number of queries (plus what the gates need; gates with a `many` form are asked once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalog.models import Category
from portal.organisations.models import PartnerStatus

from .gates import gate_reasons, gate_reasons_many
from .models import ApprovedSupplier, AvlStatus

EXPIRED = "expired"
NOT_APPROVED = "not_approved"


@dataclass(frozen=True)
class Decision:
    # approved / conditional / blocked (the entry's), expired (its valid_until has passed) or not_approved
    status: str
    conditional: bool
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    entry: ApprovedSupplier | None = None

    @property
    def label(self) -> str:
        return status_label(self.status)


def status_label(status: str) -> str:
    if status == EXPIRED:
        return _("Expired")
    if status == NOT_APPROVED:
        return _("Not yet approved")
    return str(AvlStatus(status).label)


def company_today(company: Any, now: datetime | None = None) -> date:
    """Today in the company's time zone (the portal's for the group)."""
    zone = ZoneInfo(getattr(company, "time_zone", None) or settings.TIME_ZONE)
    return (now or timezone.now()).astimezone(zone).date()


def category_chain(category: Category) -> list[int]:
    """The category's pk, then its parent's, up to the root: one query, guarded against a cycle."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    chain: list[int] = []
    node = category.pk
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(node)
    return chain


def _rank(entry: ApprovedSupplier, chain: list[int]) -> tuple[int, int]:
    return (0 if entry.company_id is not None else 1, chain.index(entry.category_id))


def _applicable(company: Any, chain: list[int]):
    companies = Q(company__isnull=True)
    if company is not None:
        companies |= Q(company_id=company.pk)
    return ApprovedSupplier.objects.filter(companies, category_id__in=chain)


def _decide(entry: ApprovedSupplier | None, partner: Any, company: Any, on: date, gate_list: list[str]) -> Decision:
    company_name = getattr(company, "name", None) or _("the group")
    if entry is None:
        status = NOT_APPROVED
        reasons = [
            _("Not yet on the approved vendor list of %(company)s for this category: ask its buyer to qualify you.")
            % {"company": company_name}
        ]
    elif entry.valid_until is not None and on > entry.valid_until:
        status = EXPIRED
        reasons = [
            _("The approval ended on %(date)s: ask the buyer of %(company)s to renew it.")
            % {"date": date_format(entry.valid_until, "Y-m-d"), "company": company_name}
        ]
    elif entry.status == AvlStatus.BLOCKED:
        status = AvlStatus.BLOCKED.value
        reasons = [
            _("Blocked: %(reason)s. Resolve this and ask the buyer of %(company)s to lift the block.")
            % {"reason": entry.reason or _("no reason given"), "company": company_name}
        ]
    elif entry.status == AvlStatus.CONDITIONAL:
        status = AvlStatus.CONDITIONAL.value
        reasons = [_("Approved with conditions: %(reason)s") % {"reason": entry.reason}] if entry.reason else []
    else:
        status = AvlStatus.APPROVED.value
        reasons = []
    if partner.status != PartnerStatus.APPROVED:
        if partner.status == PartnerStatus.BLOCKED:
            reasons = [*reasons, _("The group has blocked this supplier: contact the group's purchasing.")]
        else:
            reasons = [*reasons, _("The supplier's registration is not yet approved by the group.")]
    allowed = (
        status in (AvlStatus.APPROVED, AvlStatus.CONDITIONAL)
        and not gate_list
        and partner.status == PartnerStatus.APPROVED
    )
    return Decision(
        status=status,
        conditional=status == AvlStatus.CONDITIONAL,
        allowed=allowed,
        reasons=[*reasons, *gate_list],
        entry=entry,
    )


def avl_decision(partner: Any, company: Any, category: Category, on: date) -> Decision:
    """May `partner` be sourced in `category` for `company` (None: group-wide) on the day `on`? See the rules
    above."""
    chain = category_chain(category)
    entries = list(_applicable(company, chain).filter(partner_id=partner.pk).select_related("company"))
    entry = min(entries, key=lambda row: _rank(row, chain), default=None)
    return _decide(entry, partner, company, on, gate_reasons(partner, company, category, on))


def avl_suppliers_for(company: Any, category: Category, on: date) -> list[tuple[Any, Decision]]:
    """Every supplier with an entry that applies, with its decision: allowed ones first, then by name."""
    chain = category_chain(category)
    best: dict[int, ApprovedSupplier] = {}
    for entry in _applicable(company, chain).select_related("partner", "company"):
        current = best.get(entry.partner_id)
        if current is None or _rank(entry, chain) < _rank(current, chain):
            best[entry.partner_id] = entry
    partners = [entry.partner for entry in best.values()]
    gates = gate_reasons_many(partners, company, category, on)
    decided = [
        (entry.partner, _decide(entry, entry.partner, company, on, gates[entry.partner_id])) for entry in best.values()
    ]
    return sorted(decided, key=lambda pair: (not pair[1].allowed, pair[0].name))


def entry_decision(entry: ApprovedSupplier, on: date | None = None) -> Decision:
    """The decision an entry gives by itself (for the supplier's overview): its status, expiry and the gates."""
    on = on or company_today(entry.company)
    reasons = gate_reasons(entry.partner, entry.company, entry.category, on)
    return _decide(entry, entry.partner, entry.company, on, reasons)
