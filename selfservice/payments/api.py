"""/api/v1/sales-orders/{number}/payments: the selling company's ERP reports a bank transfer it received for an
order waiting for prepayment. The payment succeeds and the order goes to review (`order.paid`, `order.submitted`).

Takes the `orders:write` scope. A company-bound client reaches only its company's orders (another company's order
is a 404, as is an unknown number). Idempotent on `external_id`: the same report again gets the same answer.
An amount or currency that does not match the order is a 422; an order that is not waiting for a payment, or an
`external_id` already used with another amount, a 409. Errors are problem details (portal.api.problems).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import AwareDatetime, ValidationError

from portal.api.idempotency import run_idempotent
from portal.api.problems import PROBLEM_STATUSES, Problem, ProblemError, errors_from_pydantic, problem_response
from portal.api.reading import path_key
from portal.api.upserting import CleanSchema, json_response, require_scope
from portal.core.errors import DomainError
from selfservice.orders.models import SalesOrder

from .services import PaymentConflict, bank_transfer_record

router = Router(tags=["payments"])
SCOPE = "orders:write"


class BankTransferIn(CleanSchema):
    amount: Decimal = Field(..., gt=0, max_digits=20, decimal_places=2, description="The amount received.")
    currency: str = Field(..., min_length=3, max_length=3, description="ISO 4217 code; must be the order's.")
    reference: str = Field("", max_length=100, description="The reference the customer quoted (PAY-…).")
    external_id: str = Field(..., min_length=1, max_length=60, description="The ERP's id of this payment.")
    paid_at: AwareDatetime | None = Field(None, description="When the money arrived (with a time zone).")


class PaymentOut(Schema):
    id: uuid.UUID
    reference: str
    external_id: str
    method: str
    amount: str
    currency: str
    state: str
    paid_at: datetime | None


class OrderRef(Schema):
    number: str
    status: str
    payment_status: str


class BankTransferOut(Schema):
    payment: PaymentOut
    order: OrderRef


OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": BankTransferIn.model_json_schema()}},
    }
}


@router.post(
    "/sales-orders/{number}/payments",
    response={200: BankTransferOut, **dict.fromkeys(PROBLEM_STATUSES, Problem)},
    url_name="sales_order_payments",
    openapi_extra=OPENAPI_BODY,
    summary="Report a bank transfer received for an order",
)
def post_bank_transfer(request: HttpRequest, number: str) -> HttpResponse:
    require_scope(request, SCOPE)
    # The order first: another company's order is a 404 whatever the body says.
    order = SalesOrder.objects.visible_to(request.auth).filter(number=path_key(number)).first()
    if order is None:
        raise Http404

    def answer() -> HttpResponse:
        try:
            data = BankTransferIn.model_validate_json(request.body or b"")
        except ValidationError as error:
            if any(item.get("type") == "json_invalid" for item in error.errors()):
                raise ProblemError(400, _("The body is not valid JSON.")) from error
            raise ProblemError(
                422, _("The request does not match the API's schema."), errors_from_pydantic(error.errors())
            ) from error
        try:
            result = bank_transfer_record(
                actor=request.auth,
                order=order,
                amount=data.amount,
                currency=data.currency,
                reference=data.reference,
                external_id=data.external_id,
                paid_at=data.paid_at,
            )
        except PaymentConflict as error:
            return problem_response(409, error.message)
        except DomainError as error:
            return problem_response(422, error.message, [{"field": "amount", "detail": error.message}])
        payment, order_now = result.payment, result.order
        return json_response(
            {
                "payment": {
                    "id": str(payment.uuid),
                    "reference": payment.reference,
                    "external_id": payment.external_id,
                    "method": payment.method,
                    "amount": format(payment.amount, "f"),
                    "currency": payment.currency,
                    "state": payment.state,
                    "paid_at": payment.paid_at.astimezone(UTC) if payment.paid_at else None,
                },
                "order": {
                    "number": order_now.number,
                    "status": order_now.status,
                    "payment_status": order_now.payment_status,
                },
            }
        )

    return run_idempotent(request, request.auth, answer)
