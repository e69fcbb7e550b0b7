"""Notification kinds of the storefront's quote requests (imported by ShopConfig.ready). Parameters: number (the
request's RQ-… number), item (code and name), customer, company, quantity (with its unit), price (formatted with
currency and unit), reason."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

GROUP = "orders"  # registered by the core: "Orders, deliveries and receipts"

QUOTE_REQUESTED = "shop.quote_requested"  # to the selling company's sales staff
QUOTE_ANSWERED = "shop.quote_answered"  # to the person who asked
QUOTE_DECLINED = "shop.quote_declined"  # to the person who asked

register_kind(
    QUOTE_REQUESTED,
    title=_("%(customer)s asks for a price: %(item)s"),
    body=_("Quote request %(number)s: %(customer)s asks %(company)s for a price of %(quantity)s of %(item)s."),
    group=GROUP,
)
register_kind(
    QUOTE_ANSWERED,
    title=_("Your price for %(item)s"),
    body=_("%(company)s answered quote request %(number)s: %(price)s. The price now shows on the item's page."),
    group=GROUP,
)
register_kind(
    QUOTE_DECLINED,
    title=_("No price for %(item)s"),
    body=_("%(company)s declined quote request %(number)s: %(reason)s"),
    group=GROUP,
)
