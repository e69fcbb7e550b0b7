"""The buyer's RFQ services: create, copy, from requisitions, edit, invitations from the AVL (and despite it, with a
reason), publish with its PDF and invitations, amend (never an earlier deadline), answers, another round, cancel."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.audit.models import AuditEvent
from portal.core.errors import DomainError
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from rfq.avl.decision import company_today
from rfq.avl.gates import avl_gates
from rfq.avl.models import ApprovedSupplier, AvlStatus
from rfq.sourcing import notifications as kinds
from rfq.sourcing import rfqs
from rfq.sourcing.models import (
    Amendment,
    Invitation,
    InvitationSource,
    InvitationStatus,
    Question,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    Rfq,
    RfqLine,
    RfqStatus,
    Round,
)
from rfq.sourcing.rfq_pdf import RFQ_PDF_KIND, TEMPLATE, rfq_pdf_context
from tests.factories import PartnerFactory, SiteFactory
from tests.factories.catalog import ItemFactory, steel_plate_category, steel_units
from tests.factories.sourcing import invitation_of, make_published_rfq, opened_rfq

pytestmark = pytest.mark.django_db

TERMS = {
    "title": "钢板年度询价",
    "description": "Q235B plates for line 3",
    "currency": "CNY",
    "payment_terms": "60 days after invoice",
    "incoterm": "DAP",
    "incoterm_place": "上海宝山",
    "freight_paid_by": "supplier",
    "weight_price": 70,
    "weight_delivery": 20,
    "weight_quality": 10,
    "all_lines_required": True,
    "show_rank": False,
    "is_public": False,
}


@pytest.fixture(autouse=True)
def avl_alone(monkeypatch):
    """The AVL's own decision only: the gates other apps register (qualification) are set aside."""
    monkeypatch.setattr(avl_gates, "_entries", {})


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the portal's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def plate(cast):
    """An item of the steel-plate category; the AVL of company A approves supplier A and blocks supplier B."""
    category = steel_plate_category()
    units = steel_units()
    item = ItemFactory(code="PL-Q235B-12", category=category, base_unit=units["t"])
    ApprovedSupplier.objects.create(
        company=cast.company_a, category=category, partner=cast.supplier_a, status=AvlStatus.APPROVED
    )
    ApprovedSupplier.objects.create(
        company=cast.company_a, category=category, partner=cast.supplier_b, status=AvlStatus.BLOCKED, reason="裂纹"
    )
    site = SiteFactory(company=cast.company_a, code="BS", name="宝山厂")
    return type("Plate", (), {"item": item, "units": units, "site": site, "category": category})


def line(plate, **extra):
    return {
        "item": plate.item,
        "description": "",
        "quantity": Decimal("12.5"),
        "unit": plate.units["t"],
        "need_by": timezone.localdate() + timedelta(days=30),
        "site": plate.site,
        "last_price": Decimal("4321.1234"),
        "target_price": Decimal("4100"),
        **extra,
    }


def draft(cast, plate, **terms):
    return rfqs.rfq_create(user=cast.buyer, company=cast.company_a, fields={**TERMS, **terms}, lines=[line(plate)])


def expected_number(company, sequence):
    return f"RFQ-{company_today(company).year}-{sequence:05d}"


def test_create_numbers_each_rfq_and_keeps_its_lines(cast, plate):
    first = draft(cast, plate)
    second = rfqs.rfq_create(
        user=cast.buyer,
        company=cast.company_a,
        fields=TERMS,
        lines=[line(plate), {**line(plate), "item": None, "description": "切割服务", "unit": plate.units["pcs"]}],
    )
    assert first.number == expected_number(cast.company_a, 1)
    assert second.number == expected_number(cast.company_a, 2)
    assert first.status == RfqStatus.DRAFT and first.created_by == cast.buyer
    assert list(second.lines.values_list("position", "item__code", "description", "quantity", "unit__code")) == [
        (1, "PL-Q235B-12", "", Decimal("12.5000"), "t"),
        (2, None, "切割服务", Decimal("12.5000"), "pcs"),
    ]
    event = AuditEvent.objects.get(action="rfq.created", object_id=str(first.uuid))
    assert event.after["lines"] == 1 and "last_price" not in str(event.after)
    # a draft is nobody's business outside: no event, no notification
    assert OutboxEvent.objects.count() == 0 and Notification.objects.count() == 0


def test_weights_must_add_up_to_100_and_nothing_is_saved(cast, plate):
    with pytest.raises(ValidationError) as error:
        draft(cast, plate, weight_price=60)
    assert error.value.message_dict == {"weight_price": ["The weights add up to 90; they must add up to 100."]}
    assert Rfq.objects.count() == 0 and AuditEvent.objects.filter(action__startswith="rfq.").count() == 0


def test_a_line_needs_an_item_or_a_description(cast, plate):
    with pytest.raises(ValidationError) as error:
        rfqs.rfq_create(
            user=cast.buyer, company=cast.company_a, fields=TERMS, lines=[line(plate, item=None, description=" ")]
        )
    assert error.value.message_dict == {"lines": ["Line 1: choose an item or describe the service."]}
    assert Rfq.objects.count() == 0


def test_roles_decide_who_creates(cast, plate):
    for person in (cast.sales, cast.staff_b, cast.supplier_a_admin, cast.outsider):
        with pytest.raises(PermissionDenied):
            rfqs.rfq_create(user=person, company=cast.company_a, fields=TERMS, lines=[line(plate)])
    assert Rfq.objects.count() == 0
    assert rfqs.rfq_create(user=cast.sourcing_manager, company=cast.company_a, fields=TERMS, lines=[line(plate)])


def test_numbers_are_unique_under_concurrent_creates(transactional_db, cast, plate):
    """Two buyers create at the same moment: each insert waits for the other's number and takes the next."""
    barrier = threading.Barrier(4)
    numbers, errors = [], []

    def create():
        try:
            barrier.wait()
            numbers.append(draft(cast, plate).number)
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [expected_number(cast.company_a, sequence) for sequence in (1, 2, 3, 4)]


def test_copy_takes_terms_lines_and_documents_not_invitations(cast, plate):
    source = make_published_rfq(cast, lines=2, payment_terms="30 days", weight_price=50, weight_delivery=30)
    copy = rfqs.rfq_copy(user=cast.buyer, rfq=source)
    assert copy.number == expected_number(cast.company_a, 1)
    assert copy.status == RfqStatus.DRAFT and copy.version == 1
    assert (copy.title, copy.payment_terms, copy.weight_price, copy.weight_delivery) == (
        source.title,
        "30 days",
        50,
        30,
    )
    fields = ("position", "item_id", "quantity", "unit_id", "last_price", "target_price")
    assert list(copy.lines.values_list(*fields)) == list(source.lines.values_list(*fields))
    assert copy.invitations.count() == 0 and copy.rounds.count() == 0


def _requisition(cast, plate, external_id, quantities):
    requisition = Requisition.objects.create(
        company=cast.company_a, external_id=external_id, title=f"请购 {external_id}"
    )
    for position, quantity in enumerate(quantities, start=1):
        RequisitionLine.objects.create(
            requisition=requisition,
            position=position,
            item=plate.item,
            quantity=Decimal(quantity),
            unit=plate.units["t"],
            last_price=Decimal("4000"),
        )
    return requisition


def test_from_requisitions_copies_their_lines_and_marks_them_sourcing(cast, plate):
    first = _requisition(cast, plate, "PR-1001", ["5", "7"])
    second = _requisition(cast, plate, "PR-1002", ["9"])
    rfq = rfqs.rfq_from_requisitions(user=cast.buyer, company=cast.company_a, requisitions=[second, first])
    assert rfq.title == "请购 PR-1001 / 请购 PR-1002"
    assert list(rfq.lines.values_list("position", "quantity", "requisition_line__requisition__external_id")) == [
        (1, Decimal("5.0000"), "PR-1001"),
        (2, Decimal("7.0000"), "PR-1001"),
        (3, Decimal("9.0000"), "PR-1002"),
    ]
    assert set(Requisition.objects.values_list("status", flat=True)) == {RequisitionStatus.SOURCING}
    assert set(rfq.requisitions.all()) == {first, second}
    with pytest.raises(DomainError):
        rfqs.rfq_from_requisitions(user=cast.buyer, company=cast.company_a, requisitions=[first])
    assert Rfq.objects.count() == 1


def test_requisitions_of_another_company_are_refused(cast, plate):
    other = Requisition.objects.create(company=cast.company_b, external_id="PR-9", title="外司")
    with pytest.raises(DomainError):
        rfqs.rfq_from_requisitions(user=cast.buyer, company=cast.company_a, requisitions=[other])
    assert Rfq.objects.count() == 0 and Requisition.objects.get().status == RequisitionStatus.OPEN


def test_edit_is_for_drafts_only(cast, plate):
    rfq = draft(cast, plate)
    rfqs.rfq_update(user=cast.buyer, rfq=rfq, fields={**TERMS, "title": "新标题"}, lines=[line(plate), line(plate)])
    rfq.refresh_from_db()
    assert rfq.title == "新标题" and rfq.lines.count() == 2
    published = make_published_rfq(cast)
    with pytest.raises(DomainError):
        rfqs.rfq_update(user=cast.buyer, rfq=published, fields=TERMS, lines=[line(plate)])
    assert Rfq.objects.get(pk=published.pk).title != "钢板年度询价"


def test_suggestions_come_from_the_avl_and_leave_blocked_suppliers_out(cast, plate):
    rfq = draft(cast, plate)
    unlisted = PartnerFactory(name="未列入供应商")
    assert [suggestion.supplier for suggestion in rfqs.invitation_suggestions(rfq)] == [cast.supplier_a]
    rfqs.invitation_add(user=cast.buyer, rfq=rfq, supplier=cast.supplier_a)
    assert rfqs.invitation_suggestions(rfq) == []
    invitation = invitation_of(rfq, cast.supplier_a)
    assert (invitation.source, invitation.avl_status, invitation.override_reason) == (
        InvitationSource.AVL,
        "approved",
        "",
    )
    assert unlisted.pk not in [s.supplier.pk for s in rfqs.invitation_suggestions(rfq)]


def test_inviting_despite_the_avl_needs_a_written_reason(cast, plate):
    rfq = draft(cast, plate)
    with pytest.raises(ValidationError) as error:
        rfqs.invitation_add(user=cast.buyer, rfq=rfq, supplier=cast.supplier_b, override_reason="  ")
    assert list(error.value.message_dict) == ["override_reason"]
    assert Invitation.objects.count() == 0
    assert AuditEvent.objects.filter(action="rfq.invitation_added").count() == 0
    invitation = rfqs.invitation_add(
        user=cast.buyer, rfq=rfq, supplier=cast.supplier_b, override_reason="唯一能供 80 mm 厚板的厂家"
    )
    assert (invitation.source, invitation.avl_status, invitation.override_reason) == (
        InvitationSource.OVERRIDE,
        "blocked",
        "唯一能供 80 mm 厚板的厂家",
    )
    assert invitation.avl_reasons == [
        "STEEL-PLATE: Blocked: 裂纹. Resolve this and ask the buyer of 上海钢铁有限公司 to lift the block."
    ]
    event = AuditEvent.objects.get(action="rfq.invitation_added")
    assert event.after["override_reason"] == "唯一能供 80 mm 厚板的厂家" and event.after["source"] == "override"
    with pytest.raises(DomainError):
        rfqs.invitation_add(user=cast.buyer, rfq=rfq, supplier=cast.supplier_b, override_reason="again")


def test_removing_an_invitation_before_publishing(cast, plate):
    rfq = draft(cast, plate)
    invitation = rfqs.invitation_add(user=cast.buyer, rfq=rfq, supplier=cast.supplier_a)
    rfqs.invitation_remove(user=cast.buyer, invitation=invitation)
    assert Invitation.objects.get().status == InvitationStatus.REMOVED
    # invited again: the same row comes back
    rfqs.invitation_add(user=cast.buyer, rfq=rfq, supplier=cast.supplier_a)
    assert list(Invitation.objects.values_list("status", flat=True)) == [InvitationStatus.INVITED]
    published = make_published_rfq(cast)
    with pytest.raises(DomainError):
        rfqs.invitation_remove(user=cast.buyer, invitation=invitation_of(published, cast.supplier_a))
    assert invitation_of(published, cast.supplier_a).status == InvitationStatus.INVITED


def test_publish_needs_lines_invitations_and_a_future_deadline(cast, plate):
    rfq = draft(cast, plate)
    later = timezone.now() + timedelta(days=3)
    with pytest.raises(DomainError) as error:
        rfqs.rfq_publish(user=cast.buyer, rfq=rfq, deadline=later)
    assert error.value.message == "Invite at least one supplier, or make it a public tender."
    rfqs.invitation_add(user=cast.buyer, rfq=rfq, supplier=cast.supplier_a)
    with pytest.raises(ValidationError) as error:
        rfqs.rfq_publish(user=cast.buyer, rfq=rfq, deadline=timezone.now() - timedelta(minutes=1))
    assert error.value.message_dict == {"deadline": ["The deadline must be in the future."]}
    rfq.lines.all().delete()
    with pytest.raises(DomainError) as error:
        rfqs.rfq_publish(user=cast.buyer, rfq=rfq, deadline=later)
    assert error.value.message == "Add at least one line."
    assert Rfq.objects.get().status == RfqStatus.DRAFT and Round.objects.count() == 0
    assert OutboxEvent.objects.count() == 0 and Notification.objects.count() == 0


def test_a_public_tender_publishes_without_invitations(cast, plate):
    rfq = draft(cast, plate, is_public=True)
    rfqs.rfq_publish(user=cast.buyer, rfq=rfq, deadline=timezone.now() + timedelta(days=3))
    assert Rfq.objects.get().status == RfqStatus.PUBLISHED


def test_publish_opens_round_1_stores_the_pdf_tells_suppliers_and_the_erp(cast, plate):
    rfq = draft(cast, plate)
    rfqs.invitation_add(user=cast.buyer, rfq=rfq, supplier=cast.supplier_a)
    deadline = timezone.now().replace(microsecond=0) + timedelta(days=3)
    rfqs.rfq_publish(user=cast.buyer, rfq=rfq, deadline=deadline)
    rfq.refresh_from_db()
    assert rfq.status == RfqStatus.PUBLISHED and rfq.published_at is not None
    assert list(rfq.rounds.values_list("number", "deadline")) == [(1, deadline)]
    pdf = rfq.attachments.select_related("document").get()
    assert (pdf.document.kind, pdf.version, pdf.document.original_name) == (RFQ_PDF_KIND, 1, f"{rfq.number}-v1.pdf")
    assert pdf.document.file.open("rb").read(5) == b"%PDF-"
    assert [event.topic for event in OutboxEvent.objects.all()] == ["rfq.published"]
    notified = Notification.objects.filter(kind=kinds.INVITED).order_by("recipient__email")
    # the supplier's admin and sales people, not its finance person
    assert [n.recipient.email for n in notified] == ["admin@supplier-a.test", "sales@supplier-a.test"]
    local = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    assert notified[0].params["deadline"] == f"{local} (Asia/Shanghai)"
    assert notified[0].params["rfq"] == rfq.number and notified[0].partner == cast.supplier_a
    # the invitation leads straight to the bid form
    bid_form = reverse("sourcing:bid", kwargs={"invitation_id": invitation_of(rfq, cast.supplier_a).uuid})
    assert {n.url for n in notified} == {bid_form}
    with pytest.raises(DomainError):
        rfqs.rfq_publish(user=cast.buyer, rfq=rfq, deadline=deadline)
    assert Round.objects.count() == 1


def test_the_rfq_pdf_never_shows_last_or_target_prices(cast, plate):
    rfq = make_published_rfq(cast)
    rfq.lines.update(last_price=Decimal("4321.1234"), target_price=Decimal("3999.8765"))
    context = rfq_pdf_context(rfq)
    html = render_to_string(TEMPLATE, context)
    assert "4321" not in html and "3999" not in html
    assert all(set(entry) & {"last_price", "target_price"} == set() for entry in context["lines"])
    assert rfq.number in html


def _snapshot(rfq):
    rfq = Rfq.objects.get(pk=rfq.pk)
    return (
        rfq.version,
        rfq.status,
        list(rfq.rounds.values_list("deadline", flat=True)),
        Amendment.objects.count(),
        OutboxEvent.objects.count(),
        Notification.objects.count(),
    )


def test_an_amendment_can_extend_but_never_shorten_the_deadline(cast):
    rfq = make_published_rfq(cast)
    before = _snapshot(rfq)
    deadline = rfq.current_round.deadline
    with pytest.raises(ValidationError) as error:
        rfqs.rfq_amend(user=cast.buyer, rfq=rfq, summary="提前截止", deadline=deadline - timedelta(hours=1))
    assert error.value.message_dict == {
        "deadline": ["The deadline can be extended, never brought forward: bidders rely on it."]
    }
    assert _snapshot(rfq) == before
    later = deadline + timedelta(days=1)
    amendment = rfqs.rfq_amend(
        user=cast.buyer,
        rfq=rfq,
        summary="延长一天；付款条件改为 30 天",
        deadline=later,
        fields={
            "description": rfq.description,
            "payment_terms": "30 days",
            "incoterm": rfq.incoterm,
            "incoterm_place": rfq.incoterm_place,
            "freight_paid_by": rfq.freight_paid_by,
        },
    )
    rfq.refresh_from_db()
    assert (rfq.version, rfq.payment_terms, rfq.current_round.deadline) == (2, "30 days", later)
    assert (amendment.version, amendment.old_deadline, amendment.new_deadline) == (2, deadline, later)
    assert amendment.changes["payment_terms"] == ["", "30 days"]
    assert [event.topic for event in OutboxEvent.objects.all()] == ["rfq.amended"]
    assert sorted(Notification.objects.filter(kind=kinds.AMENDED).values_list("recipient__email", flat=True)) == [
        "admin@supplier-a.test",
        "admin@supplier-b.test",
        "sales@supplier-a.test",
    ]
    assert rfq.attachments.get(version=2).document.kind == RFQ_PDF_KIND


def test_an_rfq_past_its_deadline_is_not_amended(cast):
    rfq = make_published_rfq(cast, deadline=timezone.now() + timedelta(seconds=1))
    Round.objects.filter(rfq=rfq).update(deadline=timezone.now() - timedelta(seconds=1))
    before = _snapshot(rfq)
    with pytest.raises(DomainError):
        rfqs.rfq_amend(user=cast.buyer, rfq=rfq, summary="太晚了")
    assert _snapshot(rfq) == before


def test_an_answer_goes_to_every_invited_supplier_once(cast):
    rfq = make_published_rfq(cast)
    question = Question.objects.create(
        rfq=rfq, invitation=invitation_of(rfq, cast.supplier_a), text="可以分批交货吗?", asked_by=cast.supplier_a_admin
    )
    rfqs.question_answer(user=cast.buyer, question=question, answer="可以，分两批。")
    question.refresh_from_db()
    assert (question.answer, question.answered_by) == ("可以，分两批。", cast.buyer)
    assert sorted(Notification.objects.filter(kind=kinds.ANSWERED).values_list("recipient__email", flat=True)) == [
        "admin@supplier-a.test",
        "admin@supplier-b.test",
        "sales@supplier-a.test",
    ]
    with pytest.raises(DomainError):
        rfqs.question_answer(user=cast.buyer, question=question, answer="改答案")
    with pytest.raises(PermissionDenied):
        rfqs.question_answer(user=cast.sales, question=question, answer="改答案")
    assert Question.objects.get().answer == "可以，分两批。"


def test_cancel_needs_a_reason_and_frees_the_requisitions(cast, plate):
    requisition = _requisition(cast, plate, "PR-7", ["3"])
    rfq = rfqs.rfq_from_requisitions(user=cast.buyer, company=cast.company_a, requisitions=[requisition])
    with pytest.raises(ValidationError):
        rfqs.rfq_cancel(user=cast.buyer, rfq=rfq, reason=" ")
    assert Rfq.objects.get().status == RfqStatus.DRAFT
    rfqs.rfq_cancel(user=cast.buyer, rfq=rfq, reason="需求取消")
    assert Rfq.objects.get().status == RfqStatus.CANCELLED
    assert Requisition.objects.get().status == RequisitionStatus.OPEN
    with pytest.raises(DomainError):
        rfqs.rfq_cancel(user=cast.buyer, rfq=rfq, reason="again")


def test_cancelling_a_published_rfq_tells_the_invited(cast):
    rfq = make_published_rfq(cast)
    rfqs.rfq_cancel(user=cast.buyer, rfq=rfq, reason="预算取消")
    assert [event.topic for event in OutboxEvent.objects.all()] == ["rfq.cancelled"]
    notes = Notification.objects.filter(kind=rfqs.CANCELLED)
    assert sorted(notes.values_list("recipient__email", flat=True)) == [
        "admin@supplier-a.test",
        "admin@supplier-b.test",
        "sales@supplier-a.test",
    ]
    assert notes.first().params["reason"] == "预算取消"


def test_another_round_for_chosen_bidders(cast):
    opened = opened_rfq(cast, {cast.supplier_a: [100, 200], cast.supplier_b: [110, 190]})
    rfq = opened.rfq
    assert rfq.status == RfqStatus.OPENED
    deadline = timezone.now() + timedelta(days=2)
    with pytest.raises(ValidationError):
        rfqs.round_start(user=cast.buyer, rfq=rfq, invitations=[], deadline=deadline)
    Notification.objects.all().delete()
    round = rfqs.round_start(
        user=cast.buyer,
        rfq=rfq,
        invitations=[invitation_of(rfq, cast.supplier_b)],
        deadline=deadline,
        note="请给出最终报价",
    )
    rfq.refresh_from_db()
    assert (round.number, rfq.status) == (2, RfqStatus.PUBLISHED)
    assert list(round.participants.values_list("supplier__name", flat=True)) == [cast.supplier_b.name]
    assert list(Notification.objects.values_list("kind", "recipient__email")) == [
        (kinds.NEW_ROUND, "admin@supplier-b.test")
    ]
    assert OutboxEvent.objects.filter(topic="rfq.round_started").count() == 1
    with pytest.raises(DomainError):
        rfqs.round_start(user=cast.buyer, rfq=rfq, invitations=[invitation_of(rfq, cast.supplier_a)], deadline=deadline)
    assert Round.objects.filter(rfq=rfq).count() == 2


def test_documents_on_a_draft(cast, plate):
    rfq = draft(cast, plate)
    attachment = rfqs.rfq_attachment_add(
        user=cast.buyer, rfq=rfq, uploaded_file=SimpleUploadedFile("规格书.txt", "厚度 12 mm\n".encode())
    )
    assert (attachment.document.original_name, attachment.document.owner_company) == ("规格书.txt", cast.company_a)
    with pytest.raises(DomainError):
        rfqs.rfq_attachment_add(user=cast.buyer, rfq=rfq, uploaded_file=SimpleUploadedFile("x.exe", b"MZ\x00"))
    rfqs.rfq_attachment_remove(user=cast.buyer, attachment=attachment)
    assert rfq.attachments.count() == 0


def test_a_supplier_can_join_while_round_1_takes_bids_and_is_told(cast, plate):
    rfq = make_published_rfq(cast, suppliers=(cast.supplier_b,))
    RfqLine.objects.filter(rfq=rfq).update(item=plate.item)
    invitation = rfqs.invitation_add(user=cast.buyer, rfq=rfq, supplier=cast.supplier_a)
    assert invitation.source == InvitationSource.AVL
    assert sorted(Notification.objects.filter(kind=kinds.INVITED).values_list("recipient__email", flat=True)) == [
        "admin@supplier-a.test",
        "sales@supplier-a.test",
    ]
    late = PartnerFactory(name="迟到供应商")
    Round.objects.filter(rfq=rfq).update(deadline=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as error:
        rfqs.invitation_add(user=cast.buyer, rfq=rfq, supplier=late, override_reason="补充")
    assert error.value.message == "Suppliers can join only while the first round takes bids."
    assert not Invitation.objects.filter(supplier=late).exists()
