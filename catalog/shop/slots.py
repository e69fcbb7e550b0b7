"""Slots the storefront offers other apps (DESIGN.md §3): catalog never names the cart; selfservice fills these
in its AppConfig.ready.

- `item_actions`: callables `(request, item, offer) -> str | None` (safe HTML), rendered on the item page and on
  each result row under an offer. `offer` is a `catalog.shop.selectors.Offer` (selling company, price quote or
  None, sales unit, minimum and multiple) or None when the visitor sees no price.
- `header_widgets`: callables `(request) -> str | None` (safe HTML) rendered in the shop's header (the cart link).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

item_actions: list[Callable[..., Any]] = []
header_widgets: list[Callable[..., Any]] = []


def render_item_actions(request, item, offer) -> SafeString:
    return mark_safe("".join(str(html) for action in item_actions if (html := action(request, item, offer))))


def render_header_widgets(request) -> SafeString:
    return mark_safe("".join(str(html) for widget in header_widgets if (html := widget(request))))
