from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "catalog.shop"
    label = "shop"
    verbose_name = _("Shop")

    def ready(self) -> None:
        from . import notifications  # noqa: F401  (registers the notification kinds)
