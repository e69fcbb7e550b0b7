"""Outsider sweep registrations for price lists (imported by the sweep test only).

A price list is its company's: another company's API client gets 404 on reading it (and is refused writing it)."""

from catalog.pricing.models import PriceList
from portal.core.outsider import OutsiderCase, register
from tests.factories import StaffRoleFactory, UserFactory

register(
    OutsiderCase(
        url_name="api-v1:price_list",
        model=PriceList,
        make=lambda cast: _price_list(cast),
        owner=lambda cast, obj: cast.api_a,
        kwargs=lambda price_list: {"company": price_list.company.code, "code": price_list.code},
    )
)


def _price_list(cast):
    return PriceList.objects.create(company=cast.company_a, code="LIST", name="List", currency="CNY")


def _sales_manager(cast, obj):
    return StaffRoleFactory(
        user=UserFactory(email="sales-manager@group.test"), role="sales_manager", company=cast.company_a
    ).user


# The back office: staff of the list's company see it; another company's staff get 404.
register(
    OutsiderCase(
        url_name="pricing_admin:price_list_detail",
        model=PriceList,
        make=_price_list,
        owner=lambda cast, obj: cast.sales,
        kwargs=lambda price_list: {"price_list_id": price_list.uuid},
    )
)
register(
    OutsiderCase(
        url_name="pricing_admin:price_list_edit",
        model=PriceList,
        make=_price_list,
        owner=_sales_manager,
        kwargs=lambda price_list: {"price_list_id": price_list.uuid},
    )
)
register(
    OutsiderCase(
        url_name="pricing_admin:price_list_import",
        model=PriceList,
        make=_price_list,
        owner=_sales_manager,
        kwargs=lambda price_list: {"price_list_id": price_list.uuid},
    )
)
register(
    OutsiderCase(
        url_name="pricing_admin:price_list_line",
        model=PriceList,
        make=_price_list,
        owner=_sales_manager,
        kwargs=lambda price_list: {"price_list_id": price_list.uuid},
        method="post",
        data={"action": "remove", "line": "0"},
        owner_status=302,
    )
)
