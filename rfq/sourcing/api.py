"""/api/v1/ for sourcing: purchase requisitions in; RFQs, bid status and awards out.

- `POST /requisitions/batch`, `PUT /requisitions/{external_id}` (`sourcing:write`): requisitions keyed by company
  and the ERP's number, newer wins (rfq.sourcing.requisitions). A company client writes its own company's (the
  company may be omitted); a group-wide client names the company in each object. A requisition already in an RFQ
  keeps its lines: the object is answered "applied" with a remark on `lines` in `errors`.
- `GET /requisitions/{external_id}?company=`, `GET /rfqs?updated_since=&status=&limit=&cursor=`,
  `GET /rfqs/{number}`, `GET /awards?updated_since=&limit=&cursor=` (`sourcing:read`): the client's company only
  (a group-wide client: every company).

Sealing: a bid is described by who, status, version and time until its round is opened; its lines (prices, lead
times, comments) appear only once the round is opened — they are read from OpenedBidLine, which exists only then.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from portal.api.idempotency import run_idempotent
from portal.api.problems import PROBLEM_STATUSES, Problem, ProblemError, problem_response
from portal.api.reading import DEFAULT_LIMIT, MAX_LIMIT, page, path_key
from portal.api.upserting import (
    BatchResults,
    CleanSchema,
    Collection,
    UpsertIn,
    UpsertResult,
    apply_objects,
    batch_schema,
    body_with_key,
    json_response,
    require_scope,
    source_of,
    values_of,
)

from .models import (
    PRICE,
    QUANTITY,
    Award,
    AwardLine,
    AwardStatus,
    Bid,
    Invitation,
    InvitationStatus,
    OpenedBidLine,
    Requisition,
    RequisitionLine,
    Rfq,
    RfqLine,
    RfqStatus,
    RoundStatus,
)
from .payloads import award_payload, bid_status_payload, erp_numbers_by_company, erp_numbers_of, rfq_payload
from .requisitions import RequisitionLineData, requisition_lookups, requisition_upsert
from .selectors import rfq_phase

router = Router(tags=["sourcing"])
PROBLEMS: dict[int, Any] = dict.fromkeys(PROBLEM_STATUSES, Problem)
SCOPE_READ = "sourcing:read"
SCOPE_WRITE = "sourcing:write"
MAX_LINES = 500
NO_BID = "none"


# --- what the ERP sends ------------------------------------------------------------------------------------------


class RequisitionLineIn(CleanSchema):
    line: str = Field("", max_length=60, description="The ERP's id of the line.")
    item: str | None = Field(
        None, max_length=40, description="An item code of the item master; null for a free-text line."
    )
    description: str = Field("", max_length=300, description="Required when there is no item.")
    quantity: Decimal = Field(..., gt=0, **QUANTITY)
    unit: str = Field(..., max_length=20, description="A unit of measure's code.")
    need_by: date | None = None
    site: str | None = Field(None, max_length=20, description="The code of one of the company's sites.")
    last_price: Decimal | None = Field(None, ge=0, **PRICE)
    target_price: Decimal | None = Field(None, ge=0, **PRICE)


class RequisitionIn(UpsertIn):
    external_id: str = Field(
        None, min_length=1, max_length=60, description="The ERP's requisition number. In the path of a PUT."
    )
    company: str | None = Field(
        None, max_length=20, description="The company's code: required for a group-wide client."
    )
    title: str = Field("", max_length=200)
    requested_by: str = Field("", max_length=200)
    status: Literal["open", "closed"] = "open"
    lines: list[RequisitionLineIn] | None = Field(
        None,
        min_length=1,
        max_length=MAX_LINES,
        description="The whole list (replaces the stored lines); omit to keep them. Required for a new one.",
    )


# --- what the API answers ----------------------------------------------------------------------------------------


class RequisitionLineOut(Schema):
    position: int
    line: str
    item: str | None
    description: str
    quantity: Decimal
    unit: str
    need_by: date | None
    site: str | None
    last_price: Decimal | None
    target_price: Decimal | None


class RequisitionOut(Schema):
    id: uuid.UUID
    company: str
    external_id: str
    title: str
    requested_by: str
    status: str
    rfqs: list[str]
    lines: list[RequisitionLineOut]
    source_version: int | None
    updated_at: datetime


class RfqLineOut(Schema):
    id: uuid.UUID
    position: int
    item: str | None
    description: str
    quantity: Decimal
    unit: str
    need_by: date | None
    site: str | None
    last_price: Decimal | None
    target_price: Decimal | None


class RfqOut(Schema):
    id: uuid.UUID
    number: str
    title: str
    company: str
    status: str
    phase: str
    version: int
    currency: str
    round: int | None
    deadline: datetime | None
    updated_at: datetime
    lines: list[RfqLineOut]


class SupplierOut(Schema):
    id: uuid.UUID
    tax_id: str
    name: str
    erp_number: str


class InvitationOut(Schema):
    supplier: SupplierOut
    status: str
    source: str
    avl_status: str


class OpenedLineOut(Schema):
    rfq_line: uuid.UUID
    position: int
    alternative: bool
    unit_price: Decimal
    tax_rate: Decimal
    invoice_type: str
    lead_time_days: int
    moq: Decimal | None
    price_valid_until: date | None
    comment: str


class BidStatusOut(Schema):
    id: uuid.UUID | None = Field(..., description="Null when the supplier has no bid in the round.")
    supplier: SupplierOut
    status: str = Field(..., description="draft, submitted, withdrawn, declined, or none (no bid).")
    version: int | None
    submitted_at: datetime | None
    lines: list[OpenedLineOut] = Field(..., description="Empty until the round is opened.")


class RoundOut(Schema):
    number: int
    deadline: datetime
    status: str
    opened_at: datetime | None
    bids: list[BidStatusOut]


class RfqDetailOut(RfqOut):
    invitations: list[InvitationOut]
    rounds: list[RoundOut]


class RfqPage(Schema):
    results: list[RfqOut]
    next_cursor: str | None


class AwardSupplierOut(Schema):
    tax_id: str
    name: str
    erp_number: str


class AwardLineOut(Schema):
    rfq_line: int
    item: str | None
    description: str
    supplier: AwardSupplierOut
    quantity: Decimal
    unit: str
    unit_price: Decimal
    total: Decimal


class AwardOut(Schema):
    id: uuid.UUID
    rfq: str
    company: str
    currency: str
    total: Decimal
    total_currency: str
    approved_at: datetime | None
    lines: list[AwardLineOut]


class AwardPage(Schema):
    results: list[AwardOut]
    next_cursor: str | None


# --- requisitions in ---------------------------------------------------------------------------------------------


def _line_data(line: dict[str, Any]) -> RequisitionLineData:
    return RequisitionLineData(
        line=line.get("line", ""),
        item=line.get("item"),
        description=line.get("description", ""),
        quantity=line["quantity"],
        unit=line["unit"],
        need_by=line.get("need_by"),
        site=line.get("site"),
        last_price=line.get("last_price"),
        target_price=line.get("target_price"),
    )


def _requisition_collection(notes: dict[str, list[list[dict]]]) -> Collection:
    """The collection for one request: its apply files each object's remarks under the object's key, in order
    (objects are applied in index order, so a key's remarks are taken back in the same order)."""

    def prepare(actor: Any, objects: list[RequisitionIn]) -> Any:
        lines = [line for data in objects for line in (data.lines or ())]
        return requisition_lookups([_line_data(line.model_dump()) for line in lines])

    def apply(*, actor: Any, data: RequisitionIn, context: Any, request: Any):
        version, updated_at = source_of(data)
        sent = data.model_dump(exclude_unset=True)
        applied = requisition_upsert(
            actor=actor,
            company_code=data.company,
            external_id=data.external_id,
            values=values_of(data, exclude=["external_id", "company", "lines"]),
            lines=[_line_data(line) for line in sent["lines"]] if sent.get("lines") is not None else None,
            source_version=version,
            source_updated_at=updated_at,
            lookups=context,
            request=request,
        )
        notes.setdefault(data.external_id, []).append(applied.notes)
        return applied

    return Collection("requisitions", RequisitionIn, ("external_id",), apply, prepare=prepare)


def _apply_requisitions(request: HttpRequest, objects: list[Any], *, batch: bool) -> list[dict]:
    notes: dict[str, list[list[dict]]] = {}
    results = apply_objects(request, _requisition_collection(notes), objects, batch=batch)
    for result in results:
        if result["status"] not in ("applied", "stale"):
            continue  # refused before or inside the service: it filed no remarks
        remarks = notes.get(result["key"], [])
        taken = remarks.pop(0) if remarks else []
        if result["status"] == "applied":
            prefix = f"objects[{result['index']}]." if batch else ""
            result["errors"] += [{"field": prefix + remark["field"], "detail": remark["detail"]} for remark in taken]
    return results


RequisitionBatch = batch_schema(RequisitionIn)


@router.post("/requisitions/batch", response={200: BatchResults, **PROBLEMS})
def requisitions_batch(request: HttpRequest, payload: RequisitionBatch) -> HttpResponse:
    """Create or change up to 1000 purchase requisitions with their lines, keyed by the ERP's number (and company).

    An applied requisition that was already in an RFQ keeps its lines; its result says so in `errors`."""
    require_scope(request, SCOPE_WRITE)
    return run_idempotent(
        request,
        request.auth,
        lambda: json_response({"results": _apply_requisitions(request, payload.objects, batch=True)}),
    )


@router.put("/requisitions/{external_id}", response={200: UpsertResult, **PROBLEMS}, url_name="requisition")
def put_requisition(request: HttpRequest, external_id: str, payload: RequisitionIn) -> HttpResponse:
    """Create or change one purchase requisition."""
    require_scope(request, SCOPE_WRITE)
    raw = body_with_key(payload, external_id=external_id)

    def answer() -> HttpResponse:
        result = _apply_requisitions(request, [raw], batch=False)[0]
        if result["status"] == "invalid":
            return problem_response(422, _("The object was not applied."), result["errors"])
        if result["status"] == "forbidden":
            return problem_response(403, result["errors"][0]["detail"] if result["errors"] else "")
        return json_response(result)

    return run_idempotent(request, request.auth, answer)


def requisition_payload(requisition: Requisition) -> dict[str, Any]:
    return {
        "id": requisition.uuid,
        "company": requisition.company.code,
        "external_id": requisition.external_id,
        "title": requisition.title,
        "requested_by": requisition.requested_by,
        "status": requisition.status,
        "rfqs": sorted(rfq.number for rfq in requisition.rfqs.all()),
        "lines": [
            {
                "position": line.position,
                "line": line.external_line_id,
                "item": line.item.code if line.item_id else None,
                "description": line.description,
                "quantity": line.quantity,
                "unit": line.unit.code,
                "need_by": line.need_by,
                "site": line.site.code if line.site_id else None,
                "last_price": line.last_price,
                "target_price": line.target_price,
            }
            for line in requisition.lines.all()
        ],
        "source_version": requisition.source_version,
        "updated_at": requisition.updated_at,
    }


@router.get("/requisitions/{external_id}", response={200: RequisitionOut, **PROBLEMS}, url_name="requisition")
def get_requisition(
    request: HttpRequest,
    external_id: str,
    company: str | None = Query(None, max_length=20, description="The company's code (group-wide clients)."),
):
    """One requisition as stored, with the RFQs made from it."""
    require_scope(request, SCOPE_READ)
    requisitions = Requisition.objects.visible_to(request.auth).filter(external_id=path_key(external_id))
    if company:
        requisitions = requisitions.filter(company__code=path_key(company))
    found = list(
        requisitions.select_related("company").prefetch_related(
            "rfqs",
            Prefetch(
                "lines", queryset=RequisitionLine.objects.select_related("item", "unit", "site").order_by("position")
            ),
        )[:2]
    )
    if len(found) != 1:
        if found:
            raise ProblemError(
                422,
                _("Several companies have a requisition with this number."),
                [{"field": "company", "detail": _("Name the company.")}],
            )
        raise Http404
    return requisition_payload(found[0])


# --- RFQs, bid status and awards out -----------------------------------------------------------------------------


def _rfqs(request: HttpRequest):
    return (
        Rfq.objects.visible_to(request.auth)
        .select_related("company")
        .prefetch_related(
            "rounds",
            Prefetch("lines", queryset=RfqLine.objects.select_related("item", "unit", "site").order_by("position")),
        )
    )


def rfq_summary(rfq: Rfq) -> dict[str, Any]:
    rounds = sorted(rfq.rounds.all(), key=lambda round: round.number)
    return rfq_payload(rfq) | {
        "phase": rfq_phase(rfq, round=rounds[-1] if rounds else None),
        "updated_at": rfq.updated_at,
    }


def _opened_line(line: OpenedBidLine) -> dict[str, Any]:
    return {
        "rfq_line": line.rfq_line.uuid,
        "position": line.rfq_line.position,
        "alternative": line.is_alternative,
        "unit_price": line.unit_price,
        "tax_rate": line.tax_rate,
        "invoice_type": line.invoice_type,
        "lead_time_days": line.lead_time_days,
        "moq": line.moq,
        "price_valid_until": line.price_valid_until,
        "comment": line.comment,
    }


def rfq_detail(rfq: Rfq) -> dict[str, Any]:
    """The RFQ with its invitations and, per round, each taking-part supplier's bid status: the opened lines only
    for an opened round."""
    invitations = list(
        Invitation.objects.filter(rfq=rfq).exclude(status=InvitationStatus.REMOVED).select_related("supplier")
    )
    erp_numbers = erp_numbers_of(rfq.company_id, [invitation.supplier_id for invitation in invitations])

    def supplier(partner) -> dict[str, Any]:
        return {
            "id": partner.uuid,
            "tax_id": partner.tax_id,
            "name": partner.name,
            "erp_number": erp_numbers.get(partner.pk, ""),
        }

    rounds = list(rfq.rounds.order_by("number").prefetch_related("participants"))
    bids = {
        (bid.round_id, bid.invitation_id): bid
        for bid in Bid.objects.filter(round__rfq=rfq).select_related("round__rfq", "supplier", "current")
    }
    opened_rounds = {round.pk for round in rounds if round.status == RoundStatus.OPENED}
    opened: dict[int, list[dict]] = {}
    current_ids = [bid.current_id for (round_id, _i), bid in bids.items() if round_id in opened_rounds]
    for line in (
        OpenedBidLine.objects.filter(submission_id__in=[pk for pk in current_ids if pk])
        .select_related("rfq_line")
        .order_by("submission_id", "rfq_line__position", "is_alternative")
    ):
        opened.setdefault(line.submission_id, []).append(_opened_line(line))

    round_payloads = []
    for round in rounds:
        if round.number == 1:
            taking_part = invitations
        else:
            chosen = {participant.pk for participant in round.participants.all()}
            taking_part = [invitation for invitation in invitations if invitation.pk in chosen]
        entries = []
        for invitation in taking_part:
            bid = bids.get((round.pk, invitation.pk))
            if bid is None:
                status = InvitationStatus.DECLINED.value if invitation.status == InvitationStatus.DECLINED else NO_BID
                entries.append(
                    {
                        "id": None,
                        "supplier": supplier(invitation.supplier),
                        "status": status,
                        "version": None,
                        "submitted_at": None,
                        "lines": [],
                    }
                )
                continue
            payload = bid_status_payload(bid, erp_number=erp_numbers.get(bid.supplier_id, ""))
            lines = opened.get(bid.current_id, []) if round.pk in opened_rounds and bid.current_id else []
            entries.append(payload | {"supplier": supplier(bid.supplier), "lines": lines})
        round_payloads.append(
            {
                "number": round.number,
                "deadline": round.deadline,
                "status": round.status,
                "opened_at": round.opened_at,
                "bids": entries,
            }
        )
    return rfq_summary(rfq) | {
        "invitations": [
            {
                "supplier": supplier(invitation.supplier),
                "status": invitation.status,
                "source": invitation.source,
                "avl_status": invitation.avl_status,
            }
            for invitation in invitations
        ],
        "rounds": round_payloads,
    }


@router.get("/rfqs", response={200: RfqPage, **PROBLEMS})
def list_rfqs(
    request: HttpRequest,
    status: RfqStatus | None = None,
    updated_since: AwareDatetime | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """The RFQs of the client's company (every company for a group-wide client), in id order."""
    require_scope(request, SCOPE_READ)
    rfqs = _rfqs(request)
    if status:
        rfqs = rfqs.filter(status=status)
    rows, next_cursor = page(rfqs, updated_since=updated_since, updated_field="updated_at", cursor=cursor, limit=limit)
    return {"results": [rfq_summary(rfq) for rfq in rows], "next_cursor": next_cursor}


@router.get("/rfqs/{number}", response={200: RfqDetailOut, **PROBLEMS}, url_name="rfq")
def get_rfq(request: HttpRequest, number: str):
    """One RFQ with its lines, invited suppliers and, per round, each supplier's bid status — a bid's lines only
    after its round was opened."""
    require_scope(request, SCOPE_READ)
    rfq = _rfqs(request).filter(number=path_key(number)).first()
    if rfq is None:
        raise Http404
    return rfq_detail(rfq)


@router.get("/awards", response={200: AwardPage, **PROBLEMS})
def list_awards(
    request: HttpRequest,
    updated_since: AwareDatetime | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """The approved awards of the client's company (approved at or after `updated_since`), in id order, with their
    lines (what the ERP orders)."""
    require_scope(request, SCOPE_READ)
    awards = (
        Award.objects.visible_to(request.auth)
        .filter(status=AwardStatus.APPROVED)
        .select_related("rfq__company")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=AwardLine.objects.select_related(
                    "rfq_line__item", "rfq_line__unit", "invitation__supplier"
                ).order_by("rfq_line__position", "id"),
            )
        )
    )
    rows, next_cursor = page(
        awards, updated_since=updated_since, updated_field="approved_at", cursor=cursor, limit=limit
    )
    erp_numbers = erp_numbers_by_company(
        {award.rfq.company_id for award in rows},
        {line.invitation.supplier_id for award in rows for line in award.lines.all()},
    )
    return {
        "results": [award_payload(award, erp_numbers=erp_numbers) for award in rows],
        "next_cursor": next_cursor,
    }
