from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import (
            notifications,  # noqa: F401  (registers the team notification kinds)
            receivers,  # noqa: F401  (connects the allauth signal receivers)
        )
