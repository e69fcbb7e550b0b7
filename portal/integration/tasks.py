"""The relay as a Celery task: woken by emit() on commit and by beat every 10 s. Thin and idempotent: rows
are claimed with leases, so overlapping runs share the work instead of repeating it."""

import time

from celery import shared_task

from . import relay

# One run stops starting new rounds after this long (well inside CELERY_TASK_SOFT_TIME_LIMIT, since a round
# can take up to a lease); beat's next run carries on.
RUN_SECONDS = 120
BATCH_SIZE = 100


@shared_task(name="portal.integration.tasks.deliver_outbox", ignore_result=True)
def deliver_outbox() -> int:
    """Deliver until nothing is due (or the time is up); returns how many events were handled."""
    stop_at = time.monotonic() + RUN_SECONDS
    handled = 0
    while time.monotonic() < stop_at:
        count = relay.deliver_due(batch=BATCH_SIZE)
        handled += count
        if count == 0:
            break
    return handled
