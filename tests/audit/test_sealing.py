import datetime
import hashlib
import hmac
import io
import threading

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from portal.audit import sealing
from portal.audit.models import AuditChainHead, AuditEvent
from portal.audit.services import audit_record
from portal.audit.tasks import publish_audit_head, seal_audit_events
from portal.integration.models import OutboxEvent

KEY = b"test-audit-key"  # portal.settings.test.AUDIT_HMAC_KEY
NOON = datetime.datetime(2026, 3, 2, 4, 0, 0, 123456, tzinfo=datetime.UTC)


def verify(*args):
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def verify_broken(*args):
    out = io.StringIO()
    with pytest.raises(CommandError, match="^The audit chain is broken.$"):
        call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def three_events(cast):
    """Three events recorded at noon, sealed ten seconds later (beyond the safety lag)."""
    with time_machine.travel(NOON, tick=False):
        events = [
            audit_record(
                actor=cast.supplier_a_admin,
                action="partner.update",
                obj=cast.supplier_a,
                partner=cast.supplier_a,
                before={"name": "甲"},
                after={"name": "甲供应商"},
            ),
            audit_record(
                actor=cast.buyer,
                action="company.update",
                obj=cast.company_a,
                company=cast.company_a,
                after={"currency": "CNY", "ledger_code": "L1"},
            ),
            audit_record(actor=None, action="system.check"),
        ]
    with time_machine.travel(NOON + datetime.timedelta(seconds=10), tick=False):
        assert sealing.seal_pending() == 3
    return [AuditEvent.objects.get(pk=event.pk) for event in events]


@pytest.mark.django_db
def test_canonical_form_is_sorted_json_of_the_meaningful_fields_in_utc(cast):
    with time_machine.travel(NOON, tick=False):
        event = audit_record(
            actor=cast.buyer,
            action="company.update",
            obj=cast.company_a,
            company=cast.company_a,
            before={"b": 1, "a": "上海"},
            after={},
        )
    AuditEvent.objects.filter(pk=event.pk).update(ip_address="203.0.113.9")
    event = AuditEvent.objects.get(pk=event.pk)
    expected = (
        f'{{"action":"company.update","actor_id":{cast.buyer.pk},"actor_label":"buyer@group.test","after":{{}},'
        f'"before":{{"a":"上海","b":1}},"company_id":{cast.company_a.pk},'
        f'"created_at":"2026-03-02T04:00:00.123456+00:00","id":{event.pk},"ip_address":"203.0.113.9",'
        f'"object_id":"{cast.company_a.uuid}","object_label":"上海钢铁有限公司",'
        f'"object_type":"organisations.company","partner_id":null,"uuid":"{event.uuid}"}}'
    )
    assert sealing.canonical_form(event) == expected.encode("utf-8")


@pytest.mark.django_db
def test_sealing_chains_events_in_id_order_with_the_hmac_of_the_previous_seal(three_events):
    first, second, third = three_events

    def seal(previous: str, event) -> str:
        return hmac.new(KEY, previous.encode() + sealing.canonical_form(event), hashlib.sha256).hexdigest()

    expected_first = seal("", first)
    expected_second = seal(expected_first, second)
    expected_third = seal(expected_second, third)
    assert [(e.chain_position, e.seal) for e in three_events] == [
        (1, expected_first),
        (2, expected_second),
        (3, expected_third),
    ]
    head = AuditChainHead.objects.get()
    assert (head.last_event_id, head.seal, head.count) == (third.pk, expected_third, 3)
    # nothing left: a second run seals nothing and changes nothing
    assert sealing.seal_pending() == 0
    assert AuditChainHead.objects.get().seal == expected_third


@pytest.mark.django_db
def test_a_clean_chain_verifies(three_events):
    assert verify() == "OK: 3 sealed event(s) verified, 0 published head(s) matched.\n"


@pytest.mark.django_db
def test_a_tampered_row_is_the_first_broken_link(three_events):
    second = three_events[1]
    AuditEvent.objects.filter(pk=second.pk).update(after={"currency": "USD", "ledger_code": "L1"})
    assert verify_broken() == (
        f"BROKEN at event id={second.pk} uuid={second.uuid} action=company.update "
        f"time=2026-03-02T04:00:00.123456+00:00: its seal does not match its content or the event before it\n"
        f"1 event(s) verified before the break.\n"
    )


@pytest.mark.django_db
def test_a_resealed_row_without_the_key_is_detected(three_events):
    first = three_events[0]
    AuditEvent.objects.filter(pk=first.pk).update(actor_label="someone-else@example.test")
    forged = AuditEvent.objects.get(pk=first.pk)
    wrong_key_seal = hmac.new(b"guessed-key", sealing.canonical_form(forged), hashlib.sha256).hexdigest()
    AuditEvent.objects.filter(pk=first.pk).update(seal=wrong_key_seal)
    assert verify_broken().startswith(f"BROKEN at event id={first.pk} uuid={first.uuid} action=partner.update ")


@pytest.mark.django_db
def test_a_deleted_row_in_the_middle_is_detected_at_the_row_after_it(three_events):
    first, second, third = three_events
    AuditEvent.objects.filter(pk=second.pk).delete()
    assert verify_broken() == (
        f"BROKEN at event id={third.pk} uuid={third.uuid} action=system.check "
        f"time=2026-03-02T04:00:00.123456+00:00: chain position 3 where 2 was expected: "
        f"1 event(s) before it are missing\n"
        f"1 event(s) verified before the break.\n"
    )


@pytest.mark.django_db
def test_a_deleted_row_with_renumbered_positions_is_still_detected(three_events):
    first, second, third = three_events
    AuditEvent.objects.filter(pk=second.pk).delete()
    AuditEvent.objects.filter(pk=third.pk).update(chain_position=2)
    assert verify_broken().startswith(
        f"BROKEN at event id={third.pk} uuid={third.uuid} action=system.check "
        f"time=2026-03-02T04:00:00.123456+00:00: its seal does not match"
    )


@pytest.mark.django_db
def test_events_younger_than_the_safety_lag_wait_and_are_reported_as_unsealed(cast, three_events):
    with time_machine.travel(NOON + datetime.timedelta(seconds=20), tick=False):
        young = audit_record(actor=cast.buyer, action="company.update", obj=cast.company_a)
    with time_machine.travel(NOON + datetime.timedelta(seconds=24), tick=False):
        assert sealing.seal_pending() == 0
        assert verify() == (
            "OK: 3 sealed event(s) verified, 0 published head(s) matched.\n"
            f"1 event(s) not sealed yet (from id {young.pk}); the sealer chains them on its next run.\n"
        )
    with time_machine.travel(NOON + datetime.timedelta(seconds=25), tick=False):
        assert sealing.seal_pending() == 1
    assert AuditEvent.objects.get(pk=young.pk).chain_position == 4


@pytest.mark.django_db
def test_a_row_committed_after_the_lag_is_appended_at_the_tail_not_lost(cast, three_events):
    # An old id that became visible only after younger ids were sealed (a transaction longer than the lag).
    with time_machine.travel(NOON - datetime.timedelta(minutes=5), tick=False):
        late = audit_record(actor=cast.buyer, action="late.commit")
    AuditEvent.objects.filter(pk=late.pk).update(id=three_events[0].pk - 1)
    late_id = three_events[0].pk - 1
    assert sealing.seal_pending() == 1
    assert AuditEvent.objects.get(pk=late_id).chain_position == 4
    assert verify() == (
        f"note: event {late_id} was sealed after younger events (its transaction was long)\n"
        "OK: 4 sealed event(s) verified, 0 published head(s) matched.\n"
    )


@pytest.mark.django_db
def test_batches_continue_the_chain(cast, settings):
    settings.AUDIT_SEAL_LAG_SECONDS = 0
    events = [audit_record(actor=None, action=f"batch.{number}") for number in range(5)]
    assert sealing.seal_pending(batch=2) == 2
    assert sealing.seal_pending(batch=2) == 2
    assert sealing.seal_pending(batch=2) == 1
    assert list(AuditEvent.objects.order_by("id").values_list("id", "chain_position")) == [
        (event.pk, position) for position, event in enumerate(events, start=1)
    ]
    assert verify() == "OK: 5 sealed event(s) verified, 0 published head(s) matched.\n"


@pytest.mark.django_db
def test_the_beat_task_seals_everything_due(cast, settings):
    settings.AUDIT_SEAL_LAG_SECONDS = 0
    for number in range(3):
        audit_record(actor=None, action=f"task.{number}")
    assert seal_audit_events.delay().get() == 3
    assert AuditEvent.objects.filter(chain_position__isnull=True).count() == 0


@pytest.mark.django_db
def test_publishing_the_head_writes_exactly_one_outbox_row_with_the_head(three_events):
    third = three_events[2]
    with transaction.atomic():  # the task opens its own transaction; nested here only to prove it is one
        event_id = publish_audit_head.delay().get()
    event = OutboxEvent.objects.get()
    assert str(event.uuid) == event_id
    assert (event.topic, event.company_id, event.status) == ("audit.chain_head", None, "pending")
    assert event.payload == {"last_id": third.pk, "seal": third.seal, "count": 3}
    # the same head again is nothing new
    assert publish_audit_head.delay().get() is None
    assert OutboxEvent.objects.count() == 1
    assert verify() == "OK: 3 sealed event(s) verified, 1 published head(s) matched.\n"


@pytest.mark.django_db
def test_an_empty_chain_publishes_nothing(db):
    assert sealing.audit_head_publish() is None
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db
def test_cutting_off_the_tail_is_detected_against_the_published_head(three_events):
    sealing.audit_head_publish()
    third = three_events[2]
    AuditEvent.objects.filter(pk=third.pk).delete()
    AuditChainHead.objects.update(last_event_id=three_events[1].pk, seal=three_events[1].seal, count=2)
    output = verify_broken()
    assert output == (
        "BROKEN at event id=None uuid=- action=- time=-: the published chain head "
        f"count=3 last_id={third.pk} seal={third.seal} is no longer part of the chain "
        "(events were removed or resealed)\n"
        "2 event(s) verified before the break.\n"
    )


@pytest.mark.django_db
def test_a_head_kept_outside_the_database_is_checked(three_events):
    second = three_events[1]
    assert verify(f"--head=2:{second.pk}:{second.seal}") == (
        "OK: 3 sealed event(s) verified, 1 published head(s) matched.\n"
    )
    verify_broken(f"--head=2:{second.pk}:{'0' * 64}")


@pytest.mark.django_db
def test_sealing_without_a_key_refuses_and_seals_nothing(cast, settings):
    settings.AUDIT_SEAL_LAG_SECONDS = 0
    settings.AUDIT_HMAC_KEY = ""
    audit_record(actor=None, action="no.key")
    with pytest.raises(ImproperlyConfigured):
        sealing.seal_pending()
    assert AuditEvent.objects.filter(chain_position__isnull=False).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_second_sealer_backs_off_while_the_first_holds_the_chain(settings):
    settings.AUDIT_SEAL_LAG_SECONDS = 0
    audit_record(actor=None, action="race.one")
    AuditChainHead.objects.get_or_create(pk=AuditChainHead.SINGLETON_ID)
    locked, release = threading.Event(), threading.Event()
    results = {}

    def first_sealer():
        try:
            with transaction.atomic():
                AuditChainHead.objects.select_for_update().get(pk=AuditChainHead.SINGLETON_ID)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_sealer)
    thread.start()
    assert locked.wait(timeout=10)
    try:
        results["second"] = sealing.seal_pending()
    finally:
        release.set()
        thread.join(timeout=10)
    assert results["second"] == 0
    assert AuditEvent.objects.filter(chain_position__isnull=False).count() == 0
    assert sealing.seal_pending() == 1
