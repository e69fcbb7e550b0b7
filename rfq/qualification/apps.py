from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

BEAT_ENTRY = "qualification-expiry"


class QualificationConfig(AppConfig):
    name = "rfq.qualification"
    label = "qualification"
    verbose_name = _("Supplier qualification")

    def ready(self) -> None:
        from portal.celery import app as celery_app
        from rfq.avl.gates import avl_gates

        from . import notifications  # noqa: F401  (registers the notification kinds)
        from .services import qualification_gate
        from .tasks import EXPIRY_TASK

        if "qualification" not in avl_gates:
            avl_gates.register("qualification", qualification_gate)
        # Settings are not ours to edit: the app adds its beat entry. Hourly, so that local midnight in each
        # company's time zone is caught within the hour; every reminder and event still goes once.
        schedule = dict(celery_app.conf.beat_schedule or {})
        schedule.setdefault(BEAT_ENTRY, {"task": EXPIRY_TASK, "schedule": 3600.0})
        celery_app.conf.beat_schedule = schedule
