"""The simulated ERP's webhook receiver: signatures checked, each event id processed once, reactions queued."""

import json
import time

import pytest
import requests

from portal.erpsim.server import ErpSimulator, ReceivedEvents
from portal.integration.signing import signature_header

SECRET = "erp-test-secret"


def signed(event: dict, *, secret: str = SECRET, timestamp: int | None = None) -> tuple[bytes, dict]:
    body = json.dumps(event).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json",
        "Portal-Event-Id": event["id"],
        "Portal-Event-Topic": event["topic"],
        "Portal-Timestamp": str(timestamp),
        "Portal-Signature": signature_header(secret, timestamp, body),
    }
    return body, headers


@pytest.fixture
def simulator(tmp_path):
    reactions = []
    erp = ErpSimulator(
        secret=SECRET,
        store=ReceivedEvents(tmp_path / "received.sqlite3"),
        handlers={"partner.approved": lambda event, api: reactions.append(event["id"])},
    )
    host, port = erp.start("127.0.0.1", 0)
    erp.url = f"http://{host}:{port}"
    erp.reactions = reactions
    yield erp
    erp.stop()


def event(number: int, topic: str = "partner.approved") -> dict:
    return {
        "id": f"00000000-0000-0000-0000-{number:012d}",
        "topic": topic,
        "object": {"type": "organisations.partner", "id": "p1"},
        "data": {},
    }


def test_a_signed_event_is_recorded_once_and_handled_once(simulator):
    body, headers = signed(event(1))
    first = requests.post(f"{simulator.url}/webhooks", data=body, headers=headers, timeout=5)
    again = requests.post(f"{simulator.url}/webhooks", data=body, headers=headers, timeout=5)
    simulator.drain()
    assert (first.status_code, first.json()) == (200, {"id": event(1)["id"], "duplicate": False})
    assert (again.status_code, again.json()) == (200, {"id": event(1)["id"], "duplicate": True})
    assert simulator.reactions == [event(1)["id"]]
    assert [row["id"] for row in requests.get(f"{simulator.url}/events", timeout=5).json()] == [event(1)["id"]]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, headers: (body.replace(b"partner", b"partnez"), headers),
        lambda body, headers: (body, headers | {"Portal-Signature": signature_header("wrong", 1, body)}),
        lambda body, headers: (body, headers | {"Portal-Timestamp": str(int(headers["Portal-Timestamp"]) - 3600)}),
        lambda body, headers: (body, {k: v for k, v in headers.items() if k != "Portal-Signature"}),
    ],
    ids=["tampered body", "wrong secret", "old timestamp", "no signature"],
)
def test_an_unsigned_or_tampered_event_is_refused_and_not_recorded(simulator, tamper):
    body, headers = tamper(*signed(event(2)))
    response = requests.post(f"{simulator.url}/webhooks", data=body, headers=headers, timeout=5)
    assert response.status_code == 401
    assert simulator.store.count() == 0 and simulator.reactions == []


def test_a_restarted_receiver_remembers_what_it_processed(tmp_path):
    path = tmp_path / "received.sqlite3"
    body, headers = signed(event(3))
    first = ErpSimulator(secret=SECRET, store=ReceivedEvents(path))
    assert first.receive(headers, body) == (200, {"id": event(3)["id"], "duplicate": False})
    second = ErpSimulator(secret=SECRET, store=ReceivedEvents(path))
    assert second.receive(headers, body) == (200, {"id": event(3)["id"], "duplicate": True})
