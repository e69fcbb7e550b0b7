"""What the cart puts into the storefront's slots (catalog.shop.slots, filled in CartConfig.ready): an add-to-cart
form under each offer the visitor may order, a "log in to order" link for anonymous visitors, and the cart link
with its line count in the shop's header. The item action runs no query; the header widget runs one count for a
customer's person and none for anyone else."""

from __future__ import annotations

from typing import Any

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from .selectors import cart_line_count


def add_to_cart_action(request, item, offer) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        login = reverse("account_login") + "?" + urlencode({"next": request.get_full_path()})
        return render_to_string("selfservice/cart/_login_to_order.html", {"login_url": login})
    if offer is None or not offer.can_order or offer.quote is None:
        return None
    return render_to_string(
        "selfservice/cart/_add_to_cart.html",
        {
            "item": item,
            "offer": offer,
            "quantity": _start_quantity(offer),
            "next": request.get_full_path(),
            "csrf_token": get_token(request),
        },
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
