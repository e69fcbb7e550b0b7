from celery import shared_task

EXPIRY_TASK = "rfq.qualification.tasks.qualification_expiry"


@shared_task(name=EXPIRY_TASK, ignore_result=True)
def qualification_expiry() -> dict:
    """Reminders before expiry and the expired event; each goes once, so the hourly schedule is only about
    catching local midnight in every company's time zone promptly."""
    from .services import qualification_expiry_run

    return qualification_expiry_run()
