from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcingConfig(AppConfig):
    name = "rfq.sourcing"
    label = "sourcing"
    verbose_name = _("Sourcing")

    def ready(self) -> None:
        from . import notifications  # noqa: F401  (registers the notification kinds)
