"""The supplier page and the back office: who may do what (DESIGN.md §10), field errors, review with audit,
events and notification, and constant query counts on the lists."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from portal.audit.models import AuditEvent
from portal.documents.models import Document
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from rfq.qualification.models import DocumentStatus, QualificationDocument, QualificationRequirement, SuppliedCategory
from tests.conftest import login
from tests.factories.catalog import CategoryFactory
from tests.factories.documents import PDF_BYTES
from tests.qualification.factories import QualificationDocumentFactory, RequirementFactory, SuppliedCategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(media):
    with translation.override("en"):
        yield


def client_of(user):
    return login(Client(HTTP_ACCEPT_LANGUAGE="en"), user) if user is not None else Client()


def snapshot():
    return (
        list(QualificationDocument.objects.order_by("pk").values_list("pk", "status", "rejection_reason")),
        list(SuppliedCategory.objects.order_by("pk").values_list("pk", "capacity_note")),
        QualificationRequirement.objects.count(),
        Document.objects.count(),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
        Notification.objects.count(),
    )


def pdf(name="iso9001.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def document_data(iso9001, **changes):
    data = {
        "document_type": iso9001.pk,
        "issuing_body": "中国质量认证中心",
        "number": "CQC-2026-001",
        "issued_on": "2026-01-01",
        "expires_on": "2028-12-31",
        "file": pdf(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# --- supplier side ---------------------------------------------------------------------------------------------

URL = "/supplier/qualification/"


def test_every_member_sees_the_page_only_admins_and_quality_get_the_forms(cast, iso9001):
    response = client_of(cast.supplier_a_sales).get(URL)
    assert response.status_code == 200
    assert response.context["document_form"] is None
    response = client_of(cast.supplier_a_admin).get(URL)
    assert response.context["document_form"] is not None
    assert client_of(cast.staff_b).get(URL).status_code == 404
    assert_login_redirect(client_of(None).get(URL))


def test_submit_a_document_authorisation(cast, iso9001):
    url = URL + "documents/"
    before = snapshot()
    assert client_of(cast.supplier_a_sales).post(url, document_data(iso9001)).status_code == 403
    assert client_of(cast.outsider).post(url, document_data(iso9001)).status_code == 404
    assert client_of(cast.staff_b).post(url, document_data(iso9001)).status_code == 404
    assert_login_redirect(client_of(None).post(url, document_data(iso9001)))
    assert snapshot() == before

    response = client_of(cast.supplier_a_admin).post(url, document_data(iso9001))
    assert response.status_code == 302
    document = QualificationDocument.objects.get()
    assert (document.partner, document.status, document.expires_on) == (
        cast.supplier_a,
        DocumentStatus.SUBMITTED,
        dt.date(2028, 12, 31),
    )
    assert document.file.owner_partner == cast.supplier_a
    assert AuditEvent.objects.filter(action="qualification.document_submit").count() == 1


def test_a_quality_member_may_submit(cast, iso9001):
    from tests.factories import MembershipFactory, UserFactory

    quality = MembershipFactory(partner=cast.supplier_a, user=UserFactory(), roles=["quality"]).user
    assert client_of(quality).post(URL + "documents/", document_data(iso9001)).status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"expires_on": "2025-12-31"}, "expires_on", "The expiry date cannot be before the issue date."),
        ({"expires_on": None}, "expires_on", "ISO 9001 has an expiry date: enter it."),
        ({"issued_on": "not a date"}, "issued_on", "Enter a valid date."),
        ({"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00")}, "file", "Files of type “.exe” cannot be uploaded."),
        ({"file": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00binary")}, "file", "is not a PDF file"),
        ({"document_type": "99999"}, "document_type", "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_changes_nothing(cast, iso9001, changes, field, message):
    before = snapshot()
    response = client_of(cast.supplier_a_admin).post(URL + "documents/", document_data(iso9001, **changes))
    assert response.status_code == 400
    assert any(message in error for error in response.context["document_form"].errors[field])
    assert snapshot() == before


def test_replace_authorisation_and_renewal(cast, iso9001):
    old = QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001)
    url = f"{URL}documents/{old.uuid}/replace/"
    data = document_data(iso9001, number="CQC-2029")
    before = snapshot()
    assert client_of(cast.supplier_a_sales).post(url, data).status_code == 403
    assert client_of(cast.supplier_b_admin).post(url, document_data(iso9001)).status_code == 404
    assert client_of(cast.staff_b).post(url, document_data(iso9001)).status_code == 404
    assert_login_redirect(client_of(None).post(url, document_data(iso9001)))
    assert snapshot() == before

    assert client_of(cast.supplier_a_admin).get(url).status_code == 200
    response = client_of(cast.supplier_a_admin).post(url, document_data(iso9001, number="CQC-2029"))
    assert response.status_code == 302
    renewal = QualificationDocument.objects.get(number="CQC-2029")
    assert (renewal.replaces, renewal.status) == (old, DocumentStatus.SUBMITTED)
    old.refresh_from_db()
    assert old.status == DocumentStatus.ACCEPTED  # in force until staff accept the renewal


def test_declare_a_category_with_a_certificate(cast):
    steel = CategoryFactory(code="STEEL")
    plate = CategoryFactory(code="PLATE", parent=steel)
    url = URL + "categories/"
    data = {"category": plate.pk, "capacity_note": "每月 500 吨"}
    before = snapshot()
    assert client_of(cast.supplier_a_sales).post(url, data).status_code == 403
    assert client_of(cast.staff_b).post(url, data).status_code == 404
    assert_login_redirect(client_of(None).post(url, data))
    assert snapshot() == before

    response = client_of(cast.supplier_a_admin).post(url, {**data, "certificates": pdf("plate.pdf")})
    assert response.status_code == 302
    supplied = SuppliedCategory.objects.get()
    assert (supplied.partner, supplied.category, supplied.capacity_note) == (cast.supplier_a, plate, "每月 500 吨")
    certificate = Document.objects.get(object_type="qualification.suppliedcategory")
    assert certificate.object_id == str(supplied.uuid)
    page = client_of(cast.supplier_a_sales).get(URL)
    assert "plate.pdf" in page.content.decode()


def test_withdraw_a_category_authorisation(cast):
    supplied = SuppliedCategoryFactory(partner=cast.supplier_a)
    url = f"{URL}categories/{supplied.uuid}/withdraw/"
    before = snapshot()
    assert client_of(cast.supplier_a_sales).post(url).status_code == 403
    assert client_of(cast.supplier_b_admin).post(url).status_code == 404
    assert_login_redirect(client_of(None).post(url))
    assert snapshot() == before
    assert client_of(cast.supplier_a_admin).post(url).status_code == 302
    assert not SuppliedCategory.objects.exists()


def test_the_page_shows_status_expiry_and_gaps(cast, iso9001):
    RequirementFactory(document_type=iso9001, company=cast.company_a)
    QualificationDocumentFactory(
        partner=cast.supplier_a,
        document_type=iso9001,
        status=DocumentStatus.REJECTED,
        rejection_reason="扫描件不清晰",
    )
    html = client_of(cast.supplier_a_sales).get(URL).content.decode()
    assert "扫描件不清晰" in html
    assert "ISO 9001 is missing: upload it" in html


def test_supplier_page_runs_a_constant_number_of_queries(cast, iso9001):
    def count():
        client = client_of(cast.supplier_a_admin)
        client.get(URL)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001)
    SuppliedCategoryFactory(partner=cast.supplier_a)
    few = count()
    for _ in range(6):
        QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001)
        SuppliedCategoryFactory(partner=cast.supplier_a)
    assert count() == few


# --- back office -----------------------------------------------------------------------------------------------


@pytest.fixture
def quality_a(cast):
    from tests.factories import StaffRoleFactory, UserFactory

    return StaffRoleFactory(user=UserFactory(email="quality@group.test"), role="quality", company=cast.company_a).user


def test_accept_authorisation_audit_event_and_notification(
    cast, iso9001, quality_a, django_capture_on_commit_callbacks
):
    old = QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001)
    renewal = QualificationDocumentFactory(
        partner=cast.supplier_a, document_type=iso9001, replaces=old, status=DocumentStatus.SUBMITTED
    )
    url = f"/cms/qualification/documents/{renewal.uuid}/accept/"
    before = snapshot()
    assert client_of(cast.buyer).post(url).status_code == 403
    assert client_of(cast.staff_b).post(url).status_code == 404
    anonymous = client_of(None).post(url)
    assert anonymous.status_code == 302
    assert snapshot() == before

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(quality_a).post(url)
    assert response.status_code == 302
    renewal.refresh_from_db()
    old.refresh_from_db()
    assert (renewal.status, renewal.reviewed_by, old.status) == (
        DocumentStatus.ACCEPTED,
        quality_a,
        DocumentStatus.SUPERSEDED,
    )
    audit = AuditEvent.objects.get(action="qualification.document_accept")
    assert audit.after["superseded"] == [str(old.uuid)]
    event = OutboxEvent.objects.get(topic="qualification.document_accepted")
    assert event.payload["partner"]["tax_id"] == cast.supplier_a.tax_id
    assert event.payload["status"] == "accepted" and event.company_id is None
    assert Notification.objects.filter(kind="qualification.document_accepted", recipient=cast.supplier_a_admin).exists()
    assert [message.to for message in mail.outbox] == [[cast.supplier_a_admin.email]]

    # a second decision is refused with a message, nothing changes
    before = snapshot()
    client_of(quality_a).post(url)
    assert snapshot() == before


def test_reject_needs_a_reason_and_tells_the_supplier(cast, iso9001, django_capture_on_commit_callbacks):
    document = QualificationDocumentFactory(
        partner=cast.supplier_a, document_type=iso9001, status=DocumentStatus.SUBMITTED
    )
    url = f"/cms/qualification/documents/{document.uuid}/reject/"
    before = snapshot()
    response = client_of(cast.sourcing_manager).post(url, {"reason": "  "})
    assert response.status_code == 400
    assert client_of(cast.buyer).post(url, {"reason": "x"}).status_code == 403
    assert client_of(cast.staff_b).post(url, {"reason": "x"}).status_code == 404
    assert client_of(cast.supplier_a_admin).post(url, {"reason": "x"}).status_code in (302, 403)
    assert snapshot() == before

    with django_capture_on_commit_callbacks(execute=True):
        assert client_of(cast.sourcing_manager).post(url, {"reason": "有效期与证书不符"}).status_code == 302
    document.refresh_from_db()
    assert (document.status, document.rejection_reason) == (DocumentStatus.REJECTED, "有效期与证书不符")
    assert AuditEvent.objects.filter(action="qualification.document_reject").count() == 1
    assert OutboxEvent.objects.get(topic="qualification.document_rejected").payload["reason"] == "有效期与证书不符"
    notification = Notification.objects.get(kind="qualification.document_rejected", recipient=cast.supplier_a_admin)
    assert notification.params["reason"] == "有效期与证书不符"


def test_group_staff_review_every_supplier(cast, iso9001):
    document = QualificationDocumentFactory(
        partner=cast.supplier_b, document_type=iso9001, status=DocumentStatus.SUBMITTED
    )
    assert client_of(cast.group_admin).get(f"/cms/qualification/documents/{document.uuid}/").status_code == 200
    # company A's sourcing manager does not see company B's supplier
    assert client_of(cast.sourcing_manager).get(f"/cms/qualification/documents/{document.uuid}/").status_code == 404


def test_requirements_per_company_and_group_wide(cast, iso9001):
    url = "/cms/qualification/requirements/new/"
    before = snapshot()
    own_company = {"document_type": iso9001.pk, "company": cast.company_a.pk}
    assert client_of(cast.buyer).post(url, own_company).status_code == 403
    # a company's sourcing manager keeps only that company's requirements
    response = client_of(cast.sourcing_manager).post(url, {"document_type": iso9001.pk, "company": cast.company_b.pk})
    assert response.status_code == 400
    response = client_of(cast.sourcing_manager).post(url, {"document_type": iso9001.pk, "company": ""})
    assert response.status_code == 400
    assert snapshot() == before

    steel = CategoryFactory(code="STEEL")
    response = client_of(cast.sourcing_manager).post(
        url, {"document_type": iso9001.pk, "company": cast.company_a.pk, "category": steel.pk}
    )
    assert response.status_code == 302
    requirement = QualificationRequirement.objects.get()
    assert (requirement.company, requirement.category) == (cast.company_a, steel)
    assert AuditEvent.objects.filter(action="qualification.requirement_save").count() == 1
    # group-wide staff may make group-wide requirements
    assert client_of(cast.group_admin).post(url, {"document_type": iso9001.pk}).status_code == 302
    assert QualificationRequirement.objects.filter(company__isnull=True).count() == 1
    # and a company's sourcing manager may not edit them
    group_wide = QualificationRequirement.objects.get(company__isnull=True)
    edit = f"/cms/qualification/requirements/{group_wide.uuid}/"
    assert client_of(cast.sourcing_manager).post(edit, {"delete": "1"}).status_code == 403
    assert QualificationRequirement.objects.count() == 2


def test_document_types_are_kept_by_group_staff(cast):
    url = "/cms/qualification/types/new/"
    data = {"code": "ccc", "name": "3C 认证", "name_en": "CCC", "has_expiry": "on", "is_active": "on", "sort_order": 5}
    assert client_of(cast.sourcing_manager).post(url, data).status_code == 403
    assert client_of(cast.group_admin).post(url, data).status_code == 302
    assert client_of(cast.group_admin).get("/cms/qualification/types/").status_code == 200


@pytest.mark.parametrize("url", ["/cms/qualification/", "/cms/qualification/requirements/"])
def test_back_office_lists_run_a_constant_number_of_queries(cast, iso9001, url):
    def count():
        client = client_of(cast.sourcing_manager)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add():
        QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001, status=DocumentStatus.SUBMITTED)
        RequirementFactory(document_type=iso9001, company=cast.company_a, category=CategoryFactory())

    add()
    few = count()
    for _ in range(5):
        add()
    assert count() == few


def test_the_dashboard_shows_the_qualification_task_only_when_something_needs_doing(cast, iso9001):
    client = client_of(cast.supplier_a_sales)
    assert not any("/supplier/qualification/" in task for task in client.get("/supplier/").context["tasks"])
    RequirementFactory(document_type=iso9001, company=cast.company_a)
    html = client.get("/supplier/").content.decode()
    assert "One mandatory document is missing, expired or waiting for review." in html


def test_only_a_document_in_force_can_be_renewed(cast, iso9001):
    rejected = QualificationDocumentFactory(
        partner=cast.supplier_a, document_type=iso9001, status=DocumentStatus.REJECTED
    )
    before = snapshot()
    response = client_of(cast.supplier_a_admin).post(f"{URL}documents/{rejected.uuid}/replace/", document_data(iso9001))
    assert response.status_code == 302
    assert snapshot() == before


def test_the_expiry_task_is_on_the_beat_schedule():
    from portal.celery import app

    assert app.conf.beat_schedule["qualification-expiry"]["task"] == "rfq.qualification.tasks.qualification_expiry"


def test_staff_see_a_suppliers_qualification_with_a_constant_number_of_queries(cast, iso9001):
    RequirementFactory(document_type=iso9001, company=cast.company_a)
    url = f"/cms/qualification/suppliers/{cast.supplier_a.uuid}/"

    def count():
        client = client_of(cast.sourcing_manager)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response

    QualificationDocumentFactory(
        partner=cast.supplier_a, document_type=iso9001, issued_on=dt.date(2017, 1, 1), expires_on=dt.date(2020, 1, 1)
    )
    SuppliedCategoryFactory(partner=cast.supplier_a)
    few, response = count()
    assert "ISO 9001 expired on 2020-01-01: upload a renewed certificate" in response.content.decode()
    for _ in range(5):
        QualificationDocumentFactory(partner=cast.supplier_a, document_type=iso9001, status=DocumentStatus.REJECTED)
        SuppliedCategoryFactory(partner=cast.supplier_a)
    assert count()[0] == few
    assert client_of(cast.buyer).get(url).status_code == 403
    assert client_of(cast.staff_b).get(url).status_code == 404
