"""End to end against a real receiver on 127.0.0.1: down, then slow, then up; and a relay worker killed in the
middle of a delivery. Afterwards every event has arrived, the receiver processed each event id exactly once
(it deduplicates redeliveries), and each object's events were processed in the order they were emitted."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from portal.integration import relay
from portal.integration.models import DeliveryAttempt, OutboxEvent
from tests.integration.conftest import SECRET, make_endpoint, make_event
from tests.integration.receiver import Receiver

BASE_DIR = Path(settings.BASE_DIR)


def emit_events(objects: int, per_object: int, loose: int = 0) -> list[OutboxEvent]:
    # interleaved, as a busy portal emits them: object 0, 1, 2 …, then each object's next event
    events = [
        make_event(object_id=f"obj-{number}", payload={"object": number, "sequence": sequence})
        for sequence in range(per_object)
        for number in range(objects)
    ]
    return events + [make_event(object_id="", payload={"loose": n}) for n in range(loose)]


def expected_order(events) -> dict[tuple[str, str], list[str]]:
    order: dict[tuple[str, str], list[str]] = {}
    for event in sorted(events, key=lambda event: event.pk):
        order.setdefault((event.object_type, event.object_id), []).append(str(event.uuid))
    return order


def assert_all_arrived_once_in_order(receiver: Receiver, events) -> None:
    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {"delivered"}
    assert receiver.bad_signatures == 0
    processed = [document["id"] for document in receiver.processed]
    assert sorted(processed) == sorted(str(event.uuid) for event in events)  # all arrived, each processed once
    order = receiver.order_by_object()
    loose = order.pop(("", ""), [])
    expected = expected_order(events)
    assert sorted(loose) == sorted(expected.pop(("", ""), []))
    assert order == expected


@pytest.mark.django_db
def test_receiver_down_then_slow_then_up(settings):
    receiver = Receiver(SECRET)  # not started: the port is closed
    make_endpoint(receiver.url)
    events = emit_events(objects=6, per_object=4, loose=3)
    now = timezone.now()
    try:
        # Down: connection refused; the first event counts an attempt, the rest of the round is put back.
        assert relay.deliver_due(now=now) == 9
        assert DeliveryAttempt.objects.filter(status_code=None, succeeded=False).count() == 1
        assert receiver.processed == []

        # Slow: the receiver handles the event but answers after the read timeout; the relay sees a timeout.
        receiver.mode, receiver.delay = "slow", settings.OUTBOX_READ_TIMEOUT + 0.5
        receiver.start()
        now += timedelta(hours=1)
        relay.deliver_due(now=now)
        assert DeliveryAttempt.objects.filter(error__startswith="ReadTimeout").count() == 1
        assert set(OutboxEvent.objects.values_list("status", flat=True)) == {"pending"}

        # Up: everything flows, the event handled during the slow phase is redelivered and deduplicated.
        receiver.mode = "up"
        for _ in range(20):
            now += timedelta(hours=1)
            if relay.deliver_due(now=now) == 0:
                break
    finally:
        receiver.stop()
    assert_all_arrived_once_in_order(receiver, events)
    assert receiver.duplicates == 1


def relay_process(database_name: str, *, lease_seconds: float) -> subprocess.Popen:
    """`manage.py outbox_relay` as a separate worker process, on this test's database."""
    database_url = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": (
            f"postgres://{database_url['USER']}:{database_url['PASSWORD']}@{database_url['HOST']}:"
            f"{database_url['PORT'] or 5432}/{database_name}"
        ),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "outbox_relay", "--batch", "10", "--lease-seconds", str(lease_seconds)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_nothing():
    receiver = Receiver(SECRET).start()
    receiver.mode = "stall"  # the first request hangs: the worker is killed while it waits for the answer
    make_endpoint(receiver.url)
    events = emit_events(objects=8, per_object=3, loose=2)
    database_name = connection.settings_dict["NAME"]
    first = second = None
    try:
        first = relay_process(database_name, lease_seconds=3)
        assert receiver.stalled.wait(timeout=30), first.stderr.read1().decode() if first.poll() else "no request"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        # The claimed rows are still pending under the dead worker's lease.
        assert OutboxEvent.objects.filter(status="pending", lease_until__isnull=False).count() == 10
        assert OutboxEvent.objects.filter(status="delivered").count() == 0

        # The stalled request is handled after all (its answer goes nowhere), then the receiver is up.
        receiver.mode = "up"
        receiver.release()
        second = relay_process(database_name, lease_seconds=3)
        assert wait_until(lambda: not OutboxEvent.objects.exclude(status="delivered").exists(), timeout=40)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=15)
        receiver.stop()
    assert_all_arrived_once_in_order(receiver, events)
    # the stalled event was redelivered after the lease ran out; the receiver recognised it
    assert receiver.duplicates == 1
