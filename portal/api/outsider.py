"""Outsider sweep registrations for /api/v1/ URLs with an object key (imported by the sweep test only).

The GET and the PUT of a key share one URL name, so one registration covers both. Another company's client gets
404 on company data. (The item master's keys are registered in catalog/outsider.py.)"""

from portal.api.models import ApiClient
from portal.core.outsider import OutsiderCase, register
from portal.organisations.models import Company, Site, Warehouse
from tests.factories import SiteFactory, WarehouseFactory

register(
    OutsiderCase(
        url_name="api-v1:company",
        model=Company,
        make=lambda cast: cast.company_a,
        owner=lambda cast, company: cast.api_a,
        kwargs=lambda company: {"code": company.code},
    )
)
register(
    OutsiderCase(
        url_name="api-v1:site",
        model=Site,
        make=lambda cast: SiteFactory(company=cast.company_a, code="P1"),
        owner=lambda cast, site: cast.api_a,
        kwargs=lambda site: {"company": site.company.code, "code": site.code},
    )
)
register(
    OutsiderCase(
        url_name="api-v1:warehouse",
        model=Warehouse,
        make=lambda cast: WarehouseFactory(company=cast.company_a, code="W1"),
        owner=lambda cast, warehouse: cast.api_a,
        kwargs=lambda warehouse: {"company": warehouse.company.code, "code": warehouse.code},
    )
)
# The API clients in the back office (/cms/integration/api-clients/) are for group administrators only: other
# staff get the 403 page before any client is looked up (so company B's staff get 403, not 404).

for url_name, owner_status in (
    ("api_clients_admin:client_rotate_key", 200),  # the page with the new key
    ("api_clients_admin:client_revoke", 302),
):
    register(
        OutsiderCase(
            url_name=url_name,
            model=ApiClient,
            make=lambda cast: cast.api_a,
            owner=lambda cast, client: cast.group_admin,
            kwargs=lambda client: {"client_id": client.uuid},
            method="post",
            owner_status=owner_status,
            expect={"staff_b": 403},
        )
    )
