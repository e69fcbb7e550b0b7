"""/shop/cart/: the cart, quick order, re-order and checkout of the person's active customer partner.

Every page acts for the person's active membership: its partner must be a customer (else 404) and the person
must hold the role admin or sales there (else 403). Lines and orders are fetched through the access layer and
narrowed to the person's own cart or the active partner's orders (404 otherwise). The rules are the services';
these views carry values and messages.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Item
from portal.core.errors import DomainError
from portal.core.workspaces import CUSTOMER, workspace_membership
from portal.organisations.access import get_object_for_user
from portal.organisations.models import Company, InvoicingDetails, PartnerAddress, PartnerStatus
from selfservice.orders.checkout import (
    Choice,
    OverCredit,
    PriceChanged,
    checkout_submit,
    ship_to_addresses,
)
from selfservice.orders.credit import credit_position
from selfservice.orders.models import SalesOrder
from selfservice.orders.workflow import customer_order_url
from selfservice.payments.models import PaymentSetup

from .models import CartLine
from .quick import quick_order_add, reorder_add
from .selectors import group_cart
from .services import cart_add, cart_clear, cart_for, cart_line_remove, cart_line_update, may_order

# --- who acts ----------------------------------------------------------------------------------------------------


def _orderer(request) -> Any:
    """The active customer partner the person orders for: 404 if it is not a customer, 403 without the role or
    before the partner is approved."""
    membership = workspace_membership(request, CUSTOMER)
    partner = membership.partner
    if not may_order(request.user, partner) or partner.status != PartnerStatus.APPROVED:
        raise PermissionDenied
    return partner


def _own_line(request, partner, line_id) -> CartLine:
    """A line of the person's own cart for the active partner; 404 for anyone else's."""
    lines = CartLine.objects.filter(cart__user=request.user, cart__customer=partner)
    return get_object_for_user(lines, request.user, line_id)


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def _date(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise DomainError(_("Enter the date as YYYY-MM-DD."))
    return parsed


# --- the cart ----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def cart_page(request):
    """The cart by selling company, priced today (a constant number of queries whatever the number of lines)."""
    partner = _orderer(request)
    cart = cart_for(request.user, partner)
    groups = group_cart(cart)
    return render(request, "selfservice/cart/cart.html", {"partner": partner, "cart": cart, "groups": groups})


@login_required
@require_POST
def cart_add_view(request):
    """Add an item from the storefront (item and company by their uuid in the form)."""
    partner = _orderer(request)
    back = _back(request, reverse("cart:cart"))
    item = Item.objects.filter(uuid=_uuid(request.POST.get("item"))).select_related("sales_unit", "base_unit").first()
    company = Company.objects.filter(uuid=_uuid(request.POST.get("company")), is_active=True).first()
    if item is None or company is None:
        messages.error(request, _("That item cannot be ordered here."))
        return redirect(back)
    try:
        line = cart_add(
            actor=request.user,
            partner=partner,
            company=company,
            item=item,
            quantity=request.POST.get("quantity"),
            requested_date=_date(request.POST.get("requested_date")),
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("%(item)s: %(quantity)s %(unit)s in your cart.")
        % {"item": item.code, "quantity": _quantity(line.quantity), "unit": line.unit.code},
    )
    return redirect(back)


def _uuid(value: Any) -> Any:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _quantity(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@login_required
@require_POST
def line_update(request, line_id):
    partner = _orderer(request)
    line = _own_line(request, partner, line_id)
    try:
        cart_line_update(
            actor=request.user,
            line=line,
            quantity=request.POST.get("quantity"),
            requested_date=_date(request.POST.get("requested_date")),
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, f"{line.item.code}: {error.message}")
    else:
        messages.success(request, _("%(item)s updated.") % {"item": line.item.code})
    return redirect("cart:cart")


@login_required
@require_POST
def line_remove(request, line_id):
    partner = _orderer(request)
    line = _own_line(request, partner, line_id)
    try:
        cart_line_remove(actor=request.user, line=line)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(item)s removed from your cart.") % {"item": line.item.code})
    return redirect("cart:cart")


@login_required
@require_POST
def clear(request):
    partner = _orderer(request)
    removed = cart_clear(actor=request.user, cart=cart_for(request.user, partner))
    messages.success(request, _("Your cart is empty now (%(count)d lines removed).") % {"count": removed})
    return redirect("cart:cart")


# --- quick order and re-order ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def quick_order(request):
    partner = _orderer(request)
    rows: list = []
    text = ""
    if request.method == "POST":
        text = request.POST.get("lines", "")[:20000]
        try:
            rows = quick_order_add(actor=request.user, partner=partner, text=text)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            added = sum(1 for row in rows if row.added)
            failed = len(rows) - added
            if not rows:
                messages.error(request, _("Paste at least one line: the item code and the quantity."))
            elif failed:
                messages.warning(
                    request,
                    _("%(added)d lines added to your cart; %(failed)d could not be added (see below).")
                    % {"added": added, "failed": failed},
                )
                # keep only the rows that failed in the box, to correct and send again
                text = "\n".join(row.text for row in rows if not row.added)
            else:
                messages.success(request, _("%(added)d lines added to your cart.") % {"added": added})
                return redirect("cart:cart")
    return render(request, "selfservice/cart/quick.html", {"partner": partner, "rows": rows, "text": text})


@login_required
@require_POST
def reorder(request, order_id):
    partner = _orderer(request)
    orders = SalesOrder.objects.filter(customer=partner).select_related("company")
    order = get_object_for_user(orders, request.user, order_id)
    rows = reorder_add(actor=request.user, partner=partner, order=order)
    added = [row for row in rows if row.added]
    if added:
        messages.success(
            request,
            _("%(count)d lines of order %(order)s added to your cart at today's prices.")
            % {"count": len(added), "order": order.number},
        )
    for row in rows:
        if not row.added:
            messages.warning(
                request,
                _("%(item)s could not be added: %(reason)s") % {"item": row.line.item.code, "reason": row.error},
            )
    return redirect("cart:cart")


# --- checkout ----------------------------------------------------------------------------------------------------


def _checkout_context(request, partner, **state: Any) -> dict[str, Any]:
    cart = cart_for(request.user, partner)
    groups = group_cart(cart)
    company_ids = [group.company.pk for group in groups]
    addresses = ship_to_addresses(partner, company_ids)
    setups = set(
        PaymentSetup.objects.filter(company_id__in=company_ids, is_active=True).values_list("company_id", flat=True)
    )
    for group in groups:
        group.addresses = addresses.get(group.company.pk, [])
        group.takes_prepayment = group.company.pk in setups
        group.credit = credit_position(group.account) if group.account else None
        group.fits_credit = bool(group.credit and group.credit.allows(group.gross_total))
        group.available = max(group.credit.available, Decimal("0")) if group.credit else Decimal("0")
        group.is_posted = state.get("company_id") == group.company.pk
    return {
        "partner": partner,
        "groups": groups,
        "invoicing": InvoicingDetails.objects.filter(partner=partner).first(),
        "choices": Choice,
        **state,
    }


@login_required
@require_GET
def checkout_page(request):
    """Per selling company: delivery address, invoicing details, reference, terms, credit and how to pay; each
    company's order is submitted on its own (a constant number of queries per company, whatever the lines)."""
    partner = _orderer(request)
    context = _checkout_context(request, partner)
    if not context["groups"]:
        messages.info(request, _("Your cart is empty."))
        return redirect("cart:cart")
    return render(request, "selfservice/checkout/checkout.html", context)


@login_required
@require_POST
def checkout_post(request):
    partner = _orderer(request)
    company = Company.objects.filter(uuid=_uuid(request.POST.get("company"))).first()
    if company is None:
        messages.error(request, _("Choose which company's order to submit."))
        return redirect("cart:checkout")
    ship_to = PartnerAddress.objects.filter(partner=partner, uuid=_uuid(request.POST.get("ship_to"))).first()
    expected = {key.removeprefix("price-"): value for key, value in request.POST.items() if key.startswith("price-")}
    state: dict[str, Any] = {"company_id": company.pk, "posted": request.POST}
    try:
        order = checkout_submit(
            actor=request.user,
            partner=partner,
            company=company,
            ship_to=ship_to,
            customer_po=request.POST.get("customer_po", ""),
            note=request.POST.get("note", "")[:2000],
            expected_prices=expected,
            choice=request.POST.get("choice", ""),
            reason=request.POST.get("reason", "")[:2000],
        )
    except PriceChanged as error:
        state.update(error=error.message, price_changes=error.changes)
    except OverCredit as error:
        state.update(error=error.message, over_credit=True)
    except DomainError as error:
        state.update(error=error.message)
    else:
        return redirect(_after_checkout(request, order))
    context = _checkout_context(request, partner, **state)
    if not context["groups"]:
        messages.error(request, state["error"])
        return redirect("cart:cart")
    if not any(group.is_posted for group in context["groups"]):
        messages.error(request, state["error"])  # a company with nothing in the cart: say it above the page
    return render(request, "selfservice/checkout/checkout.html", context, status=200)


def _after_checkout(request, order: SalesOrder) -> str:
    if order.status == "awaiting_payment":
        messages.success(
            request, _("Order %(order)s is placed. Pay it now to send it for review.") % {"order": order.number}
        )
        try:
            return reverse("payments:pay", kwargs={"order_id": order.uuid})
        except NoReverseMatch:
            return f"/customer/payments/{order.uuid}/"
    if order.status == "credit_hold":
        messages.success(
            request,
            _("Order %(order)s is placed and waits for a special credit approval; we will tell you.")
            % {"order": order.number},
        )
    else:
        messages.success(request, _("Order %(order)s is submitted for review.") % {"order": order.number})
    return customer_order_url(order)
