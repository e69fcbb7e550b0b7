"""Panels on the customer workspace (/customer/): orders to confirm, deliveries, claims and statements register
their "My tasks" panel here with `workspace = "customer"` (see rfq/panels.py for the pattern).

"My orders": orders waiting for the customer (to be paid) and the latest orders with their status. Shown when the
partner has orders; two queries whatever their number."""

from django.db.models import Count, Q

from portal.core.panels import Panel
from portal.core.registry import dashboard_panels
from portal.organisations.models import PartnerStatus
from selfservice.orders.models import OrderStatus
from selfservice.orders.selectors import customer_orders

RECENT_ORDERS = 5


@dashboard_panels.register("orders.my_orders")
class MyOrdersPanel(Panel):
    workspace = "customer"
    template_name = "selfservice/orders/panels/my_orders.html"
    order = 20

    def is_shown(self, request) -> bool:
        membership = request.membership
        if not membership or membership.partner.status != PartnerStatus.APPROVED or not membership.partner.is_customer:
            return False
        orders = customer_orders(request.user, membership.partner)
        # the same instance renders right after: keep what was read for get_context
        self.summary = orders.order_by().aggregate(
            total=Count("id"),
            to_pay=Count("id", filter=Q(status=OrderStatus.AWAITING_PAYMENT)),
            in_review=Count("id", filter=Q(status__in=(OrderStatus.SUBMITTED, OrderStatus.CREDIT_HOLD))),
        )
        if not self.summary["total"]:
            return False
        self.recent = list(orders[:RECENT_ORDERS])
        return True

    def get_context(self, request) -> dict:
        return {"summary": self.summary, "recent": self.recent}
