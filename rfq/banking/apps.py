from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BankingConfig(AppConfig):
    name = "rfq.banking"
    label = "banking"
    verbose_name = _("Supplier bank details")

    def ready(self):
        from . import notifications  # noqa: F401  registers the notification kinds
