"""Thin tasks: take ids, call one service, safe to run twice."""

from celery import shared_task

from .emails import notification_email_send


@shared_task(
    name="portal.notifications.tasks.send_notification_email", ignore_result=True, time_limit=60, soft_time_limit=45
)
def send_notification_email(notification_id: int) -> None:
    notification_email_send(notification_id=notification_id)
