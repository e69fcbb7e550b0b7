"""Core tasks. `ping` proves that a worker is alive and shares the web server's cache (used by
`manage.py ping_worker`, the smoke test and anyone checking a deployment)."""

from celery import shared_task
from django.core.cache import cache

PING_TIMEOUT_SECONDS = 600


def ping_key(token: str) -> str:
    return f"portal:ping:{token}"


@shared_task(bind=True, name="portal.core.tasks.ping", ignore_result=True, time_limit=30, soft_time_limit=20)
def ping(self, token: str) -> str:
    """Record which worker answered `token`. Idempotent: the same token always writes the same key."""
    answered_by = "eager" if self.request.is_eager else (self.request.hostname or "unknown")
    cache.set(ping_key(str(token)[:64]), answered_by, timeout=PING_TIMEOUT_SECONDS)
    return answered_by
