"""Outsider sweep registrations for sourcing's /api/v1/ URLs with a key (imported by rfq/sourcing/outsider.py, which
the sweep test alone imports). The objects belong to company A: its client reads them; company B's client gets 404.
The GET and the PUT of a requisition share one URL name, so the GET's registration covers both."""

from decimal import Decimal

from portal.core.outsider import OutsiderCase, register
from rfq.sourcing.models import Requisition, RequisitionLine, Rfq
from tests.factories.catalog import UnitFactory
from tests.factories.sourcing import make_published_rfq


def _requisition(cast):
    requisition = Requisition.objects.create(company=cast.company_a, external_id="PR-SWEEP", title="sweep")
    RequisitionLine.objects.create(
        requisition=requisition, position=1, description="服务", quantity=Decimal("1"), unit=UnitFactory(code="pcs")
    )
    return requisition


register(
    OutsiderCase(
        url_name="api-v1:requisition",
        model=Requisition,
        make=_requisition,
        owner=lambda cast, requisition: cast.api_a,
        kwargs=lambda requisition: {"external_id": requisition.external_id},
    )
)
register(
    OutsiderCase(
        url_name="api-v1:rfq",
        model=Rfq,
        make=lambda cast: make_published_rfq(cast),
        owner=lambda cast, rfq: cast.api_a,
        kwargs=lambda rfq: {"number": rfq.number},
    )
)
