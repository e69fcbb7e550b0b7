"""Outsider sweep registrations for sales orders (imported by the sweep test only): the back office's order review
(/cms/orders/…), the customer's order pages (/customer/orders/…) and the ERP API (/api/v1/sales-orders/…).

An order is its customer's and its selling company's: another customer's people, another company's staff and
another company's API client get 404, and nothing changes."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from portal.core.outsider import OutsiderCase, register
from portal.organisations.models import CustomerAccount
from selfservice.orders.models import CreditStatus, OrderSource, OrderStatus, SalesOrder
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.order_review import order_of_customer_c


def _order(cast):
    return order_of_customer_c(cast)


def _held_order(cast):
    CustomerAccount.objects.filter(partner=cast.customer_c, company=cast.company_a).update(
        credit_limit=Decimal("1000.00")
    )
    return order_of_customer_c(cast, status=OrderStatus.CREDIT_HOLD, credit_status=CreditStatus.OVER_LIMIT)


def _erp_order(cast):
    return order_of_customer_c(cast, source=OrderSource.ERP, erp_number="77001", number="ERP-SH01-77001")


def _sales_manager(cast, obj):
    return StaffRoleFactory(
        user=UserFactory(email="sales-manager@group.test"), role="sales_manager", company=cast.company_a
    ).user


def _order_kwargs(order):
    return {"order_id": order.uuid}


register(
    OutsiderCase(
        url_name="orders_admin:order_review",
        model=SalesOrder,
        make=_order,
        owner=lambda cast, obj: cast.sales,
        kwargs=_order_kwargs,
    )
)
register(
    OutsiderCase(
        url_name="orders_admin:line_decide",
        model=SalesOrder,
        make=_order,
        owner=lambda cast, obj: cast.sales,
        kwargs=lambda order: {"order_id": order.uuid, "line_id": order.lines.get().uuid},
        method="post",
        data={"action": "reject", "reason": "Not produced any more"},
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="orders_admin:credit_approval",
        model=SalesOrder,
        make=_held_order,
        owner=_sales_manager,
        kwargs=_order_kwargs,
        method="post",
        data={
            "amount": "200.00",
            "valid_until": (timezone.now() + timedelta(days=7)).date().isoformat(),
            "reason": "Year-end order",
        },
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="customer_orders:detail",
        model=SalesOrder,
        make=_order,
        owner=lambda cast, obj: cast.customer_c_admin,
        kwargs=_order_kwargs,
    )
)
register(
    OutsiderCase(
        url_name="customer_orders:confirmation_pdf",
        model=SalesOrder,
        make=_order,
        owner=lambda cast, obj: cast.customer_c_admin,
        kwargs=_order_kwargs,
    )
)


# The ERP API: the company's own client reads its orders; another company's client gets 404.
register(
    OutsiderCase(
        url_name="api-v1:sales_order",
        model=SalesOrder,
        make=_order,
        owner=lambda cast, obj: cast.api_a,
        kwargs=lambda order: {"number": order.number},
    )
)
register(
    OutsiderCase(
        url_name="api-v1:sales_order_erp",
        model=SalesOrder,
        make=_erp_order,
        owner=lambda cast, obj: cast.api_a,
        kwargs=lambda order: {"company": order.company.code, "erp_number": order.erp_number},
    )
)
