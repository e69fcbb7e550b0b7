"""The relay: routing by topic and company, the request it sends, retries with backoff, dead events, and the
per-object order (a dead event holds back its object's later events until it is replayed or skipped)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.integration import relay
from portal.integration.models import DeliveryAttempt, OutboxEvent, OutboxStatus
from portal.integration.services import event_replay, event_skip
from portal.integration.signing import verify_signature
from portal.integration.tasks import deliver_outbox
from tests.integration.conftest import SECRET, make_endpoint, make_event
from tests.integration.receiver import Receiver, free_port


def statuses(*events):
    return [OutboxEvent.objects.get(pk=event.pk).status for event in events]


@pytest.mark.django_db
def test_the_request_is_signed_json_with_the_documented_headers(cast, endpoint, receiver, monkeypatch):
    seen = {}
    original = receiver.handle

    def spy(path, headers, body):
        seen.update(headers=dict(headers), body=body)
        return original(path, headers, body)

    monkeypatch.setattr(receiver, "handle", spy)
    event = make_event(company=cast.company_a, object_id="P1", payload={"status": "approved", "amount": "12.50"})

    assert relay.deliver_due() == 1

    headers, body = seen["headers"], seen["body"]
    assert headers["Content-Type"] == "application/json"
    assert headers["Portal-Event-Id"] == str(event.uuid)
    assert headers["Portal-Event-Topic"] == "partner.status_changed"
    assert verify_signature(SECRET, headers["Portal-Timestamp"], body, headers["Portal-Signature"]) is True
    assert json.loads(body) == {
        "id": str(event.uuid),
        "topic": "partner.status_changed",
        "created_at": event.created_at.isoformat(),
        "company": "SH01",
        "object": {"type": "organisations.partner", "id": "P1"},
        "data": {"status": "approved", "amount": "12.50"},
    }
    event.refresh_from_db()
    assert (event.status, event.attempts, event.lease_until, event.last_error) == ("delivered", 1, None, "")
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.event_id, attempt.endpoint_id, attempt.status_code, attempt.succeeded, attempt.error) == (
        event.pk,
        endpoint.pk,
        204,
        True,
        "",
    )


@pytest.mark.django_db
def test_events_go_to_the_endpoints_subscribed_by_topic_and_company(cast):
    paths = {"/group": "s-group", "/a-partner": "s-a", "/b-items": "s-b", "/off": "s-off"}
    receiver = Receiver(paths).start()
    try:
        base = receiver.url.rstrip("/")
        make_endpoint(f"{base}/group", secret="s-group", topics=["*"])
        make_endpoint(f"{base}/a-partner", secret="s-a", topics=["partner.*"], company=cast.company_a)
        make_endpoint(f"{base}/b-items", secret="s-b", topics=["item.created"], company=cast.company_b)
        make_endpoint(f"{base}/off", secret="s-off", topics=["*"], is_active=False)
        events = {
            "partner A": make_event("partner.status_changed", company=cast.company_a),
            "partner group-wide": make_event("partner.registered"),
            "partner B": make_event("partner.status_changed", company=cast.company_b),
            "item created B": make_event("item.created", company=cast.company_b),
            "item changed B": make_event("item.changed", company=cast.company_b),
            "item created group-wide": make_event("item.created"),
        }
        relay.deliver_due()
    finally:
        receiver.stop()

    received = {
        name: sorted(path for path, event_id in receiver.requests if event_id == str(event.uuid))
        for name, event in events.items()
    }
    assert received == {
        "partner A": ["/a-partner", "/group"],
        "partner group-wide": ["/a-partner", "/group"],
        "partner B": ["/group"],
        "item created B": ["/b-items", "/group"],
        "item changed B": ["/group"],
        "item created group-wide": ["/b-items", "/group"],
    }
    assert receiver.bad_signatures == 0
    assert set(OutboxEvent.objects.values_list("status", flat=True)) == {"delivered"}


@pytest.mark.django_db
def test_an_event_nobody_subscribes_to_is_delivered_without_an_attempt(cast, receiver):
    make_endpoint(receiver.url, topics=["item.*"])
    event = make_event("partner.registered")
    assert relay.deliver_due() == 1
    event.refresh_from_db()
    assert (event.status, event.attempts, DeliveryAttempt.objects.count()) == ("delivered", 0, 0)
    assert receiver.requests == []


@pytest.mark.django_db
def test_a_4xx_makes_the_event_dead_at_once(endpoint, receiver):
    receiver.mode, receiver.status = "status", 422
    event = make_event()
    relay.deliver_due()
    event.refresh_from_db()
    assert (event.status, event.attempts, event.next_attempt_at, event.last_error) == ("dead", 1, None, "HTTP 422: ")
    assert DeliveryAttempt.objects.get().status_code == 422


@pytest.mark.parametrize("status", [500, 503, 408, 429])
@pytest.mark.django_db
def test_5xx_408_and_429_are_retried_with_exponential_backoff_then_dead(endpoint, receiver, status):
    receiver.mode, receiver.status = "status", status
    event = make_event()
    now = timezone.now()
    expected_delays = [10, 20, 40, 80, 160, 320, 640]
    for attempts, delay in enumerate(expected_delays, start=1):
        assert relay.deliver_due(now=now) == 1
        event.refresh_from_db()
        assert (event.status, event.attempts, event.next_attempt_at) == (
            "pending",
            attempts,
            now + timedelta(seconds=delay),
        )
        assert relay.deliver_due(now=now + timedelta(seconds=delay - 1)) == 0  # not due yet
        now += timedelta(seconds=delay)
    relay.deliver_due(now=now)  # the 8th attempt (OUTBOX_MAX_ATTEMPTS) is the last
    event.refresh_from_db()
    assert (event.status, event.attempts, event.last_error) == ("dead", 8, f"HTTP {status}: ")
    assert DeliveryAttempt.objects.filter(event=event, status_code=status).count() == 8


def test_the_delay_doubles_from_the_base_and_is_capped_at_an_hour(relay_settings):
    assert [relay.retry_delay_seconds(n) for n in (1, 2, 3, 9, 10, 30)] == [10, 20, 40, 2560, 3600, 3600]


def test_jitter_adds_at_most_a_tenth(relay_settings, monkeypatch):
    monkeypatch.setattr(relay, "JITTER_FRACTION", 0.1)
    monkeypatch.setattr(relay.random, "random", lambda: 0.999)
    assert relay.retry_delay_seconds(3) == pytest.approx(40 + 3.996)


@pytest.mark.django_db
def test_a_network_error_is_retried_and_the_endpoint_is_not_called_again_in_the_round(db):
    endpoint = make_endpoint(f"http://127.0.0.1:{free_port()}/")  # nothing listens: connection refused
    first, second = make_event(), make_event()
    now = timezone.now()
    assert relay.deliver_due(now=now) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts, first.next_attempt_at) == ("pending", 1, now + timedelta(seconds=10))
    assert first.last_error.startswith("ConnectionError")
    # the second was not tried against an endpoint that just refused: back in the queue, no attempt counted
    assert (second.status, second.attempts, second.next_attempt_at) == ("pending", 0, now + timedelta(seconds=10))
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.event_id, attempt.endpoint_id, attempt.status_code, attempt.succeeded) == (
        first.pk,
        endpoint.pk,
        None,
        False,
    )


@pytest.mark.django_db
def test_a_retry_calls_only_the_endpoints_that_have_not_succeeded(cast):
    good, flaky = Receiver("s-good").start(), Receiver("s-flaky").start()
    try:
        make_endpoint(good.url, secret="s-good", name="good")
        make_endpoint(flaky.url, secret="s-flaky", name="flaky")
        flaky.mode, flaky.status = "status", 503
        event = make_event()
        now = timezone.now()
        relay.deliver_due(now=now)
        assert statuses(event) == ["pending"]
        flaky.mode = "up"
        relay.deliver_due(now=now + timedelta(seconds=10))
    finally:
        good.stop()
        flaky.stop()
    assert len(good.requests) == 1
    assert len(flaky.requests) == 2
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("delivered", 2)
    assert sorted(DeliveryAttempt.objects.values_list("endpoint__name", "succeeded")) == [
        ("flaky", False),
        ("flaky", True),
        ("good", True),
    ]


@pytest.mark.django_db
def test_a_dead_event_holds_back_its_object_until_skipped_while_other_objects_flow(cast, endpoint, receiver):
    x1, x2, x3 = (make_event(object_id="X", payload={"n": n}) for n in (1, 2, 3))
    y1, y2 = (make_event(object_id="Y", payload={"n": n}) for n in (1, 2))
    loose = make_event(object_id="")
    receiver.refuse_ids = {str(x1.uuid)}

    assert relay.deliver_due() == 3  # x1, y1 and the event without an object: only each object's oldest
    assert statuses(x1, x2, x3, y1, y2, loose) == ["dead", "pending", "pending", "delivered", "pending", "delivered"]
    assert relay.deliver_due() == 1  # y2 flows; x2 and x3 wait behind the dead x1
    assert relay.deliver_due() == 0
    assert statuses(x2, x3, y2) == ["pending", "pending", "delivered"]

    event_skip(event=x1, actor=cast.group_admin)
    while relay.deliver_due():
        pass
    assert statuses(x1, x2, x3) == ["skipped", "delivered", "delivered"]
    assert receiver.order_by_object() == {
        ("organisations.partner", "X"): [str(x2.uuid), str(x3.uuid)],
        ("organisations.partner", "Y"): [str(y1.uuid), str(y2.uuid)],
        ("", ""): [str(loose.uuid)],
    }


@pytest.mark.django_db
def test_replaying_the_dead_event_delivers_it_first_then_the_held_back_ones(cast, endpoint, receiver):
    x1, x2 = make_event(object_id="X"), make_event(object_id="X")
    receiver.refuse_ids = {str(x1.uuid)}
    relay.deliver_due()
    assert statuses(x1, x2) == ["dead", "pending"]

    receiver.refuse_ids = set()
    event_replay(event=x1, actor=cast.group_admin)
    assert deliver_outbox() == 2  # the Celery task loops until nothing is due
    assert statuses(x1, x2) == ["delivered", "delivered"]
    assert receiver.order_by_object() == {("organisations.partner", "X"): [str(x1.uuid), str(x2.uuid)]}


@pytest.mark.django_db
def test_leased_and_future_events_are_not_claimed(endpoint):
    now = timezone.now()
    make_event(lease_until=now + timedelta(seconds=30))
    make_event(next_attempt_at=now + timedelta(seconds=30))
    make_event(status=OutboxStatus.SKIPPED)
    assert relay.deliver_due(now=now) == 0
    # a lease that ran out (its worker died) is claimed again
    assert relay.deliver_due(now=now + timedelta(seconds=31)) == 2


@pytest.mark.django_db
def test_a_result_is_not_recorded_over_a_newer_claim_or_an_operators_skip(cast, endpoint):
    event = make_event()
    now = timezone.now()
    events = relay._claim(batch=10, now=now, lease_until=now + timedelta(seconds=60))
    rounds = relay._plan(events)
    relay._deliver(rounds, deadline=float("inf"))
    event_skip(event=event, actor=cast.group_admin)  # while the request was in flight
    relay._record(rounds, lease_until=now + timedelta(seconds=60), now=now)
    event.refresh_from_db()
    assert event.status == "skipped"
    assert DeliveryAttempt.objects.filter(event=event, succeeded=True).count() == 1  # the attempt is history
