"""Orders placed outside the portal (in the ERP, by sales staff) and the customers' open receivables, as the ERP
sends them through /api/v1/. Both are upserts: an order is keyed by its company and ERP order number, a balance by
its customer account; an older `source_version` (or `updated_at`; for balances without either, `as_of`) than the
stored one is stale and changes nothing.

An ERP order is stored like a portal one (source `erp`, number `ERP-<company>-<erp number>`, credit not checked,
payment on account), so the customer sees it among its orders. Its lines are matched by line number: changed lines
are updated, new ones added, missing ones removed; the totals are the lines' sums. A change is recorded in the
order's history ("Updated by the ERP", with what changed) and audited. No order.* event is emitted: the ERP is
where the change came from. A portal order is never changed this way (its review is the portal's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Item, UnitOfMeasure
from portal.integration.sync import Applied, audit_applied, upsert_row
from portal.organisations.access import scope_of
from portal.organisations.models import Company, CustomerAccount

from .models import (
    CreditStatus,
    CustomerBalance,
    LineStatus,
    OrderSource,
    OrderStatus,
    PaymentMode,
    PaymentStatus,
    SalesOrder,
    SalesOrderLine,
)
from .workflow import order_log

CENT = Decimal("0.01")
# What the ERP may say of its own orders (prepayment and credit holds are the portal checkout's).
ERP_STATUSES = (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED, OrderStatus.REJECTED, OrderStatus.CANCELLED)
LINE_FIELDS = (
    "item_id",
    "unit_id",
    "description",
    "quantity",
    "unit_price",
    "tax_rate",
    "net_amount",
    "tax_amount",
    "gross_amount",
    "requested_date",
    "promised_date",
    "status",
    "confirmed_quantity",
    "rejection_reason",
)


def check_company_access(actor: Any, company: Company) -> None:
    scope = scope_of(actor)
    if not scope.is_group and company.pk not in scope.company_ids:
        raise PermissionDenied(_("This client may only write the orders of its own company."))


def erp_order_number(company: Company, erp_number: str) -> str:
    return f"ERP-{company.code}-{erp_number}"


@dataclass
class ErpLine:
    line_no: int
    item: Item
    unit: UnitOfMeasure
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    description: str = ""
    requested_date: date | None = None
    promised_date: date | None = None
    status: str = LineStatus.CONFIRMED
    confirmed_quantity: Decimal | None = None
    rejection_reason: str = ""

    def values(self) -> dict[str, Any]:
        net = (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        tax = (net * self.tax_rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        confirmed = self.confirmed_quantity
        if confirmed is None and self.status == LineStatus.CONFIRMED:
            confirmed = self.quantity
        if self.status == LineStatus.REJECTED:
            confirmed = Decimal("0")
        return {
            "item_id": self.item.pk,
            "unit_id": self.unit.pk,
            "description": self.description or self.item.name,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "tax_rate": self.tax_rate,
            "net_amount": net,
            "tax_amount": tax,
            "gross_amount": net + tax,
            "requested_date": self.requested_date,
            "promised_date": self.promised_date,
            "status": self.status,
            "confirmed_quantity": confirmed,
            "rejection_reason": self.rejection_reason,
        }


def _check_lines(lines: list[ErpLine]) -> None:
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    if not lines:
        errors["lines"] = [_("An order needs at least one line.")]
    for index, line in enumerate(lines):
        if line.line_no in seen:
            errors[f"lines[{index}].line"] = [_("Line %(line)s appears twice.") % {"line": line.line_no}]
        seen.add(line.line_no)
        if line.status == LineStatus.REDUCED and (
            line.confirmed_quantity is None or not 0 < line.confirmed_quantity < line.quantity
        ):
            errors[f"lines[{index}].confirmed_quantity"] = [
                _("A reduced line confirms more than zero and less than its quantity.")
            ]
    if errors:
        raise ValidationError(errors)


def _same(current: SalesOrderLine, values: dict[str, Any]) -> bool:
    return all(getattr(current, name) == value for name, value in values.items())


def _replace_lines(order: SalesOrder, lines: list[ErpLine]) -> list[int]:
    """Match the lines by number; the numbers of the lines that were added, changed or removed."""
    current = {line.line_no: line for line in order.lines.select_for_update()}
    touched: list[int] = []
    for line in lines:
        values = line.values()
        existing = current.pop(line.line_no, None)
        if existing is None:
            SalesOrderLine.objects.create(order=order, line_no=line.line_no, **values)
            touched.append(line.line_no)
        elif not _same(existing, values):
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save(update_fields=[name.removesuffix("_id") for name in LINE_FIELDS])
            touched.append(line.line_no)
    if current:
        SalesOrderLine.objects.filter(pk__in=[line.pk for line in current.values()]).delete()
        touched.extend(current)
    return sorted(touched)


def sales_order_upsert(
    *,
    actor: Any,
    company: Company,
    erp_number: str,
    account: CustomerAccount,
    values: dict[str, Any],
    lines: list[ErpLine] | None,
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Create or change the ERP's order `erp_number` of `company` for the customer `account` (one of the company's).

    `values` may hold status (one of ERP_STATUSES), currency, customer_po, payment_terms, ship_to_text, note,
    placed_at. `lines` (required for a new order) replace the order's lines by line number. ValidationError names
    the field; PermissionDenied when the actor may not write the company's orders."""
    check_company_access(actor, company)
    if account.company_id != company.pk:
        raise ValidationError(
            {"customer": _("This customer has no account with %(company)s.") % {"company": company.code}}
        )
    values = dict(values)
    status = values.get("status")
    if status is not None and status not in ERP_STATUSES:
        raise ValidationError({"status": _("The ERP may not set the status %(status)s.") % {"status": status}})
    with transaction.atomic():
        existing = SalesOrder.objects.select_for_update().filter(company=company, erp_number=erp_number).first()
        if existing is not None and existing.source != OrderSource.ERP:
            raise ValidationError(
                {
                    "erp_number": _("This is portal order %(number)s: the ERP cannot change it here.")
                    % {"number": existing.number}
                }
            )
        if existing is None and lines is None:
            raise ValidationError({"lines": _("A new order needs its lines.")})
        if lines is not None:
            _check_lines(lines)
            net = sum((line.values()["net_amount"] for line in lines), Decimal("0.00"))
            tax = sum((line.values()["tax_amount"] for line in lines), Decimal("0.00"))
            values |= {"net_total": net, "tax_total": tax, "gross_total": net + tax}
        values |= {"customer": account.partner, "customer_account": account}
        if existing is None:
            values = {
                "number": erp_order_number(company, erp_number),
                "source": OrderSource.ERP,
                "status": OrderStatus.CONFIRMED,
                "currency": account.currency,
                "credit_status": CreditStatus.NOT_CHECKED,
                "payment_mode": PaymentMode.CREDIT,
                "payment_status": PaymentStatus.NOT_REQUIRED,
                "placed_at": timezone.now(),
            } | values
        applied = upsert_row(
            SalesOrder,
            {"company": company, "erp_number": erp_number},
            values,
            source_version=source_version,
            source_updated_at=source_updated_at,
        )
        if applied.stale:
            return applied
        order = applied.obj
        if lines is not None:
            touched = _replace_lines(order, lines)
            if touched and not applied.created:
                applied.changes["lines"] = ([], touched)
        if applied.changed:
            changed = sorted(name for name in applied.changes if name not in ("customer_account",))
            order_log(
                order,
                "erp_created" if applied.created else "erp_updated",
                actor=actor,
                data={} if applied.created else {"changed": changed},
            )
            audit_applied(
                actor=actor,
                applied=applied,
                kind="sales_order",
                created={"number": order.number, "status": order.status, "gross_total": order.gross_total},
                request=request,
                company=company,
                partner=account.partner,
            )
    return applied


def customer_balance_upsert(
    *,
    actor: Any,
    account: CustomerAccount,
    values: dict[str, Any],
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Record the customer's open receivables at the account's company (open_receivables, overdue, currency,
    as_of). Without a version or update time, `as_of` decides which report is newer."""
    check_company_access(actor, account.company)
    currency = values.get("currency")
    if currency is not None and currency != account.currency:
        raise ValidationError(
            {"currency": _("The customer's account is kept in %(currency)s.") % {"currency": account.currency}}
        )
    values = {"currency": account.currency} | values
    if source_version is None and source_updated_at is None:
        source_updated_at = values.get("as_of")
    with transaction.atomic():
        applied = upsert_row(
            CustomerBalance,
            {"customer_account": account},
            values,
            source_version=source_version,
            source_updated_at=source_updated_at,
        )
        if applied.changed:
            audit_applied(
                actor=actor,
                applied=applied,
                kind="customer_balance",
                created={name: values.get(name) for name in ("open_receivables", "overdue", "currency", "as_of")},
                request=request,
                company=account.company,
                partner=account.partner,
            )
    return applied
