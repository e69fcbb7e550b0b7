"""Changing the storefront's data: customers ask for a quote (`quote_request_create`), sales answer it with a
customer price (`quote_request_answer`) or decline it (`quote_request_decline`); the ERP pushes finished-goods
stock (`stock_upsert`).

Quote requests are audited and notify the other side in the same transaction (e-mails go after the commit).
Stock is a high-volume mirror of the ERP's figures: newer wins (`source_version`, then `as_of`), and it is neither
audited nor reported back to the ERP (it came from there).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Item, ItemStatus
from catalog.pricing.selectors import company_today
from catalog.pricing.services import customer_price_line_set
from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.integration.sync import Applied, upsert_row
from portal.notifications.services import notify
from portal.organisations.access import scope_of
from portal.organisations.models import (
    Company,
    CustomerAccount,
    Partner,
    PartnerRole,
    PartnerStatus,
    StaffRole,
    StaffRoleName,
    Warehouse,
)

from . import notifications
from .models import ItemStock, QuoteRequest, QuoteRequestStatus

NUMBER_ATTEMPTS = 20
MAX_QUANTITY = Decimal("1000000000000")
MAX_NOTE = 2000
ANSWERING_ROLES = (StaffRoleName.SALES, StaffRoleName.SALES_MANAGER)
ASKING_ROLES = (PartnerRole.ADMIN, PartnerRole.SALES)


def _number_text(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def sales_staff_of(company: Company) -> list[Any]:
    """The active sales people and sales managers of the company, and those holding the roles group-wide."""
    roles = StaffRole.objects.filter(role__in=ANSWERING_ROLES, user__is_active=True).select_related("user")
    return [role.user for role in roles.filter(company=company)] + [
        role.user for role in roles.filter(company__isnull=True)
    ]


def may_answer_quote(user: Any, quote_request: QuoteRequest) -> bool:
    scope = scope_of(user)
    return any(scope.has_staff_role(role, quote_request.company_id) for role in ANSWERING_ROLES)


def may_ask_for_quote(user: Any, customer: Partner) -> bool:
    return scope_of(user).has_partner_role(customer.pk, *ASKING_ROLES)


def item_url(item: Item) -> str:
    return reverse("shop:item", kwargs={"code": item.code})


def _summary(quote_request: QuoteRequest) -> dict[str, Any]:
    return {
        "number": quote_request.number,
        "item": quote_request.item.code,
        "quantity": _number_text(quote_request.quantity),
        "unit": quote_request.unit.code,
        "needed_by": quote_request.needed_by.isoformat() if quote_request.needed_by else None,
        "status": quote_request.status,
    }


def _insert_numbered(quote_request: QuoteRequest) -> None:
    """The next number of the year (RQ-2026-00001), unique in the database: a concurrent insert of the same number
    fails inside a savepoint and the next one is taken."""
    prefix = f"RQ-{company_today(quote_request.company).year}-"
    for _attempt in range(NUMBER_ATTEMPTS):
        last = (
            QuoteRequest.objects.filter(number__startswith=prefix)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        quote_request.number = f"{prefix}{(int(last.removeprefix(prefix)) + 1 if last else 1):05d}"
        try:
            with transaction.atomic():
                quote_request.save(force_insert=True)
            return
        except IntegrityError:
            quote_request.pk = None
            continue
    raise DomainError(_("Too many quote requests were made at the same moment. Please try again."))


def quote_request_create(
    *,
    actor: Any,
    customer: Partner,
    company: Company,
    item: Item,
    quantity: Decimal,
    needed_by: date | None = None,
    note: str = "",
    request: Any = None,
) -> QuoteRequest:
    """Ask `company` for a price of `quantity` (in the item's sales unit) of `item` for `customer`.

    The actor must be an administrator or sales person of the approved customer (PermissionDenied otherwise); the
    customer needs an active account with the company; the item must be sellable and active; one open request per
    customer, company and item. Notifies the company's sales staff; audited."""
    if not may_ask_for_quote(actor, customer):
        raise PermissionDenied
    if not customer.is_customer or customer.status != PartnerStatus.APPROVED:
        raise DomainError(_("Only approved customers can ask for a quote."))
    if not CustomerAccount.objects.filter(partner=customer, company=company, is_active=True).exists():
        raise DomainError(_("%(company)s does not sell to you yet.") % {"company": company.name})
    if not item.is_sellable or item.status != ItemStatus.ACTIVE:
        raise DomainError(_("This item is not for sale."))
    if quantity is None or quantity <= 0:
        raise DomainError(_("Enter a quantity greater than zero."))
    if quantity >= MAX_QUANTITY:
        raise DomainError(_("The quantity is too large."))
    if needed_by is not None and needed_by < company_today(company):
        raise DomainError(_("The date you need it by has passed."))
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(_("The note is longer than %(max)s characters.") % {"max": MAX_NOTE})
    unit = item.sales_unit or item.base_unit
    with transaction.atomic():
        # Lock the customer's account with the company: two requests at the same moment are decided in turn.
        CustomerAccount.objects.select_for_update().filter(partner=customer, company=company).first()
        if QuoteRequest.objects.filter(
            customer=customer, company=company, item=item, status=QuoteRequestStatus.OPEN
        ).exists():
            raise DomainError(
                _("You already asked %(company)s for a price of this item; sales will answer soon.")
                % {"company": company.name}
            )
        quote_request = QuoteRequest(
            company=company,
            customer=customer,
            requested_by=actor,
            item=item,
            quantity=quantity,
            unit=unit,
            needed_by=needed_by,
            note=note,
        )
        _insert_numbered(quote_request)
        audit_record(
            actor=actor,
            action="quote_request.created",
            obj=quote_request,
            partner=customer,
            company=company,
            after=_summary(quote_request),
            request=request,
        )
        notify(
            recipients=sales_staff_of(company),
            kind=notifications.QUOTE_REQUESTED,
            params={
                "number": quote_request.number,
                "item": f"{item.code} {item.name}",
                "customer": customer.name,
                "company": company.name,
                "quantity": f"{_number_text(quantity)} {unit.code}",
            },
            url=reverse("shop_admin:quote_detail", kwargs={"quote_id": quote_request.uuid}),
            company=company,
        )
    return quote_request


def _locked_open(quote_request: QuoteRequest) -> QuoteRequest:
    locked = (
        QuoteRequest.objects.select_for_update()
        .select_related("company", "customer", "item", "unit", "requested_by")
        .get(pk=quote_request.pk)
    )
    if locked.status != QuoteRequestStatus.OPEN:
        raise DomainError(
            _("Quote request %(number)s is no longer open (%(status)s).")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    return locked


def quote_request_answer(
    *,
    actor: Any,
    quote_request: QuoteRequest,
    unit_price: Decimal,
    tax_rate: Decimal,
    min_quantity: Decimal = Decimal("0"),
    valid_until: date | None = None,
    request: Any = None,
) -> QuoteRequest:
    """Answer an open request with a customer price: a line of the customer's price list at the company (see
    catalog.pricing.services.customer_price_line_set), then the request is answered and the person who asked is
    told. Sales and sales managers of the company only (PermissionDenied); DomainError for a refusal."""
    if not may_answer_quote(actor, quote_request):
        raise PermissionDenied
    if unit_price is None or unit_price < 0:
        raise DomainError(_("Enter a net unit price of zero or more."))
    if tax_rate is None or not Decimal("0") <= tax_rate <= Decimal("100"):
        raise DomainError(_("Enter a tax rate between 0 and 100 %."))
    if min_quantity is None or min_quantity < 0:
        raise DomainError(_("The quantity the price applies from cannot be negative."))
    if valid_until is not None and valid_until < company_today(quote_request.company):
        raise DomainError(_("The price must be valid at least until today."))
    with transaction.atomic():
        locked = _locked_open(quote_request)
        try:
            line = customer_price_line_set(
                actor=actor,
                company=locked.company,
                customer=locked.customer,
                item=locked.item,
                unit=locked.unit,
                unit_price=unit_price,
                tax_rate=tax_rate,
                min_quantity=min_quantity,
                valid_until=valid_until,
                request=request,
            )
        except ValidationError as error:
            raise DomainError(" ".join(error.messages)) from error
        locked.status = QuoteRequestStatus.ANSWERED
        locked.price_line = line
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.answer = ""
        locked.save(update_fields=["status", "price_line", "answered_by", "answered_at", "answer"])
        price = f"{_number_text(unit_price)} {line.price_list.currency} / {locked.unit.code}"
        audit_record(
            actor=actor,
            action="quote_request.answered",
            obj=locked,
            partner=locked.customer,
            company=locked.company,
            before={"status": QuoteRequestStatus.OPEN},
            after={
                "status": locked.status,
                "unit_price": _number_text(unit_price),
                "tax_rate": _number_text(tax_rate),
                "min_quantity": _number_text(min_quantity),
                "valid_until": valid_until.isoformat() if valid_until else None,
                "price_list": line.price_list.code,
            },
            request=request,
        )
        notify(
            recipients=[locked.requested_by],
            kind=notifications.QUOTE_ANSWERED,
            params={
                "number": locked.number,
                "item": f"{locked.item.code} {locked.item.name}",
                "company": locked.company.name,
                "price": price,
            },
            url=item_url(locked.item),
            partner=locked.customer,
            company=locked.company,
        )
    return locked


def quote_request_decline(*, actor: Any, quote_request: QuoteRequest, reason: str, request: Any = None) -> QuoteRequest:
    """Decline an open request, saying why (required). Sales and sales managers of the company only."""
    if not may_answer_quote(actor, quote_request):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why you decline: the customer reads it."))
    if len(reason) > MAX_NOTE:
        raise DomainError(_("The reason is longer than %(max)s characters.") % {"max": MAX_NOTE})
    with transaction.atomic():
        locked = _locked_open(quote_request)
        locked.status = QuoteRequestStatus.DECLINED
        locked.answer = reason
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        audit_record(
            actor=actor,
            action="quote_request.declined",
            obj=locked,
            partner=locked.customer,
            company=locked.company,
            before={"status": QuoteRequestStatus.OPEN},
            after={"status": locked.status, "reason": reason},
            request=request,
        )
        notify(
            recipients=[locked.requested_by],
            kind=notifications.QUOTE_DECLINED,
            params={
                "number": locked.number,
                "item": f"{locked.item.code} {locked.item.name}",
                "company": locked.company.name,
                "reason": reason,
            },
            url=reverse("shop:quotes"),
            partner=locked.customer,
            company=locked.company,
        )
    return locked


def quote_request_withdraw(*, actor: Any, quote_request: QuoteRequest, request: Any = None) -> QuoteRequest:
    """The customer takes back an open request (an administrator or sales person of the customer). Audited; sales
    see it as withdrawn."""
    if not may_ask_for_quote(actor, quote_request.customer):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked_open(quote_request)
        locked.status = QuoteRequestStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="quote_request.withdrawn",
            obj=locked,
            partner=locked.customer,
            company=locked.company,
            before={"status": QuoteRequestStatus.OPEN},
            after={"status": locked.status},
            request=request,
        )
    return locked


def stock_upsert(
    *,
    actor: Any,
    company: Company,
    warehouse: Warehouse,
    item: Item,
    on_hand: Decimal,
    available: Decimal,
    as_of: datetime,
    source_version: int | None = None,
) -> Applied:
    """Record the ERP's stock of `item` in `warehouse` (of `company`). Newer wins: an older `source_version` (or,
    without versions, an older `as_of`) than stored changes nothing (`stale`). The actor must be group-wide or of
    the company (PermissionDenied)."""
    scope = scope_of(actor)
    if not scope.is_group and company.pk not in scope.company_ids:
        raise PermissionDenied(_("This client may only write the stock of its own company."))
    if warehouse.company_id != company.pk:
        raise ValidationError({"warehouse": _("The warehouse belongs to another company.")})
    with transaction.atomic():
        return upsert_row(
            ItemStock,
            {"warehouse": warehouse, "item": item},
            {"company": company, "on_hand": on_hand, "available": available, "as_of": as_of},
            source_version=source_version,
            source_updated_at=as_of,
        )


__all__ = [
    "may_answer_quote",
    "may_ask_for_quote",
    "quote_request_answer",
    "quote_request_create",
    "quote_request_decline",
    "quote_request_withdraw",
    "sales_staff_of",
    "stock_upsert",
]
