"""The cart (one per person and customer partner): adding, changing and removing lines, with the item's sales
rules checked where the quantity arrives. Prices are not stored in the cart: the cart page and checkout resolve
them again (catalog.pricing.selectors), so a cart never orders at yesterday's price.

Who may order: an active member of an approved customer with the role admin or sales (others: 403); the
selling company must have an active customer account of the partner.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Item, ItemStatus
from catalog.pricing.selectors import company_today, resolve_price
from portal.core.errors import DomainError
from portal.organisations.access import scope_of
from portal.organisations.models import CustomerAccount, PartnerRole, PartnerStatus

from .models import Cart, CartLine

ORDERING_ROLES = (PartnerRole.ADMIN, PartnerRole.SALES)
QUANTITY_PLACES = Decimal("0.0001")
MAX_QUANTITY = Decimal("10") ** 15
NOTE_LENGTH = 500


# --- rules shared with the cart page, quick order and checkout ----------------------------------------------------


def may_order(actor: Any, partner: Any) -> bool:
    return scope_of(actor).has_partner_role(partner.pk, *ORDERING_ROLES)


def require_orderer(actor: Any, partner: Any) -> None:
    """403 for a person who may not order for the partner; a refusal for a partner that is not an approved
    customer."""
    if not may_order(actor, partner):
        raise PermissionDenied
    if not partner.is_customer or partner.status != PartnerStatus.APPROVED:
        raise DomainError(_("Only approved customers can order."))


def number_text(value: Decimal) -> str:
    """5, 0.5, 12.25: a quantity without trailing zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def sales_unit(item: Item) -> Any:
    return item.sales_unit or item.base_unit


def parse_quantity(value: Any) -> Decimal:
    """A positive quantity with at most 4 decimals; accepts "1,5" and full-width digits. Refuses anything else."""
    text = str(value if value is not None else "").strip().replace(",", ".").replace("，", ".")
    text = text.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    try:
        quantity = Decimal(text)
    except InvalidOperation as error:
        raise DomainError(_("Enter the quantity as a number, e.g. 12.5.")) from error
    if not quantity.is_finite() or quantity <= 0:
        raise DomainError(_("Enter a quantity above zero."))
    if quantity >= MAX_QUANTITY:
        raise DomainError(_("That quantity is too large."))
    if quantity != quantity.quantize(QUANTITY_PLACES):
        raise DomainError(_("Enter the quantity with at most 4 decimals."))
    return quantity.quantize(QUANTITY_PLACES)


def quantity_problem(item: Item, quantity: Decimal) -> str | None:
    """Why this quantity of the item cannot be ordered (minimum, multiples), or None."""
    unit = sales_unit(item).code
    minimum = item.min_order_quantity or Decimal("0")
    multiple = item.order_multiple or Decimal("0")
    if minimum and quantity < minimum:
        return _("Order at least %(minimum)s %(unit)s.") % {"minimum": number_text(minimum), "unit": unit}
    if multiple and quantity % multiple != 0:
        return _("Order in multiples of %(multiple)s %(unit)s.") % {"multiple": number_text(multiple), "unit": unit}
    return None


def item_problem(item: Item) -> str | None:
    if not item.is_sellable or item.status != ItemStatus.ACTIVE:
        return _("%(item)s is not for sale.") % {"item": item.code}
    return None


def check_requested_date(requested_date: date | None, company: Any) -> None:
    if requested_date is not None and requested_date < company_today(company):
        raise DomainError(_("The requested delivery date cannot be in the past."))


def check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise DomainError(_("Keep the note to %(count)d characters.") % {"count": NOTE_LENGTH})
    return note


def active_account(partner: Any, company: Any) -> CustomerAccount:
    account = (
        CustomerAccount.objects.filter(partner=partner, company=company, is_active=True, company__is_active=True)
        .select_related("company")
        .first()
    )
    if account is None:
        raise DomainError(_("You have no customer account at %(company)s.") % {"company": company.name})
    return account


def _check_line(*, item: Item, quantity: Decimal) -> None:
    problem = item_problem(item) or quantity_problem(item, quantity)
    if problem:
        raise DomainError(problem)


# --- services ---------------------------------------------------------------------------------------------------


def cart_for(user: Any, partner: Any) -> Cart:
    """The person's cart for the partner (created on first use; the unique constraint makes a race harmless)."""
    cart, _created = Cart.objects.get_or_create(user=user, customer=partner)
    cart.customer = partner  # the caller's object: pricing reads it without another query
    return cart


def _locked_cart(actor: Any, partner: Any) -> Cart:
    cart = cart_for(actor, partner)
    return Cart.objects.select_for_update().get(pk=cart.pk)


def cart_add(
    *,
    actor: Any,
    partner: Any,
    company: Any,
    item: Item,
    quantity: Any,
    unit: Any = None,
    requested_date: date | None = None,
    note: str = "",
) -> CartLine:
    """Add a quantity of the item sold by the company to the person's cart (to the line already there, if any)."""
    require_orderer(actor, partner)
    quantity = parse_quantity(quantity)
    unit_id = getattr(unit, "pk", unit) or item.sales_unit_or_base_id
    if unit_id != item.sales_unit_or_base_id:
        raise DomainError(_("Order %(item)s in %(unit)s.") % {"item": item.code, "unit": sales_unit(item).code})
    note = check_note(note)
    check_requested_date(requested_date, company)
    with transaction.atomic():
        active_account(partner, company)
        problem = item_problem(item)
        if problem:
            raise DomainError(problem)
        cart = _locked_cart(actor, partner)
        line = CartLine.objects.filter(cart=cart, company=company, item=item, unit_id=unit_id).first()
        total = quantity + (line.quantity if line else Decimal("0"))
        _check_line(item=item, quantity=total)
        if resolve_price(customer=partner, company=company, item=item, quantity=total, unit=unit_id) is None:
            raise DomainError(
                _("%(company)s has no price for %(item)s for you: request a quote.")
                % {"company": company.name, "item": item.code}
            )
        if line is None:
            line = CartLine.objects.create(
                cart=cart,
                company=company,
                item=item,
                unit_id=unit_id,
                quantity=total,
                requested_date=requested_date,
                note=note,
            )
        else:
            line.quantity = total
            fields = ["quantity"]
            if requested_date is not None:
                line.requested_date = requested_date
                fields.append("requested_date")
            if note:
                line.note = note
                fields.append("note")
            line.save(update_fields=fields)
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
        return line


def _own_line(actor: Any, line: CartLine) -> CartLine:
    """The line, re-read with its cart locked; only the cart's owner may change it."""
    cart = Cart.objects.select_for_update().select_related("customer").filter(pk=line.cart_id).first()
    if cart is None or cart.user_id != actor.pk:
        raise PermissionDenied
    require_orderer(actor, cart.customer)
    locked = CartLine.objects.select_related("item", "item__sales_unit", "item__base_unit", "company").filter(
        pk=line.pk
    )
    found = locked.first()
    if found is None:
        raise DomainError(_("That line is no longer in your cart."))
    return found


def cart_line_update(
    *, actor: Any, line: CartLine, quantity: Any, requested_date: date | None = None, note: str = ""
) -> CartLine:
    """Change a line's quantity, requested delivery date and note."""
    quantity = parse_quantity(quantity)
    note = check_note(note)
    with transaction.atomic():
        line = _own_line(actor, line)
        check_requested_date(requested_date, line.company)
        _check_line(item=line.item, quantity=quantity)
        line.quantity, line.requested_date, line.note = quantity, requested_date, note
        line.save(update_fields=["quantity", "requested_date", "note"])
        Cart.objects.filter(pk=line.cart_id).update(updated_at=timezone.now())
        return line


def cart_line_remove(*, actor: Any, line: CartLine) -> None:
    """Take a line out of the cart."""
    with transaction.atomic():
        line = _own_line(actor, line)
        line.delete()
        Cart.objects.filter(pk=line.cart_id).update(updated_at=timezone.now())


def cart_clear(*, actor: Any, cart: Cart) -> int:
    """Empty the cart; returns how many lines were removed."""
    if cart.user_id != actor.pk:
        raise PermissionDenied
    require_orderer(actor, cart.customer)
    with transaction.atomic():
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        removed, _detail = CartLine.objects.filter(cart=cart).delete()
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
        return removed
