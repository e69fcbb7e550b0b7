"""Checkout: the person's cart lines of one selling company become one sales order (销售订单).

One order per selling company, submitted one company at a time from the checkout page (each company has its own
credit, terms, ship-to addresses and payment set-up; a customer who is over the limit at one company can still
order from the others).

In one transaction: the cart and the customer account are locked (two checkouts of the same customer at the
same company queue on the account row, so they cannot both use the last credit), every price is resolved again
and compared with what the person saw (a difference refuses the checkout with the old and new prices and
creates nothing), the order is created with a group-wide unique number (SO-2026-000001), the lines leave the
cart, and then:

- on credit, within the limit (exactly reaching it is allowed): submitted for review; credit status
  `special_approval` when it fits only thanks to a special approval in force, else `within_limit`;
- prepayment (when the company has an active payment set-up; chosen by the person, or offered when over the
  limit): awaiting payment; the person is sent to the payment page;
- over the limit, with a reason: held for credit (`credit_hold`) and the company's sales managers are asked for
  a special approval.

After the commit the confirmation e-mail (with the order PDF) goes out (selfservice.orders.confirmation).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.pricing.selectors import company_today, resolve_prices_many
from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.notifications.services import notify
from portal.organisations.models import (
    AddressKind,
    CustomerAccount,
    InvoicingDetails,
    PartnerAddress,
    StaffRoleName,
)
from selfservice.cart.models import Cart, CartLine
from selfservice.cart.selectors import cart_lines
from selfservice.cart.services import item_problem, quantity_problem, require_orderer
from selfservice.payments.models import PaymentSetup

from . import notifications
from .confirmation import CONFIRMATION, confirmation_send_later
from .credit import CreditPosition, credit_position
from .models import (
    CreditStatus,
    OrderSource,
    OrderStatus,
    PaymentMode,
    PaymentStatus,
    SalesOrder,
    SalesOrderLine,
)
from .workflow import format_total, order_log, order_submit_for_review, sales_staff, staff_order_url

NUMBER_ATTEMPTS = 20


class Choice:
    CREDIT = "credit"  # on account: submitted when within the credit limit
    PREPAY = "prepay"  # pay first (the company's payment set-up)
    APPROVAL = "approval"  # over the limit: ask sales managers for a special approval

    ALL = (CREDIT, PREPAY, APPROVAL)


@dataclass(frozen=True)
class PriceChange:
    line_uuid: str
    item_code: str
    old: Decimal | None  # what the person saw (None: the line was not on the page they submitted)
    new: Decimal | None  # the price now (None: no price any more)


class PriceChanged(DomainError):
    """Prices changed since the checkout page was shown: nothing was created; the page shows `changes`."""

    def __init__(self, changes: list[PriceChange]):
        super().__init__(_("Prices changed since you opened checkout. Check the new prices and submit again."))
        self.changes = changes


class OverCredit(DomainError):
    """The order does not fit the credit available at the company: pay first or ask for a special approval."""

    def __init__(self, *, total: Decimal, position: CreditPosition, company: Any, currency: str):
        super().__init__(
            _("This order of %(total)s exceeds your available credit of %(available)s at %(company)s.")
            % {
                "total": f"{currency} {total:,.2f}",
                "available": f"{position.currency} {max(position.available, Decimal('0')):,.2f}",
                "company": company.name,
            }
        )
        self.total = total
        self.position = position


def ship_to_addresses(partner: Any, company_ids: list[int]) -> dict[int, list[PartnerAddress]]:
    """The partner's active ship-to addresses usable with each company (its own ones and those for all
    companies), the default first. One query."""
    addresses = list(
        PartnerAddress.objects.filter(
            Q(company_id__in=company_ids) | Q(company__isnull=True),
            partner=partner,
            kind=AddressKind.SHIP_TO,
            is_active=True,
        ).order_by("-is_default", "code")
    )
    return {
        company_id: [address for address in addresses if address.company_id in (None, company_id)]
        for company_id in company_ids
    }


def address_text(address: PartnerAddress) -> str:
    lines = [address.name, str(address), address.postal_code]
    contact = " ".join(part for part in (address.contact_name, address.phone) if part)
    return "\n".join(part for part in (*lines, contact) if part)


def invoicing_snapshot(partner: Any) -> dict[str, str]:
    details = InvoicingDetails.objects.filter(partner=partner).first()
    if details is None:
        return {}
    fields = ("invoice_title", "tax_id", "registered_address", "phone", "bank_name", "bank_account")
    return {name: getattr(details, name) for name in fields}


def order_language() -> str:
    """The person's current language as one of the portal's (the confirmation e-mail and PDF use it)."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def has_payment_setup(company: Any) -> bool:
    return PaymentSetup.objects.filter(company=company, is_active=True).exists()


def _insert_numbered(order: SalesOrder) -> None:
    """The next number of the year, group-wide (SO-2026-000001). The number is unique in the database: a
    concurrent checkout that took the same number makes this insert fail in its savepoint, and the next is taken."""
    prefix = f"SO-{company_today(order.company).year}-"
    for _attempt in range(NUMBER_ATTEMPTS):
        last = (
            SalesOrder.objects.filter(number__startswith=prefix, number__regex=r"^SO-\d{4}-\d{6}$")
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        order.number = f"{prefix}{int(last.removeprefix(prefix)) + 1 if last else 1:06d}"
        try:
            with transaction.atomic():
                order.save(force_insert=True)
            return
        except IntegrityError:
            order.pk = None
            continue
    raise DomainError(_("Too many orders were placed at the same moment. Try again."))


def _expected(expected_prices: dict[str, Any], line: CartLine) -> Decimal | None:
    value = expected_prices.get(str(line.uuid))
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def checkout_submit(
    *,
    actor: Any,
    partner: Any,
    company: Any,
    ship_to: PartnerAddress | None,
    customer_po: str,
    note: str,
    expected_prices: dict[str, Any],
    choice: str,
    reason: str = "",
) -> SalesOrder:
    """Turn the person's cart lines of `company` into one order (see the module's docstring)."""
    require_orderer(actor, partner)
    if choice not in Choice.ALL:
        raise DomainError(_("Choose how to pay."))
    customer_po, note, reason = (customer_po or "").strip(), (note or "").strip(), (reason or "").strip()
    if len(customer_po) > 60:
        raise DomainError(_("Keep your order reference to 60 characters."))
    if choice == Choice.APPROVAL and not reason:
        raise DomainError(_("Tell the sales team why this order should be approved."))
    if ship_to is None:
        raise DomainError(_("Choose a delivery address."))
    with transaction.atomic():
        cart = Cart.objects.select_for_update().filter(user=actor, customer=partner).first()
        # The account row is the credit's lock: a second checkout at this company waits here for the first.
        account = (
            CustomerAccount.objects.select_for_update(of=("self",))
            .select_related("company")
            .filter(partner=partner, company=company, is_active=True, company__is_active=True)
            .first()
        )
        if account is None:
            raise DomainError(_("You have no customer account at %(company)s.") % {"company": company.name})
        lines = cart_lines(cart, company=company) if cart else []
        if not lines:
            raise DomainError(_("Your cart has nothing from %(company)s.") % {"company": company.name})
        if not (
            ship_to.partner_id == partner.pk
            and ship_to.kind == AddressKind.SHIP_TO
            and ship_to.is_active
            and ship_to.company_id in (None, company.pk)
        ):
            raise DomainError(_("Choose one of your delivery addresses for %(company)s.") % {"company": company.name})
        for line in lines:
            problem = item_problem(line.item) or quantity_problem(line.item, line.quantity)
            if problem:
                raise DomainError(problem)
        wanted = [(line.item, line.quantity, line.unit_id) for line in lines]
        quotes = resolve_prices_many(customer=partner, company=company, items_with_quantities=wanted)
        changes = []
        for line in lines:
            quote, seen = quotes.get(line.item_id), _expected(expected_prices, line)
            new = quote.unit_price if quote else None
            if new is None or seen is None or seen != new:
                changes.append(PriceChange(str(line.uuid), line.item.code, seen, new))
        if changes:
            raise PriceChanged(changes)
        currencies = {quotes[line.item_id].currency for line in lines}
        if len(currencies) != 1:
            raise DomainError(_("These prices are in several currencies: ask your sales contact."))
        currency = currencies.pop()
        list_quotes = resolve_prices_many(customer=None, company=company, items_with_quantities=wanted)

        net = sum((quotes[line.item_id].net_amount for line in lines), Decimal("0.00"))
        tax = sum((quotes[line.item_id].tax_amount for line in lines), Decimal("0.00"))
        gross = net + tax
        position = credit_position(account)
        order = SalesOrder(
            source=OrderSource.PORTAL,
            company=company,
            customer=partner,
            customer_account=account,
            placed_by=actor,
            currency=currency,
            net_total=net,
            tax_total=tax,
            gross_total=gross,
            customer_po=customer_po,
            payment_terms=account.payment_terms,
            ship_to=ship_to,
            ship_to_text=address_text(ship_to),
            invoicing=invoicing_snapshot(partner),
            note=note,
            language=order_language(),
            placed_at=timezone.now(),
        )
        _decide(order, choice=choice, position=position, total=gross, company=company)
        _insert_numbered(order)
        SalesOrderLine.objects.bulk_create(
            SalesOrderLine(
                order=order,
                line_no=number,
                item=line.item,
                description=str(line.item.name)[:300],
                unit_id=line.unit_id,
                quantity=line.quantity,
                unit_price=quotes[line.item_id].unit_price,
                list_price=list_quotes[line.item_id].unit_price if list_quotes.get(line.item_id) else None,
                price_source=quotes[line.item_id].price_list_code[:60],
                tax_rate=quotes[line.item_id].tax_rate,
                net_amount=quotes[line.item_id].net_amount,
                tax_amount=quotes[line.item_id].tax_amount,
                gross_amount=quotes[line.item_id].gross_amount,
                requested_date=line.requested_date,
                note=line.note,
            )
            for number, line in enumerate(lines, start=1)
        )
        CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
        order_log(order, "placed", actor=actor, data={"total": format_total(order), "lines": len(lines)})
        audit_record(
            actor=actor,
            action="order.placed",
            obj=order,
            partner=partner,
            company=company,
            after={
                "number": order.number,
                "status": order.status,
                "credit_status": order.credit_status,
                "payment_mode": order.payment_mode,
                "gross_total": format(gross, "f"),
                "currency": currency,
                "lines": len(lines),
            },
        )
        if order.status == OrderStatus.SUBMITTED:
            order_submit_for_review(order=order, actor=actor)
        elif order.status == OrderStatus.CREDIT_HOLD:
            order_log(
                order,
                "credit_hold",
                actor=actor,
                data={"reason": reason, "available": format(position.available, "f")},
            )
            notify(
                recipients=sales_staff(company.pk, StaffRoleName.SALES_MANAGER),
                kind=notifications.CREDIT_HOLD,
                params={
                    "order": order.number,
                    "customer": str(partner.name),
                    "total": format_total(order),
                    "reason": reason,
                },
                url=staff_order_url(order),
                company=company,
            )
        confirmation_send_later(order.pk, CONFIRMATION)
        return order


def _decide(order: SalesOrder, *, choice: str, position: CreditPosition, total: Decimal, company: Any) -> None:
    """Set the order's status, payment and credit fields from the person's choice and the credit position."""
    if choice == Choice.PREPAY:
        if not has_payment_setup(company):
            raise DomainError(_("%(company)s does not take prepayment online.") % {"company": company.name})
        order.status = OrderStatus.AWAITING_PAYMENT
        order.payment_mode = PaymentMode.PREPAY
        order.payment_status = PaymentStatus.PENDING
        order.credit_status = CreditStatus.PREPAID
        return
    fits = position.allows(total)
    if choice == Choice.CREDIT:
        if not fits:
            raise OverCredit(total=total, position=position, company=company, currency=order.currency)
        without_approvals = position.limit - position.open_orders - position.receivables
        order.status = OrderStatus.SUBMITTED
        order.payment_mode = PaymentMode.CREDIT
        order.payment_status = PaymentStatus.NOT_REQUIRED
        order.credit_status = CreditStatus.WITHIN_LIMIT if total <= without_approvals else CreditStatus.SPECIAL_APPROVAL
        return
    if fits:
        raise DomainError(_("This order fits your credit: submit it without an approval."))
    order.status = OrderStatus.CREDIT_HOLD
    order.payment_mode = PaymentMode.CREDIT
    order.payment_status = PaymentStatus.NOT_REQUIRED
    order.credit_status = CreditStatus.OVER_LIMIT
