"""Fixtures of the outbox relay's tests: endpoints, events, a local receiver, fast timeouts, no jitter."""

import itertools

import pytest

from portal.integration import relay
from portal.integration.models import OutboxEvent, WebhookEndpoint
from tests.integration.receiver import Receiver

SECRET = "test-webhook-secret"
_object_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def relay_settings(settings, monkeypatch):
    """Short timeouts so failure modes are quick; no jitter so retry times are exact."""
    settings.OUTBOX_CONNECT_TIMEOUT = 0.5
    settings.OUTBOX_READ_TIMEOUT = 0.5
    settings.OUTBOX_RETRY_BASE_SECONDS = 10
    settings.OUTBOX_MAX_ATTEMPTS = 8
    settings.OUTBOX_LEASE_SECONDS = 60
    monkeypatch.setattr(relay, "JITTER_FRACTION", 0)
    return settings


def make_endpoint(url, *, secret=SECRET, topics=("*",), company=None, name="ERP", is_active=True):
    endpoint = WebhookEndpoint(name=name, url=url, topics=list(topics), company=company, is_active=is_active)
    endpoint.set_secret(secret)
    endpoint.save()
    return endpoint


def make_event(topic="partner.status_changed", *, company=None, object_id=None, payload=None, **fields):
    return OutboxEvent.objects.create(
        topic=topic,
        company=company,
        object_type="organisations.partner" if object_id != "" else "",
        object_id=str(next(_object_numbers)) if object_id is None else str(object_id),
        payload=payload if payload is not None else {"n": 1},
        **fields,
    )


@pytest.fixture
def receiver():
    running = Receiver(SECRET).start()
    yield running
    running.stop()


@pytest.fixture
def endpoint(db, receiver):
    return make_endpoint(receiver.url)
