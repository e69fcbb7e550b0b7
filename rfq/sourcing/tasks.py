"""Sourcing's beat tasks: they only notify; no deadline depends on them (the services check the clock)."""

from celery import shared_task

from .award_letters import award_letters_render_by_id
from .awards import LETTERS_TASK
from .rfqs import reminders_send

REMINDERS_TASK = "rfq.sourcing.tasks.bid_reminders"


@shared_task(name=REMINDERS_TASK, ignore_result=True, time_limit=300, soft_time_limit=240)
def bid_reminders() -> dict:
    """Reminders 48 h and 4 h before a round's deadline to invited suppliers who have not answered, once each."""
    return reminders_send()


@shared_task(name=LETTERS_TASK, ignore_result=True, time_limit=600, soft_time_limit=540)
def award_letters_render(award_id: int) -> int:
    """The award letters and regret notices of an approved award as PDFs (idempotent: a retry stores nothing new)."""
    return award_letters_render_by_id(award_id)
