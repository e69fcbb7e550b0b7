"""A real Celery worker on Redis (CELERY_BROKER_URL, default redis://127.0.0.1:6379/15): tasks run outside
eager mode, the way production runs them. Each test uses queues of its own, so parallel runs sharing the
Redis database never take each other's messages."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from portal import celery_app
from portal.core.tasks import ping, ping_key

pytestmark = pytest.mark.worker


@pytest.fixture
def queues(settings):
    """Two fresh queue names; a worker thread (solo pool) consumes the first one only."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    consumed, ignored = f"test-{uuid.uuid4().hex}", f"test-{uuid.uuid4().hex}"
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[consumed], shutdown_timeout=30):
        yield consumed, ignored
    with celery_app.connection_for_write() as connection:
        for queue in (consumed, ignored):
            connection.default_channel.queue_delete(queue)


def wait_for(key: str, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cache.get(key)
        if value is not None:
            return value
        time.sleep(0.05)
    return None


def test_a_task_goes_through_redis_to_the_real_worker(queues):
    consumed, ignored = queues
    token, unheard_token = uuid.uuid4().hex, uuid.uuid4().hex

    ping.apply_async(args=[unheard_token], queue=ignored)
    ping.apply_async(args=[token], queue=consumed)

    # The worker thread shares this process's in-memory cache.
    answer = wait_for(ping_key(token), timeout=20)
    assert answer is not None
    assert {key: answer[key] for key in ("queue", "eager")} == {"queue": consumed, "eager": False}
    # The control: a message on a queue no worker consumes is not run (it would be, were Celery eager).
    assert cache.get(ping_key(unheard_token)) is None


def test_the_same_ping_delivered_twice_leaves_one_answer(queues):
    consumed, _ = queues
    token = uuid.uuid4().hex

    ping.apply_async(args=[token], queue=consumed)
    ping.apply_async(args=[token], queue=consumed)
    first = wait_for(ping_key(token), timeout=20)
    time.sleep(0.5)

    assert first is not None
    assert cache.get(ping_key(token)) == first
