"""Beat tasks of the audit chain. Thin: no arguments, idempotent, all work in portal.audit.sealing."""

from celery import shared_task

from . import sealing

# One run seals at most this many batches, so a huge backlog cannot outlive the task's time limit; the next
# beat run continues where this one stopped.
MAX_BATCHES_PER_RUN = 20
BATCH_SIZE = 500


@shared_task(name="portal.audit.tasks.seal_audit_events", ignore_result=True)
def seal_audit_events() -> int:
    """Chain the events that are old enough (see the safety lag in sealing.py); returns how many."""
    sealed = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        count = sealing.seal_pending(batch=BATCH_SIZE)
        sealed += count
        if count < BATCH_SIZE:
            break
    return sealed


@shared_task(name="portal.audit.tasks.publish_audit_head", ignore_result=True)
def publish_audit_head() -> str | None:
    """Publish the chain head through the outbox (nothing new when it has not moved); returns the event id."""
    event = sealing.audit_head_publish()
    return str(event.uuid) if event is not None else None
