"""The buyer's RFQ screens in the back office: every state-changing view per DESIGN.md §10 (the buyer works, a colleague
without the role gets 403, staff of another company 404, anonymous the login), the pages themselves, form errors,
the list's constant queries, and that no bid content ever shows before (or, here, after) an opening."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.users.models import UserProfile

from portal.audit.models import AuditEvent
from portal.documents.services import document_store
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from rfq.avl.gates import avl_gates
from rfq.avl.models import ApprovedSupplier, AvlStatus
from rfq.sourcing.models import (
    Amendment,
    Invitation,
    Question,
    Requisition,
    RequisitionLine,
    Rfq,
    RfqAttachment,
    RfqLine,
    RfqStatus,
    Round,
)
from tests.conftest import login
from tests.factories.catalog import ItemFactory, steel_plate_category, steel_units
from tests.factories.sourcing import invitation_of, make_published_rfq, opened_rfq, submit_bid

pytestmark = pytest.mark.django_db
BASE = "/cms/sourcing/"


@pytest.fixture(autouse=True)
def avl_alone(monkeypatch):
    monkeypatch.setattr(avl_gates, "_entries", {})


def english(user):
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    return user


@pytest.fixture
def plate(cast):
    category = steel_plate_category()
    units = steel_units()
    item = ItemFactory(code="PL-Q235B-12", category=category, base_unit=units["t"])
    ApprovedSupplier.objects.create(
        company=cast.company_a, category=category, partner=cast.supplier_a, status=AvlStatus.APPROVED
    )
    return item


def make_draft(cast, item=None, **fields):
    item = item or ItemFactory()
    rfq = Rfq.objects.create(
        company=cast.company_a,
        number=f"RFQ-D-{Rfq.objects.count() + 1:05d}",
        created_by=cast.buyer,
        **{"title": "草稿询价", **fields},
    )
    RfqLine.objects.create(
        rfq=rfq, position=1, item=item, quantity=Decimal("3"), unit=item.base_unit, last_price=Decimal("77.7")
    )
    return rfq


def rfq_form(item_code="PL-Q235B-12", **overrides):
    data = {
        "title": "钢板询价",
        "description": "",
        "currency": "CNY",
        "payment_terms": "60 days",
        "incoterm": "DAP",
        "incoterm_place": "上海",
        "freight_paid_by": "supplier",
        "weight_price": "70",
        "weight_delivery": "20",
        "weight_quality": "10",
        "all_lines_required": "on",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-item_code": item_code,
        "lines-0-quantity": "12.5",
        "lines-0-last_price": "4321.5",
        "lines-1-description": "切割服务",
        "lines-1-quantity": "5",
        "lines-1-unit": "pcs",
    }
    data.update(overrides)
    return data


def deadline_fields(prefix="deadline", days=3):
    local = timezone.localtime(timezone.now() + timedelta(days=days))
    return {f"{prefix}_0": local.strftime("%Y-%m-%d"), f"{prefix}_1": "17:00"}


def amend_form(rfq, **overrides):
    """The amendment form as the page fills it: the terms and each line's quantity and need-by date unchanged."""
    lines = list(rfq.lines.order_by("position"))
    data = {
        "summary": "",
        "deadline_0": "",
        "deadline_1": "",
        "description": rfq.description,
        "payment_terms": rfq.payment_terms,
        "incoterm": rfq.incoterm,
        "incoterm_place": rfq.incoterm_place,
        "freight_paid_by": rfq.freight_paid_by,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        data[f"lines-{index}-quantity"] = str(line.quantity)
        data[f"lines-{index}-need_by"] = line.need_by.isoformat() if line.need_by else ""
    data.update(overrides)
    return data


def snapshot():
    """Everything a denied request must leave as it was."""
    return (
        list(Rfq.objects.order_by("pk").values_list("status", "version", "title", "payment_terms")),
        list(RfqLine.objects.order_by("pk").values_list("pk", "quantity")),
        list(Invitation.objects.order_by("pk").values_list("status", "override_reason")),
        list(Round.objects.order_by("pk").values_list("number", "deadline", "status")),
        list(Question.objects.order_by("pk").values_list("answer", flat=True)),
        list(Requisition.objects.order_by("pk").values_list("status", flat=True)),
        Amendment.objects.count(),
        RfqAttachment.objects.count(),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
        Notification.objects.count(),
    )


def _with_document(cast):
    rfq = make_draft(cast)
    document = document_store(
        actor=cast.buyer,
        uploaded_file=SimpleUploadedFile("spec.txt", b"Thickness 12 mm\n"),
        kind="rfq_attachment",
        owner_company=cast.company_a,
        obj=rfq,
    )
    RfqAttachment.objects.create(rfq=rfq, document=document)
    return rfq


def _with_question(cast):
    rfq = make_published_rfq(cast)
    Question.objects.create(
        rfq=rfq, invitation=invitation_of(rfq, cast.supplier_a), text="交货地点?", asked_by=cast.supplier_a_admin
    )
    return rfq


def _requisition(cast):
    item = ItemFactory()
    requisition = Requisition.objects.create(company=cast.company_a, external_id="PR-1", title="请购一")
    RequisitionLine.objects.create(requisition=requisition, position=1, item=item, quantity=5, unit=item.base_unit)
    return requisition


# name: (make(cast, plate) -> rfq or None, url(rfq), data(cast, rfq), check(rfq) after the buyer's request)
CASES = {
    "create": (
        lambda cast, plate: None,
        lambda rfq: f"{BASE}new/",
        lambda cast, rfq: {**rfq_form(), "company": str(cast.company_a.pk)},
        lambda cast, rfq: Rfq.objects.get().lines.count() == 2,
    ),
    "from_requisitions": (
        lambda cast, plate: _requisition(cast),
        lambda requisition: f"{BASE}from-requisitions/",
        lambda cast, requisition: {"requisitions": [str(requisition.uuid)], "title": ""},
        lambda cast, requisition: Rfq.objects.get().title == "请购一",
    ),
    "edit": (
        lambda cast, plate: make_draft(cast, plate),
        lambda rfq: f"{BASE}{rfq.uuid}/edit/",
        lambda cast, rfq: rfq_form(title="改过的标题"),
        lambda cast, rfq: Rfq.objects.get(pk=rfq.pk).title == "改过的标题",
    ),
    "copy": (
        lambda cast, plate: make_published_rfq(cast),
        lambda rfq: f"{BASE}{rfq.uuid}/copy/",
        lambda cast, rfq: {},
        lambda cast, rfq: Rfq.objects.count() == 2,
    ),
    "attachment_add": (
        lambda cast, plate: make_draft(cast),
        lambda rfq: f"{BASE}{rfq.uuid}/documents/",
        lambda cast, rfq: {"file": SimpleUploadedFile("规格.txt", "厚度 12 mm\n".encode())},
        lambda cast, rfq: rfq.attachments.get().document.original_name == "规格.txt",
    ),
    "attachment_remove": (
        lambda cast, plate: _with_document(cast),
        lambda rfq: f"{BASE}{rfq.uuid}/documents/{rfq.attachments.get().document.uuid}/remove/",
        lambda cast, rfq: {},
        lambda cast, rfq: rfq.attachments.count() == 0,
    ),
    "invite": (
        lambda cast, plate: make_draft(cast, plate),
        lambda rfq: f"{BASE}{rfq.uuid}/invitations/",
        lambda cast, rfq: {"supplier": cast.supplier_a.tax_id, "override_reason": ""},
        lambda cast, rfq: invitation_of(rfq, cast.supplier_a).source == "avl",
    ),
    "invitation_remove": (
        lambda cast, plate: _invite(make_draft(cast, plate), cast.supplier_a).rfq,
        lambda rfq: f"{BASE}{rfq.uuid}/invitations/{rfq.invitations.get().uuid}/remove/",
        lambda cast, rfq: {},
        lambda cast, rfq: rfq.invitations.get().status == "removed",
    ),
    "publish": (
        lambda cast, plate: _invite(make_draft(cast, plate), cast.supplier_a).rfq,
        lambda rfq: f"{BASE}{rfq.uuid}/publish/",
        lambda cast, rfq: deadline_fields(),
        lambda cast, rfq: Rfq.objects.get(pk=rfq.pk).status == RfqStatus.PUBLISHED,
    ),
    "amend": (
        lambda cast, plate: make_published_rfq(cast),
        lambda rfq: f"{BASE}{rfq.uuid}/amend/",
        lambda cast, rfq: amend_form(rfq, summary="付款条件改为 30 天", payment_terms="30 days"),
        lambda cast, rfq: Rfq.objects.get(pk=rfq.pk).version == 2,
    ),
    "answer": (
        lambda cast, plate: _with_question(cast),
        lambda rfq: f"{BASE}{rfq.uuid}/questions/{rfq.questions.get().uuid}/answer/",
        lambda cast, rfq: {"answer": "上海工厂。"},
        lambda cast, rfq: rfq.questions.get().answer == "上海工厂。",
    ),
    "cancel": (
        lambda cast, plate: make_published_rfq(cast),
        lambda rfq: f"{BASE}{rfq.uuid}/cancel/",
        lambda cast, rfq: {"reason": "需求取消"},
        lambda cast, rfq: Rfq.objects.get(pk=rfq.pk).status == RfqStatus.CANCELLED,
    ),
    "round_new": (
        lambda cast, plate: opened_rfq(cast, {cast.supplier_a: [100, 200], cast.supplier_b: [90, 210]}).rfq,
        lambda rfq: f"{BASE}{rfq.uuid}/rounds/new/",
        lambda cast, rfq: {
            "invitations": [str(invitation_of(rfq, cast.supplier_a).uuid)],
            "note": "最终报价",
            **deadline_fields(),
        },
        lambda cast, rfq: rfq.rounds.count() == 2,
    ),
}


def _invite(rfq, supplier):
    invitation, _created = Invitation.objects.get_or_create(
        rfq=rfq, supplier=supplier, defaults={"avl_status": "approved"}
    )
    return invitation


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_buyer_works(name, client, cast, plate):
    make, url, data, check = CASES[name]
    obj = make(cast, plate)
    target = url(obj)
    before = snapshot()
    response = login(client, cast.buyer).post(target, data(cast, obj))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert snapshot() != before
    assert check(cast, obj)


@pytest.mark.parametrize("name", sorted(CASES))
def test_staff_without_the_role_get_403_and_change_nothing(name, client, cast, plate):
    make, url, data, _check = CASES[name]
    obj = make(cast, plate)
    target = url(obj)
    before = snapshot()
    response = login(client, cast.sales).post(target, data(cast, obj))
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(CASES))
def test_staff_of_another_company_get_404_and_change_nothing(name, client, cast, plate):
    make, url, data, _check = CASES[name]
    obj = make(cast, plate)
    target = url(obj)
    before = snapshot()
    response = login(client, cast.staff_b).post(target, data(cast, obj))
    if name in ("create", "from_requisitions"):
        # no object in the address: company B's buyer may create, but not for company A (the form refuses)
        assert response.status_code == 422
    else:
        assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_visitors_are_sent_to_log_in(name, client, cast, plate):
    make, url, data, _check = CASES[name]
    obj = make(cast, plate)
    target = url(obj)
    before = snapshot()
    response = client.post(target, data(cast, obj))
    assert response.status_code == 302 and "login" in response["Location"]
    assert snapshot() == before


def test_pages_render_for_the_buyer(client, cast, plate):
    draft = make_draft(cast, plate)
    published = make_published_rfq(cast)
    opened = opened_rfq(cast, {cast.supplier_a: [100, 200]}).rfq
    login(client, cast.buyer)
    for path in (
        BASE,
        f"{BASE}new/",
        f"{BASE}from-requisitions/",
        f"{BASE}items/?item_q=PL-Q",
        f"{BASE}{draft.uuid}/",
        f"{BASE}{draft.uuid}/edit/",
        f"{BASE}{draft.uuid}/invitations/",
        f"{BASE}{draft.uuid}/publish/",
        f"{BASE}{published.uuid}/",
        f"{BASE}{published.uuid}/amend/",
        f"{BASE}{published.uuid}/cancel/",
        f"{BASE}{opened.uuid}/",
        f"{BASE}{opened.uuid}/rounds/new/",
        f"{BASE}{opened.uuid}/rounds/{opened.rounds.get().uuid}/opening/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "PL-Q235B-12" in client.get(f"{BASE}items/?item_q=PL-Q").content.decode()


def test_the_form_says_when_the_weights_do_not_add_up(client, cast, plate):
    login(client, english(cast.buyer))
    response = client.post(f"{BASE}new/", {**rfq_form(weight_price="60"), "company": str(cast.company_a.pk)})
    assert response.status_code == 422
    assert response.context["form"].errors["weight_price"] == ["The weights add up to 90; they must add up to 100."]
    assert Rfq.objects.count() == 0


def test_an_unknown_item_code_is_named_next_to_the_line(client, cast, plate):
    login(client, english(cast.buyer))
    response = client.post(f"{BASE}new/", {**rfq_form(item_code="NOPE-1"), "company": str(cast.company_a.pk)})
    assert response.status_code == 422
    assert response.context["formset"].forms[0].errors["item_code"] == [
        "No item with the code “NOPE-1” in the item master."
    ]
    assert Rfq.objects.count() == 0


def test_inviting_despite_the_avl_asks_for_the_reason_on_the_form(client, cast, plate):
    rfq = make_draft(cast, plate)
    login(client, english(cast.buyer))
    url = f"{BASE}{rfq.uuid}/invitations/"
    response = client.post(url, {"supplier": cast.supplier_b.tax_id, "override_reason": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["override_reason"] == [
        "The approved vendor list does not allow this supplier (Not yet approved). Write why you invite it."
    ]
    assert Invitation.objects.count() == 0
    response = client.post(url, {"supplier": cast.supplier_b.tax_id, "override_reason": "唯一供应商"})
    assert response.status_code == 302
    assert Invitation.objects.get().override_reason == "唯一供应商"


def test_publish_refuses_a_deadline_in_the_past(client, cast, plate):
    rfq = _invite(make_draft(cast, plate), cast.supplier_a).rfq
    login(client, english(cast.buyer))
    response = client.post(f"{BASE}{rfq.uuid}/publish/", deadline_fields(days=-1))
    assert response.status_code == 422
    assert response.context["form"].errors["deadline"] == ["The deadline must be in the future."]
    assert Rfq.objects.get().status == RfqStatus.DRAFT


def test_the_publish_page_shows_the_buyer_s_time_zone(client, cast, plate):
    rfq = make_draft(cast, plate)
    UserProfile.objects.update_or_create(
        user=cast.buyer, defaults={"preferred_language": "en", "current_time_zone": "Europe/Berlin"}
    )
    login(client, cast.buyer)
    content = client.get(f"{BASE}{rfq.uuid}/publish/").content.decode()
    assert "In your time zone: Europe/Berlin." in content
    response = client.post(
        f"{BASE}{_invite(rfq, cast.supplier_a).rfq.uuid}/publish/", {"deadline_0": "2099-03-01", "deadline_1": "17:00"}
    )
    assert response.status_code == 302
    # 17:00 in Berlin (winter time, UTC+1) is 16:00 UTC
    assert Round.objects.get().deadline.isoformat() == "2099-03-01T16:00:00+00:00"


def test_an_amendment_cannot_bring_the_deadline_forward(client, cast):
    rfq = make_published_rfq(cast)
    before = snapshot()
    login(client, english(cast.buyer))
    response = client.post(f"{BASE}{rfq.uuid}/amend/", amend_form(rfq, summary="提前", **deadline_fields(days=1)))
    assert response.status_code == 422
    assert response.context["form"].errors["deadline"] == [
        "The deadline can be extended, never brought forward: bidders rely on it."
    ]
    assert snapshot() == before


def test_the_detail_shows_who_bid_and_when_never_what(client, cast):
    rfq = make_published_rfq(cast)
    submission = submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["8765.4321", "5432.1987"], comment="秘密备注")
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["8765.4322", "5432.1988"])
    login(client, english(cast.buyer))
    response = client.get(f"{BASE}{rfq.uuid}/")
    content = response.content.decode()
    assert "8765" not in content and "5432" not in content and "秘密备注" not in content
    row = response.context["rounds"][0]["rows"][0]
    assert (row["invitation"].supplier, row["versions"], row["status"]) == (cast.supplier_a, 2, "Submitted")
    assert row["submitted_at"] > submission.submitted_at
    # the staff-only prices of the lines are shown to staff
    assert "<td>100</td><td>90</td>" in content


def test_the_list_filters(client, cast):
    draft = make_draft(cast, title="一号草稿")
    published = make_published_rfq(cast, title="二号询价")
    closed = make_published_rfq(cast, title="三号截止")
    Round.objects.filter(rfq=closed).update(deadline=timezone.now() - timedelta(minutes=1))
    make_published_rfq(cast, company=cast.company_b, buyer=cast.staff_b, title="外司询价")
    login(client, cast.buyer)

    def titles(**params):
        response = client.get(BASE, params)
        assert response.status_code == 200
        return {rfq.title for rfq in response.context["page"]}

    assert titles() == {"一号草稿", "二号询价", "三号截止"}
    assert titles(phase="draft") == {draft.title}
    assert titles(phase="open") == {published.title}
    assert titles(phase="closed") == {closed.title}
    assert titles(q="二号") == {published.title}
    assert titles(q=published.number) == {published.title}
    assert titles(company="SH01", phase="nonsense", p="x") == {"一号草稿", "二号询价", "三号截止"}


def test_the_list_runs_a_constant_number_of_queries(client, cast):
    login(client, cast.buyer)
    make_published_rfq(cast)
    client.get(BASE)
    with CaptureQueriesContext(connection) as few:
        response = client.get(BASE)
    assert len(response.context["page"]) == 1
    for _number in range(12):
        make_published_rfq(cast)
        make_draft(cast)
    with CaptureQueriesContext(connection) as many:
        response = client.get(BASE)
    assert len(response.context["page"]) == 25
    # scope, companies, the count and one page of RFQs with their company, buyer, current round and invitation
    # count annotated: nothing per row. The rest is Wagtail's chrome and the session.
    assert len(many) == len(few)


def test_staff_without_the_role_see_the_rfq_but_no_actions(client, cast):
    rfq = make_published_rfq(cast)
    login(client, cast.sales)
    response = client.get(f"{BASE}{rfq.uuid}/")
    assert response.status_code == 200 and response.context["may_manage"] is False
    assert f"{BASE}{rfq.uuid}/amend/" not in response.content.decode()
    assert login(client, cast.staff_b).get(f"{BASE}{rfq.uuid}/").status_code == 404


def test_staff_download_the_rfq_pdf_from_the_detail(client, cast, plate):
    rfq = _invite(make_draft(cast, plate), cast.supplier_a).rfq
    login(client, cast.buyer)
    assert client.post(f"{BASE}{rfq.uuid}/publish/", deadline_fields()).status_code == 302
    document = RfqAttachment.objects.get(rfq=rfq).document
    assert f"/account/documents/{document.uuid}/" in client.get(f"{BASE}{rfq.uuid}/").content.decode()
    response = client.get(f"/account/documents/{document.uuid}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert login(client, cast.staff_b).get(f"/account/documents/{document.uuid}/").status_code == 404


def test_the_list_is_paginated(client, cast):
    for _number in range(51):
        make_draft(cast)
    login(client, cast.buyer)
    response = client.get(BASE, {"p": "2", "phase": "draft"})
    assert len(response.context["page"]) == 1
    assert "phase=draft" in response.content.decode()


def test_an_amendment_changes_quantities_and_need_by_dates(client, cast):
    rfq = make_published_rfq(cast)
    first, second = rfq.lines.order_by("position")
    old_need_by = second.need_by.isoformat()
    login(client, english(cast.buyer))
    url = f"{BASE}{rfq.uuid}/amend/"
    before = snapshot()
    response = client.post(url, amend_form(rfq, summary="数量改为零", **{"lines-0-quantity": "0"}))
    assert response.status_code == 422
    assert response.context["line_forms"].forms[0].errors["quantity"] == ["The quantity must be more than zero."]
    assert snapshot() == before
    response = client.post(
        url,
        amend_form(
            rfq,
            summary="第一行改为 12.5 件，第二行提前交货",
            **{"lines-0-quantity": "12.5", "lines-1-need_by": "2027-03-01"},
        ),
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.quantity, second.need_by.isoformat()) == (Decimal("12.5"), "2027-03-01")
    amendment = Amendment.objects.get()
    assert amendment.changes == {
        "line 1 quantity": ["10", "12.5"],
        "line 2 need_by": [old_need_by, "2027-03-01"],
    }
    assert Rfq.objects.get(pk=rfq.pk).version == 2


def test_editing_keeps_the_lines_left_as_they_were(client, cast, plate):
    rfq = make_draft(cast, plate)
    RfqLine.objects.create(rfq=rfq, position=2, description="包装", quantity=Decimal("1"), unit=plate.base_unit)
    login(client, cast.buyer)
    page = client.get(f"{BASE}{rfq.uuid}/edit/")
    formset = page.context["formset"]
    data = {**rfq_form(title="只改标题"), "lines-TOTAL_FORMS": "4", "lines-INITIAL_FORMS": "2"}
    for key in [key for key in data if key.startswith("lines-0-") or key.startswith("lines-1-")]:
        del data[key]
    for index, form in enumerate(formset.forms[:2]):
        for name, value in form.initial.items():
            data[f"lines-{index}-{name}"] = "" if value is None else str(value)
    data["lines-1-DELETE"] = "on"
    assert client.post(f"{BASE}{rfq.uuid}/edit/", data).status_code == 302
    rfq.refresh_from_db()
    assert rfq.title == "只改标题"
    # the unchanged first line stays, the removed second goes, the two empty new ones are ignored
    assert list(rfq.lines.values_list("position", "item__code", "quantity", "last_price")) == [
        (1, "PL-Q235B-12", Decimal("3.0000"), Decimal("77.7000"))
    ]
