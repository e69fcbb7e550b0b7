"""Two deliveries of one batch at once (an ERP retrying on a timeout): the database lets one in."""

import threading

import pytest
from django.db import connections

from catalog.models import Item
from portal.api import upserting
from portal.api.models import IdempotencyRecord
from tests.api.conftest import keyed, plate, post_batch
from tests.factories import make_api_client
from tests.factories.catalog import steel_plate_category, steel_units


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_arriving_while_the_first_is_in_flight_gets_409(monkeypatch):
    steel_units()
    steel_plate_category()
    client = make_api_client(company=None, name="erp-group")
    first_is_applying, may_finish = threading.Event(), threading.Event()
    apply_objects = upserting.apply_objects

    def held_apply_objects(*args, **kwargs):
        first_is_applying.set()
        assert may_finish.wait(10)
        return apply_objects(*args, **kwargs)

    monkeypatch.setattr(upserting, "apply_objects", held_apply_objects)
    answers = {}

    def deliver_first():
        try:
            answers["first"] = post_batch(keyed(client), "items", [plate()], **{"Idempotency-Key": "chunk-1"})
        finally:
            connections.close_all()

    thread = threading.Thread(target=deliver_first)
    thread.start()
    assert first_is_applying.wait(10)
    duplicate = post_batch(keyed(client), "items", [plate()], **{"Idempotency-Key": "chunk-1"})
    may_finish.set()
    thread.join(10)

    assert duplicate.status_code == 409
    assert duplicate["Content-Type"] == "application/problem+json"
    assert answers["first"].status_code == 200
    assert Item.objects.count() == 1
    replay = post_batch(keyed(client), "items", [plate()], **{"Idempotency-Key": "chunk-1"})
    assert replay.content == answers["first"].content
    assert IdempotencyRecord.objects.get().status_code == 200
