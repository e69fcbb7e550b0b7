"""Core tasks. `ping` proves that a worker is alive and shares the web server's cache (used by
`manage.py ping_worker`, the smoke test and anyone checking a deployment)."""

from celery import shared_task
from django.core.cache import cache

PING_TIMEOUT_SECONDS = 600


def ping_key(token: str) -> str:
    return f"portal:ping:{token}"


@shared_task(bind=True, name="portal.core.tasks.ping", ignore_result=True, time_limit=30, soft_time_limit=20)
def ping(self, token: str) -> dict:
    """Record who answered `token` and through which queue. Idempotent: a token always writes one key."""
    delivery_info = self.request.delivery_info or {}
    answer = {
        "worker": self.request.hostname or "",
        "queue": delivery_info.get("routing_key") or "",
        "eager": bool(self.request.is_eager),
    }
    cache.set(ping_key(str(token)[:64]), answer, timeout=PING_TIMEOUT_SECONDS)
    return answer
