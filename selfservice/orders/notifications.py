"""Notification kinds of sales orders (imported by OrdersConfig.ready). Parameters: order (its number), company,
customer, total (formatted amount with currency), reason, summary."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import register_kind

GROUP = "orders"  # registered by the core: "Orders, deliveries and receipts"

SUBMITTED = "orders.submitted"  # to the selling company's sales staff
CREDIT_HOLD = "orders.credit_hold"  # to its sales managers
PAID = "orders.paid"  # to the customer's people
REVIEWED = "orders.reviewed"  # to the customer's people: confirmed / changed / rejected
CANCELLED = "orders.cancelled"

register_kind(
    SUBMITTED,
    title=_("New order %(order)s from %(customer)s"),
    body=_("%(customer)s submitted order %(order)s (%(total)s) for review."),
    group=GROUP,
)
register_kind(
    CREDIT_HOLD,
    title=_("Order %(order)s is over %(customer)s's credit limit"),
    body=_("%(customer)s asks for a special approval of order %(order)s (%(total)s): %(reason)s"),
    group=GROUP,
)
register_kind(
    PAID,
    title=_("Payment received for order %(order)s"),
    body=_("%(company)s received %(total)s for order %(order)s. The order is now being reviewed."),
    group=GROUP,
)
register_kind(
    REVIEWED,
    title=_("Order %(order)s: %(summary)s"),
    body=_("%(company)s reviewed your order %(order)s: %(summary)s Open the order to see every line."),
    group=GROUP,
)
register_kind(
    CANCELLED,
    title=_("Order %(order)s was cancelled"),
    body=_("Order %(order)s was cancelled: %(reason)s"),
    group=GROUP,
)
