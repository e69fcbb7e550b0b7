"""/api/v1/ for sourcing: requisitions in (idempotent, newer wins, per-object errors, company-bound), RFQs, bid
status and awards out (the client's company only; a bid's prices never before its round is opened)."""

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from rfq.sourcing.models import (
    Award,
    AwardLine,
    AwardStatus,
    Invitation,
    OpenedBidLine,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    Rfq,
    RfqStatus,
)
from tests.factories import MembershipFactory, PartnerFactory, SiteFactory, make_api_client
from tests.factories.catalog import ItemFactory, UnitFactory
from tests.factories.sourcing import make_published_rfq, open_round, opened_rfq, pass_deadline, submit_bid

pytestmark = pytest.mark.django_db

PRICE = "98765.4321"


def keyed(api_client) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_client.plain_key}", "Accept-Language": "en"})


@pytest.fixture
def master(cast):
    """Company A's site and two items, units t and pcs."""
    pcs = UnitFactory(code="pcs", name="件", name_en="piece")
    UnitFactory(code="t", name="吨", name_en="tonne", dimension="mass", factor=Decimal("1000"))
    return type(
        "Master",
        (),
        {
            "site": SiteFactory(company=cast.company_a, code="BS"),
            "site_b": SiteFactory(company=cast.company_b, code="WH"),
            "bolt": ItemFactory(code="BLT-M12", base_unit=pcs),
            "plate": ItemFactory(code="PL-10", base_unit=pcs),
        },
    )


def requisition(external_id="PR-0001", **extra):
    return {
        "external_id": external_id,
        "title": "螺栓与钢板",
        "requested_by": "王工",
        "lines": [
            {
                "line": "10",
                "item": "BLT-M12",
                "quantity": "500",
                "unit": "pcs",
                "need_by": "2027-01-15",
                "site": "BS",
                "last_price": "1.2000",
                "target_price": "1.1000",
            },
            {"line": "20", "description": "现场安装服务", "quantity": "1", "unit": "pcs"},
        ],
    } | extra


def post_batch(http, objects, **headers):
    return http.post(
        "/api/v1/requisitions/batch", {"objects": objects}, content_type="application/json", headers=headers
    )


def stored():
    return sorted(
        (
            line.requisition.company.code,
            line.requisition.external_id,
            line.requisition.status,
            line.position,
            line.external_line_id,
            line.item.code if line.item_id else None,
            line.description,
            str(line.quantity),
            line.site.code if line.site_id else None,
            str(line.last_price),
        )
        for line in RequisitionLine.objects.select_related("requisition__company", "item", "site")
    )


# --- requisitions in ---------------------------------------------------------------------------------------------


def test_the_same_batch_twice_gives_one_set_of_rows_and_the_same_answer(cast, master):
    http = keyed(cast.api_a)
    first = post_batch(http, [requisition("PR-0001"), requisition("PR-0002", lines=requisition()["lines"][:1])])
    assert first.status_code == 200
    ids = [str(Requisition.objects.get(external_id=key).uuid) for key in ("PR-0001", "PR-0002")]
    assert first.json()["results"] == [
        {"index": 0, "key": "PR-0001", "status": "applied", "id": ids[0], "errors": []},
        {"index": 1, "key": "PR-0002", "status": "applied", "id": ids[1], "errors": []},
    ]
    rows = stored()
    assert rows == [
        ("SH01", "PR-0001", "open", 1, "10", "BLT-M12", "", "500.0000", "BS", "1.2000"),
        ("SH01", "PR-0001", "open", 2, "20", None, "现场安装服务", "1.0000", None, "None"),
        ("SH01", "PR-0002", "open", 1, "10", "BLT-M12", "", "500.0000", "BS", "1.2000"),
    ]
    audits = AuditEvent.objects.filter(action__startswith="requisition.").count()
    assert audits == 2

    second = post_batch(http, [requisition("PR-0001"), requisition("PR-0002", lines=requisition()["lines"][:1])])
    assert second.content == first.content
    assert stored() == rows
    assert AuditEvent.objects.filter(action__startswith="requisition.").count() == 2  # a resend changes nothing


def test_an_idempotency_key_replays_the_first_answer(cast, master):
    http = keyed(cast.api_a)
    first = post_batch(http, [requisition()], **{"Idempotency-Key": "req-1"})
    Requisition.objects.update(title="changed meanwhile")
    replay = post_batch(http, [requisition()], **{"Idempotency-Key": "req-1"})
    assert (replay.status_code, replay.content, replay.headers["Idempotent-Replayed"]) == (200, first.content, "true")
    assert Requisition.objects.get().title == "changed meanwhile"


def test_a_newer_version_wins_and_an_older_one_is_stale(cast, master):
    http = keyed(cast.api_a)
    post_batch(http, [requisition(source_version=5)])
    changed = requisition(source_version=6, title="新标题", lines=[requisition()["lines"][1]])
    assert post_batch(http, [changed]).json()["results"][0]["status"] == "applied"
    rows = stored()
    assert rows == [("SH01", "PR-0001", "open", 1, "20", None, "现场安装服务", "1.0000", None, "None")]

    old = requisition(source_version=4, title="旧标题")
    result = post_batch(http, [old]).json()["results"][0]
    assert (result["status"], result["errors"]) == ("stale", [])
    assert stored() == rows
    assert Requisition.objects.get().title == "新标题"
    audit = AuditEvent.objects.get(action="requisition.changed")
    assert audit.before["title"] == "螺栓与钢板"
    assert [line["line"] for line in audit.after["lines"]] == ["20"]


def test_an_invalid_line_is_reported_with_its_field_and_the_other_objects_apply(cast, master):
    http = keyed(cast.api_a)
    bad = requisition("PR-BAD")
    bad["lines"][0]["item"] = "NO-SUCH-ITEM"
    bad["lines"][1]["site"] = "WH"  # company B's site
    no_item = requisition("PR-EMPTY", lines=[{"quantity": "2", "unit": "pcs"}])
    negative = requisition("PR-NEG", lines=[{"item": "PL-10", "quantity": "0", "unit": "pcs"}])
    response = post_batch(http, [bad, requisition("PR-GOOD"), no_item, negative])
    results = response.json()["results"]
    assert [result["status"] for result in results] == ["invalid", "applied", "invalid", "invalid"]
    assert results[0]["errors"] == [
        {"field": "objects[0].lines[0].item", "detail": "There is no item with the code “NO-SUCH-ITEM”."},
        {"field": "objects[0].lines[1].site", "detail": "SH01 has no site WH."},
    ]
    assert results[2]["errors"] == [
        {"field": "objects[2].lines[0].description", "detail": "Give an item code or describe the line."}
    ]
    assert [error["field"] for error in results[3]["errors"]] == ["objects[3].lines[0].quantity"]
    assert list(Requisition.objects.values_list("external_id", flat=True)) == ["PR-GOOD"]


def test_a_company_client_writes_only_its_own_company(cast, master):
    http = keyed(cast.api_b)
    response = post_batch(http, [requisition(company="SH01")])
    result = response.json()["results"][0]
    assert result["status"] == "forbidden"
    assert Requisition.objects.count() == 0
    # its own company, named or not
    results = post_batch(http, [requisition("PR-B1", company="WH02", lines=[requisition()["lines"][1]])]).json()
    assert results["results"][0]["status"] == "applied"
    assert Requisition.objects.get().company == cast.company_b


def test_a_group_client_names_the_company(cast, master):
    http = keyed(make_api_client(company=None, name="erp-group"))
    results = post_batch(http, [requisition(), requisition("PR-0002", company="SH01")]).json()["results"]
    assert results[0]["status"] == "invalid"
    assert results[0]["errors"] == [
        {"field": "objects[0].company", "detail": "A group-wide client must name the company."}
    ]
    assert results[1]["status"] == "applied"
    assert Requisition.objects.get().company == cast.company_a


def test_without_the_sourcing_write_scope_nothing_changes(cast, master):
    reader = make_api_client(company=cast.company_a, scopes=("sourcing:read", "masterdata:write"), name="erp-r")
    response = post_batch(keyed(reader), [requisition()])
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "This API key lacks the sourcing:write scope."
    put = keyed(reader).put("/api/v1/requisitions/PR-0001", requisition(), content_type="application/json")
    assert put.status_code == 403
    assert (Requisition.objects.count(), AuditEvent.objects.count(), OutboxEvent.objects.count()) == (0, 0, 0)
    writer = make_api_client(company=cast.company_a, scopes=("sourcing:write",), name="erp-w")
    assert keyed(writer).get("/api/v1/rfqs").status_code == 403
    assert Client().get("/api/v1/rfqs").status_code == 401


def test_put_one_requisition_and_read_it_back(cast, master):
    http = keyed(cast.api_a)
    body = requisition()
    body.pop("external_id")
    response = http.put("/api/v1/requisitions/PR-0009", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "applied"
    read = http.get("/api/v1/requisitions/PR-0009").json()
    assert read["company"] == "SH01"
    assert read["status"] == "open"
    assert [(line["position"], line["item"], line["quantity"], line["site"]) for line in read["lines"]] == [
        (1, "BLT-M12", "500.0000", "BS"),
        (2, None, "1.0000", None),
    ]
    # another key in the body is an error, not a rename; invalid lines are a 422 naming the field
    mismatch = http.put("/api/v1/requisitions/PR-0009", requisition("PR-0010"), content_type="application/json")
    assert (mismatch.status_code, mismatch.json()["errors"][0]["field"]) == (422, "external_id")
    bad = requisition()
    bad["lines"][0]["unit"] = "zz"
    invalid = http.put("/api/v1/requisitions/PR-0001", bad, content_type="application/json")
    assert invalid.status_code == 422
    assert invalid.json()["errors"] == [{"field": "lines[0].unit", "detail": "There is no unit with the code “zz”."}]
    assert keyed(cast.api_b).get("/api/v1/requisitions/PR-0009").status_code == 404


def test_a_requisition_in_an_rfq_keeps_its_rfq_and_its_lines(cast, master):
    http = keyed(cast.api_a)
    post_batch(http, [requisition()])
    req = Requisition.objects.get()
    rfq = make_published_rfq(cast)
    rfq.requisitions.add(req)
    Requisition.objects.filter(pk=req.pk).update(status=RequisitionStatus.SOURCING)
    rows = stored()

    changed = requisition(title="改了", lines=[requisition()["lines"][1]])
    result = post_batch(http, [changed]).json()["results"][0]
    assert result["status"] == "applied"
    assert result["errors"] == [
        {
            "field": "objects[0].lines",
            "detail": f"The requisition is already in RFQ {rfq.number}: its lines were kept as they were.",
        }
    ]
    req.refresh_from_db()
    assert (req.title, req.status) == ("改了", "sourcing")
    assert [row[:3] + row[4:] for row in stored()] == [row[:3] + row[4:] for row in rows]
    assert list(req.rfqs.all()) == [rfq]
    # the ERP may still close it
    post_batch(http, [requisition(status="closed")])
    req.refresh_from_db()
    assert req.status == "closed"


def test_remarks_go_to_their_own_object_when_a_batch_repeats_a_number(cast, master):
    """A group client's batch may carry the same ERP number for two companies: each result gets its own remark."""
    http = keyed(make_api_client(company=None, name="erp-group"))
    service = [requisition()["lines"][1]]
    post_batch(
        http,
        [requisition("PR-1", company="SH01", source_version=5), requisition("PR-1", company="WH02", lines=service)],
    )
    rfq = make_published_rfq(cast, company=cast.company_b, buyer=cast.staff_b, suppliers=(cast.supplier_b,))
    rfq.requisitions.add(Requisition.objects.get(company=cast.company_b))
    changed = [service[0] | {"quantity": "2"}]
    results = post_batch(
        http,
        [requisition("PR-1", company="SH01", source_version=4), requisition("PR-1", company="WH02", lines=changed)],
    ).json()["results"]
    assert [(result["status"], [error["field"] for error in result["errors"]]) for result in results] == [
        ("stale", []),
        ("applied", ["objects[1].lines"]),
    ]


# --- RFQs, bid status and awards out -----------------------------------------------------------------------------


def test_rfqs_are_the_client_companys_only(cast):
    mine = make_published_rfq(cast)
    theirs = make_published_rfq(cast, company=cast.company_b, buyer=cast.staff_b, suppliers=(cast.supplier_b,))
    listing = keyed(cast.api_a).get("/api/v1/rfqs").json()
    assert [rfq["number"] for rfq in listing["results"]] == [mine.number]
    first = listing["results"][0]
    assert (first["company"], first["status"], first["phase"], first["round"]) == ("SH01", "published", "open", 1)
    assert [line["last_price"] for line in first["lines"]] == ["100.0000", "100.0000"]
    assert keyed(cast.api_a).get(f"/api/v1/rfqs/{theirs.number}").status_code == 404
    assert keyed(cast.api_b).get(f"/api/v1/rfqs/{mine.number}").status_code == 404
    group = keyed(make_api_client(company=None, name="erp-group")).get("/api/v1/rfqs").json()
    assert sorted(rfq["number"] for rfq in group["results"]) == sorted([mine.number, theirs.number])


def test_the_rfq_list_runs_a_constant_number_of_queries(cast):
    http = keyed(cast.api_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert http.get("/api/v1/rfqs").status_code == 200
        return len(queries)

    make_published_rfq(cast)
    few = count()
    for _ in range(4):
        make_published_rfq(cast, lines=3)
    # the client's key and its last use, then the RFQs, their rounds and their lines with items, units and sites
    assert count() == few


def test_the_rfq_detail_runs_a_constant_number_of_queries_whatever_the_suppliers(cast):
    http = keyed(cast.api_a)

    def count(rfq):
        with CaptureQueriesContext(connection) as queries:
            assert http.get(f"/api/v1/rfqs/{rfq.number}").status_code == 200
        return len(queries)

    small = opened_rfq(cast, {cast.supplier_a: ["10", "20"]})
    others = [PartnerFactory() for _ in range(5)]
    large = make_published_rfq(cast, suppliers=(cast.supplier_a, *others))
    for partner in others:
        submit_bid(MembershipFactory(partner=partner, roles=["sales"]).user, large, partner, ["12", "18"])
    pass_deadline(large)
    open_round(large, [cast.sourcing_manager, small.second_manager])
    small = small.rfq
    # the key, the RFQ with its rounds and lines, invitations, ERP numbers, rounds with participants, bids, opened
    # lines: the same for one supplier as for six
    assert count(small) == count(large)


def test_rfqs_filter_by_status_and_last_change(cast):
    draft = make_published_rfq(cast)
    Rfq.objects.filter(pk=draft.pk).update(status=RfqStatus.DRAFT, updated_at=timezone.now() - timedelta(days=2))
    published = make_published_rfq(cast)
    http = keyed(cast.api_a)
    numbers = [rfq["number"] for rfq in http.get("/api/v1/rfqs", {"status": "draft"}).json()["results"]]
    assert numbers == [draft.number]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    numbers = [rfq["number"] for rfq in http.get("/api/v1/rfqs", {"updated_since": since}).json()["results"]]
    assert numbers == [published.number]
    page = http.get("/api/v1/rfqs", {"limit": 1}).json()
    assert [rfq["number"] for rfq in page["results"]] == [draft.number]
    following = http.get("/api/v1/rfqs", {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert ([rfq["number"] for rfq in following["results"]], following["next_cursor"]) == ([published.number], None)


def test_bid_status_shows_who_and_when_but_no_price_before_opening(cast):
    rfq = make_published_rfq(cast)
    submission = submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [PRICE, "12.5"], comment="交货期可商议")
    response = keyed(cast.api_a).get(f"/api/v1/rfqs/{rfq.number}")
    assert response.status_code == 200
    body = response.content.decode()
    for secret in (PRICE, "98765", "12.5", "交货期可商议"):
        assert secret not in body
    detail = response.json()
    assert [(i["supplier"]["tax_id"], i["status"]) for i in detail["invitations"]] == [
        (cast.supplier_a.tax_id, "invited"),
        (cast.supplier_b.tax_id, "invited"),
    ]
    erp_number = cast.supplier_a.supplier_accounts.get(company=cast.company_a).erp_number
    assert detail["invitations"][0]["supplier"]["erp_number"] == erp_number
    (round,) = detail["rounds"]
    assert (round["number"], round["status"]) == (1, "open")
    assert [(bid["supplier"]["tax_id"], bid["status"], bid["version"], bid["lines"]) for bid in round["bids"]] == [
        (cast.supplier_a.tax_id, "submitted", 1, []),
        (cast.supplier_b.tax_id, "none", None, []),
    ]
    # ISO 8601 in UTC, to the millisecond
    submitted_at = datetime.fromisoformat(round["bids"][0]["submitted_at"])
    assert abs(submitted_at - submission.submitted_at) < timedelta(milliseconds=1)


def test_after_opening_the_opened_lines_are_included(cast):
    opened = opened_rfq(cast, {cast.supplier_a: [PRICE, "12.5"], cast.supplier_b: ["99", "13"]})
    detail = keyed(cast.api_a).get(f"/api/v1/rfqs/{opened.rfq.number}").json()
    (round,) = detail["rounds"]
    assert round["status"] == "opened"
    prices = {bid["supplier"]["tax_id"]: [line["unit_price"] for line in bid["lines"]] for bid in round["bids"]}
    assert prices == {cast.supplier_a.tax_id: [PRICE, "12.5000"], cast.supplier_b.tax_id: ["99.0000", "13.0000"]}


def make_award(cast, rfq, status):
    """An award of the opened RFQ: line 1 to supplier A, line 2 to supplier B, 10 each at their opened prices."""
    lines = list(rfq.lines.order_by("position"))
    award = Award.objects.create(rfq=rfq, status=status, total=Decimal("290.00"), currency="CNY", created_by=cast.buyer)
    for line, supplier in ((lines[0], cast.supplier_a), (lines[1], cast.supplier_b)):
        invitation = Invitation.objects.get(rfq=rfq, supplier=supplier)
        opened_line = OpenedBidLine.objects.get(submission__bid__invitation=invitation, rfq_line=line)
        AwardLine.objects.create(
            award=award,
            rfq_line=line,
            invitation=invitation,
            opened_line=opened_line,
            quantity=Decimal("10"),
            unit_price=opened_line.unit_price,
        )
    if status == AwardStatus.APPROVED:
        Award.objects.filter(pk=award.pk).update(approved_at=timezone.now(), approved_by=cast.sourcing_manager)
    return award


def test_approved_awards_with_their_lines(cast):
    opened = opened_rfq(cast, {cast.supplier_a: ["10", "20"], cast.supplier_b: ["11", "19"]})
    rfq = opened.rfq

    def award(status):
        return make_award(cast, rfq, status)

    award(AwardStatus.DRAFT)
    approved = award(AwardStatus.APPROVED)
    listing = keyed(cast.api_a).get("/api/v1/awards").json()
    assert [a["id"] for a in listing["results"]] == [str(approved.uuid)]
    (only,) = listing["results"]
    assert (only["rfq"], only["company"], only["currency"], only["total"]) == (rfq.number, "SH01", "CNY", "290.00")
    assert [
        (line["rfq_line"], line["supplier"]["tax_id"], line["quantity"], line["unit_price"], line["total"])
        for line in only["lines"]
    ] == [
        (1, cast.supplier_a.tax_id, "10.0000", "10.0000", "100.00"),
        (2, cast.supplier_b.tax_id, "10.0000", "19.0000", "190.00"),
    ]
    assert keyed(cast.api_b).get("/api/v1/awards").json()["results"] == []
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert keyed(cast.api_a).get("/api/v1/awards", {"updated_since": later}).json()["results"] == []


def test_the_award_list_runs_a_constant_number_of_queries(cast):
    http = keyed(cast.api_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert http.get("/api/v1/awards").status_code == 200
        return len(queries)

    first = opened_rfq(cast, {cast.supplier_a: ["10", "20"], cast.supplier_b: ["11", "19"]})
    make_award(cast, first.rfq, AwardStatus.APPROVED)
    one = count()
    for _ in range(3):
        rfq = make_published_rfq(cast)
        submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["10", "20"])
        submit_bid(cast.supplier_b_admin, rfq, cast.supplier_b, ["11", "19"])
        pass_deadline(rfq)
        open_round(rfq, [cast.sourcing_manager, first.second_manager])
        make_award(cast, rfq, AwardStatus.APPROVED)
    # the key, the page of awards, their lines with RFQ lines and suppliers, the ERP numbers of all of them
    assert len(http.get("/api/v1/awards").json()["results"]) == 4
    assert count() == one


def test_the_event_payload_of_a_bid_has_no_price(cast):
    rfq = make_published_rfq(cast)
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [PRICE, "12.5"], comment="交货期可商议")
    event = OutboxEvent.objects.get(topic="bid.submitted")
    text = json.dumps(event.payload, ensure_ascii=False)
    assert PRICE not in text and "交货期可商议" not in text
    assert event.payload["supplier"]["tax_id"] == cast.supplier_a.tax_id
    assert event.payload["version"] == 1
