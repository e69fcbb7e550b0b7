"""emit() wakes the relay once its transaction commits (once per transaction), and only when configured to."""

import pytest
from django.db import transaction

from portal.integration import outbox
from portal.integration.outbox import emit


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(outbox.celery_app, "send_task", lambda name, **options: calls.append((name, options)))
    return calls


@pytest.mark.django_db
def test_a_commit_wakes_the_relay_once(settings, sent, django_capture_on_commit_callbacks):
    settings.OUTBOX_WAKE_ON_COMMIT = True
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            emit("test.one", {"n": 1})
            emit("test.two", {"n": 2})
            assert sent == []  # not before the commit
    assert sent == [("portal.integration.tasks.deliver_outbox", {"retry": False, "ignore_result": True})]


@pytest.mark.django_db
def test_a_rollback_wakes_nothing_and_the_test_settings_wake_nothing(
    settings, sent, django_capture_on_commit_callbacks
):
    settings.OUTBOX_WAKE_ON_COMMIT = True
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            emit("test.rolled_back", {})
            raise RuntimeError
    settings.OUTBOX_WAKE_ON_COMMIT = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        emit("test.quiet", {})
    assert (sent, callbacks) == ([], [])
