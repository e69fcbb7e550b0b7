from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .registry import autodiscover


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # Panels are shown on every workspace page, so they are found at start-up; demo and ERP-simulator
        # modules are found by their own commands.
        autodiscover("panels")
