"""The versioned ERP API (/api/v1/). Apps add their routers in their `api.py` modules."""

from django.http import Http404
from ninja import NinjaAPI, Router, Schema
from pydantic import UUID4

from portal.organisations.access import get_object_for_user
from portal.organisations.models import Company, Partner

from .auth import api_key_auth

api = NinjaAPI(
    title="Group portal API",
    version="1",
    urls_namespace="api-v1",
    auth=api_key_auth,
    docs_url="/docs/",
    openapi_url="/schema/",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    # RFC 9457 problem details: the same answer for "does not exist" and "not yours".
    return api.create_response(request, {"type": "about:blank", "title": "Not found", "status": 404}, status=404)


class CompanyOut(Schema):
    id: UUID4
    code: str
    name: str
    currency: str
    ledger_code: str
    time_zone: str


class PartnerOut(Schema):
    id: UUID4
    name: str
    tax_id: str
    is_supplier: bool
    is_customer: bool
    status: str


organisations = Router(tags=["organisations"])


@organisations.get("/companies", response=list[CompanyOut])
def list_companies(request):
    return [
        CompanyOut(
            id=c.uuid,
            code=c.code,
            name=c.name,
            currency=c.currency,
            ledger_code=c.ledger_code,
            time_zone=c.time_zone,
        )
        for c in Company.objects.visible_to(request.auth)
    ]


@organisations.get("/partners/{partner_id}", response=PartnerOut)
def get_partner(request, partner_id: str):
    partner = get_object_for_user(Partner, request.auth, partner_id)
    return PartnerOut(
        id=partner.uuid,
        name=partner.name,
        tax_id=partner.tax_id,
        is_supplier=partner.is_supplier,
        is_customer=partner.is_customer,
        status=partner.status,
    )


api.add_router("/", organisations)
