"""Cart and checkout tasks: thin wrappers that take ids and call one service."""

from celery import shared_task

from selfservice.orders.confirmation import SEND_TASK, confirmation_send


@shared_task(
    name=SEND_TASK,
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_order_confirmation(order_id: int, kind: str) -> bool:
    """The order confirmation e-mail with its PDF (idempotent per order and kind)."""
    return confirmation_send(order_id=order_id, kind=kind)
