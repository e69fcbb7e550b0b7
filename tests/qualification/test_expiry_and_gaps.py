"""Expiry boundaries (reminders 30/7/0 days before, each once; the expired event the day after, in the company's
zone), the gaps per company and category, and the AVL gate."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from rfq.avl.gates import gate_reasons
from rfq.qualification.models import DocumentStatus
from rfq.qualification.services import qualification_expiry_run, qualification_gaps, supplier_gaps
from tests.factories.catalog import CategoryFactory
from tests.qualification.factories import QualificationDocumentFactory, RequirementFactory, SuppliedCategoryFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
EXPIRES = dt.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(zone, *args):
    return dt.datetime(*args, tzinfo=zone)


def test_reminders_go_30_7_and_0_days_before_each_exactly_once(cast, iso9001, media):
    document = QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001, expires_on=EXPIRES)
    day = dt.date(2026, 11, 20)
    while day <= dt.date(2027, 1, 3):
        for hour in (0, 9, 23):  # several runs a day change nothing
            with time_machine.travel(at(SHANGHAI, day.year, day.month, day.day, hour, 30), tick=False):
                qualification_expiry_run()
        day += dt.timedelta(days=1)
    reminders = Notification.objects.filter(kind="qualification.document_expiring", recipient=cast.supplier_a_admin)
    assert sorted(reminder.params["days"] for reminder in reminders) == [0, 7, 30]
    assert sorted(reminder.created_at.astimezone(SHANGHAI).date() for reminder in reminders) == [
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 24),
        dt.date(2026, 12, 31),
    ]
    # only administrators are reminded
    assert not Notification.objects.filter(recipient=cast.supplier_a_sales).exists()
    document.refresh_from_db()
    assert document.reminded_30_at and document.reminded_7_at and document.reminded_0_at


def test_a_renewal_waiting_for_review_stops_the_reminders(cast, iso9001, media):
    old = QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001, expires_on=EXPIRES)
    QualificationDocumentFactory(
        partner=cast.supplier_a,
        document_type=iso9001,
        replaces=old,
        status=DocumentStatus.SUBMITTED,
        expires_on=dt.date(2029, 12, 31),
    )
    with time_machine.travel(at(SHANGHAI, 2026, 12, 24, 9), tick=False):
        qualification_expiry_run()
    assert not Notification.objects.filter(kind="qualification.document_expiring").exists()


def _expired_events():
    return OutboxEvent.objects.filter(topic="qualification.document_expired")


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # local 2026-12-31 23:30 is still valid; local 2027-01-01 00:30 is expired
        ("Asia/Shanghai", at(SHANGHAI, 2026, 12, 31, 23, 30), at(SHANGHAI, 2027, 1, 1, 0, 30)),
        ("Europe/Berlin", at(BERLIN, 2026, 12, 31, 23, 30), at(BERLIN, 2027, 1, 1, 0, 30)),
    ],
)
def test_expired_the_day_after_expiry_in_the_company_zone_and_reported_once(cast, iso9001, media, zone, before, after):
    cast.company_a.time_zone = zone
    cast.company_a.save()
    RequirementFactory(document_type=iso9001, company=cast.company_a)
    document = QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001, expires_on=EXPIRES)

    with time_machine.travel(before, tick=False):
        qualification_expiry_run()
    assert not _expired_events().exists()
    with time_machine.travel(after, tick=False):
        qualification_expiry_run()
        qualification_expiry_run()
    with time_machine.travel(after + dt.timedelta(days=1), tick=False):
        qualification_expiry_run()
    event = _expired_events().get()
    assert event.company_id is None
    assert event.payload["partner"] == {"uuid": str(cast.supplier_a.uuid), "tax_id": cast.supplier_a.tax_id}
    assert event.payload["type"] == "iso_9001"
    assert event.payload["number"] == document.number
    assert event.payload["expires_on"] == "2026-12-31"
    assert event.payload["status"] == "expired"


def test_berlin_company_is_not_yet_expired_when_shanghai_already_is(cast, iso9001, media):
    """At 2027-01-01 07:30 in Shanghai it is still 2026-12-31 in Berlin: a Berlin company's requirement is met."""
    cast.company_a.time_zone = "Europe/Berlin"
    cast.company_a.save()
    RequirementFactory(document_type=iso9001, company=cast.company_a)
    QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001, expires_on=EXPIRES)
    with time_machine.travel(at(SHANGHAI, 2027, 1, 1, 6, 30), tick=False):
        qualification_expiry_run()
        assert not _expired_events().exists()
        assert supplier_gaps(cast.supplier_a) == []


def test_a_document_that_is_not_mandatory_is_not_reported_expired(cast, iso9001, media):
    QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001, expires_on=EXPIRES)
    with time_machine.travel(at(SHANGHAI, 2027, 1, 2, 9), tick=False):
        qualification_expiry_run()
    assert not _expired_events().exists()


def test_gap_boundaries_and_the_avl_gate(cast, iso9001, media):
    steel = CategoryFactory(code="STEEL")
    RequirementFactory(document_type=iso9001, category=steel, company=cast.company_a)
    QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001, expires_on=EXPIRES)

    assert qualification_gaps(cast.supplier_a, cast.company_a, steel, dt.date(2026, 12, 31)) == []
    gaps = qualification_gaps(cast.supplier_a, cast.company_a, steel, dt.date(2027, 1, 1))
    assert [(gap.kind, gap.expired_on) for gap in gaps] == [("expired", EXPIRES)]
    assert gate_reasons(cast.supplier_a, cast.company_a, steel, dt.date(2027, 1, 1)) == [
        "ISO 9001 expired on 2026-12-31: upload a renewed certificate"
    ]
    assert gate_reasons(cast.supplier_a, cast.company_a, steel, dt.date(2026, 12, 30)) == []


def test_subcategories_inherit_requirements_and_companies_keep_their_own(cast, iso9001, media):
    steel = CategoryFactory(code="STEEL")
    plate = CategoryFactory(code="PLATE", parent=steel)
    thin = CategoryFactory(code="THIN", parent=plate)
    timber = CategoryFactory(code="TIMBER")
    RequirementFactory(document_type=iso9001, category=steel, company=cast.company_a)
    on = dt.date(2026, 6, 1)

    for category in (steel, plate, thin):
        assert [gap.kind for gap in qualification_gaps(cast.supplier_a, cast.company_a, category, on)] == ["missing"]
    assert qualification_gaps(cast.supplier_a, cast.company_a, timber, on) == []
    assert qualification_gaps(cast.supplier_a, cast.company_b, thin, on) == []
    # a group-wide requirement (no company, no category) applies everywhere
    RequirementFactory(document_type=iso9001)
    assert [gap.kind for gap in qualification_gaps(cast.supplier_a, cast.company_b, timber, on)] == ["missing"]


def test_only_submitted_is_pending_and_a_renewal_lifts_the_gap_only_when_accepted(cast, iso9001, media):
    RequirementFactory(document_type=iso9001)
    on = dt.date(2027, 1, 5)
    submitted = QualificationDocumentFactory(
        partner=cast.supplier_a, document_type=iso9001, status=DocumentStatus.SUBMITTED
    )
    assert [gap.kind for gap in qualification_gaps(cast.supplier_a, cast.company_a, None, on)] == ["pending"]
    submitted.delete()

    old = QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001, expires_on=EXPIRES)
    renewal = QualificationDocumentFactory(
        partner=cast.supplier_a,
        document_type=iso9001,
        replaces=old,
        status=DocumentStatus.SUBMITTED,
        expires_on=dt.date(2029, 12, 31),
    )
    (gap,) = qualification_gaps(cast.supplier_a, cast.company_a, None, on)
    assert (gap.kind, gap.renewal_pending) == ("expired", True)
    renewal.status = DocumentStatus.ACCEPTED
    renewal.save()
    assert qualification_gaps(cast.supplier_a, cast.company_a, None, on) == []


def test_supplier_gaps_list_per_company_and_declared_category(cast, iso9001, media):
    steel = CategoryFactory(code="STEEL")
    SuppliedCategoryFactory(partner=cast.supplier_a, category=CategoryFactory(code="PLATE", parent=steel))
    RequirementFactory(document_type=iso9001, category=steel, company=cast.company_a)
    rows = supplier_gaps(cast.supplier_a)
    assert [(company.code, category.code, gap.kind) for company, category, gap in rows] == [
        ("SH01", "PLATE", "missing")
    ]


def test_the_gate_for_many_suppliers_agrees_with_the_gate_for_one_in_constant_queries(cast, iso9001, media, english):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rfq.avl.gates import gate_reasons_many
    from tests.factories import PartnerFactory

    plate = CategoryFactory(code="PLATE-MANY")
    RequirementFactory(document_type=iso9001, category=plate, company=cast.company_a)
    on = dt.date(2027, 1, 5)
    expired = QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001).partner
    valid = QualificationDocumentFactory(document_type=iso9001, expires_on=dt.date(2028, 1, 1)).partner

    def many(partners):
        with CaptureQueriesContext(connection) as queries:
            reasons = gate_reasons_many(partners, cast.company_a, plate, on)
        return len(queries), reasons

    few, _ = many([expired, valid])
    others = [PartnerFactory() for _ in range(10)]
    more, reasons = many([expired, valid, *others])
    assert more == few
    for partner in (expired, valid, *others):
        assert reasons[partner.pk] == gate_reasons(partner, cast.company_a, plate, on)
    assert reasons[valid.pk] == [] and len(reasons[expired.pk]) == 1
