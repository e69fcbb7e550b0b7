from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CartConfig(AppConfig):
    name = "selfservice.cart"
    label = "cart"
    verbose_name = _("Cart")

    def ready(self) -> None:
        # The storefront offers slots; the cart fills them (catalog never names the cart, DESIGN.md §3).
        from catalog.shop import slots

        from . import tasks  # noqa: F401  (the confirmation e-mail task, so web processes can queue it)
        from .slots import add_to_cart_action, cart_header_widget

        if add_to_cart_action not in slots.item_actions:
            slots.item_actions.append(add_to_cart_action)
        if cart_header_widget not in slots.header_widgets:
            slots.header_widgets.append(cart_header_widget)
