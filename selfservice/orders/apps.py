from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "selfservice.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from . import notifications  # noqa: F401  (registers the notification kinds)
