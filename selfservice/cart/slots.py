"""What the cart puts into the storefront's slots (catalog.shop.slots, filled in CartConfig.ready): an add-to-cart
form under each offer the visitor may order, a "log in to order" link for anonymous visitors, and the cart link
with its line count in the shop's header. The item action runs no query; the header widget runs one count for a
customer's person and none for anyone else."""

from __future__ import annotations

from typing import Any

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .selectors import cart_line_count
from .templatetags.cart_format import quantity


def add_to_cart_action(request, item, offer) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        login = reverse("account_login") + "?" + urlencode({"next": request.get_full_path()})
        return render_to_string("selfservice/cart/_login_to_order.html", {"login_url": login})
    if offer is None or not offer.can_order or offer.quote is None:
        return None
    return _add_to_cart_form(request, item, offer)


def _add_to_cart_form(request, item: Any, offer: Any) -> str:
    """The add-to-cart form, built in code: a page of results shows it under every offer, and rendering a
    template per row cost more than the rest of the row (bench/results/shop_pages.md)."""
    unit = offer.unit.code
    field_id = f"{item.uuid}-{offer.company.code}"
    # the same for every row of the page: worked out once per request
    shared = getattr(request, "_add_to_cart_shared", None)
    if shared is None:
        shared = {"action": reverse("cart:add"), "csrf": get_token(request), "next": request.get_full_path()}
        request._add_to_cart_shared = shared
    rules = []
    if offer.min_quantity:
        rules.append(_("minimum %(minimum)s %(unit)s") % {"minimum": quantity(offer.min_quantity), "unit": unit})
    if offer.multiple:
        rules.append(_("in multiples of %(multiple)s %(unit)s") % {"multiple": quantity(offer.multiple), "unit": unit})
    return format_html(
        '<form method="post" action="{action}" class="inline-form add-to-cart">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        '<input type="hidden" name="item" value="{item}"><input type="hidden" name="company" value="{company}">'
        '<input type="hidden" name="next" value="{next}">'
        '<div class="field"><label for="qty-{id}">{quantity_label}</label> '
        '<input class="input" id="qty-{id}" name="quantity" inputmode="decimal" size="6" value="{start}" required> '
        "{unit}</div>"
        '<div class="field"><label for="date-{id}">{date_label}</label> '
        '<input class="input" id="date-{id}" name="requested_date" type="date"></div> '
        '<button class="btn btn-primary btn-sm">{add}</button>{rules}</form>',
        action=shared["action"],
        csrf=shared["csrf"],
        item=item.uuid,
        company=offer.company.uuid,
        next=shared["next"],
        id=field_id,
        quantity_label=_("Quantity"),
        start=_start_quantity(offer),
        unit=unit,
        date_label=_("Needed by"),
        add=_("Add to cart"),
        rules=format_html(' <span class="muted">{}</span>', ", ".join(rules)) if rules else "",
    )


def _start_quantity(offer: Any) -> str:
    """The minimum (or one multiple, or 1) as the form's starting quantity."""
    value = offer.min_quantity or offer.multiple or 1
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def cart_header_widget(request) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    membership = getattr(request, "membership", None)
    partner = getattr(membership, "partner", None) if membership else None
    if partner is None or not partner.is_customer:
        return None
    return render_to_string(
        "selfservice/cart/_header_link.html",
        {"count": cart_line_count(user, partner), "url": reverse("cart:cart")},
    )
