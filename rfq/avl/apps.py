from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AvlConfig(AppConfig):
    name = "rfq.avl"
    label = "avl"
    verbose_name = _("Approved vendor list")
