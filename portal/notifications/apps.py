from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "portal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # notify() looks its e-mail task up by name in the web process too, where Celery's autodiscovery
        # (it runs in workers) has not imported the tasks module: register it here.
        from . import tasks  # noqa: F401
