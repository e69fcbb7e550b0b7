"""The back office's start page tells sales staff what waits for them: orders submitted for review and orders held
for credit (for sales managers: a special approval may release them), with counts and the oldest few. Two queries
whatever the number of orders. https://docs.wagtail.org/en/stable/reference/hooks.html#construct-homepage-panels
"""

from __future__ import annotations

from typing import Any

from wagtail.admin.ui.components import Component

from .access import REVIEW_ROLES, SALES_MANAGER, narrow_to_companies, order_companies
from .models import OrderStatus, SalesOrder
from .selectors import status_counts

SHOWN = 10


class OrdersToReviewPanel(Component):
    name = "orders_to_review"
    template_name = "selfservice/orders/admin/home_panel.html"
    order = 95

    def __init__(self, request: Any) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any) -> dict[str, Any]:
        user = self.request.user
        waiting = narrow_to_companies(
            SalesOrder.objects.filter(status__in=(OrderStatus.SUBMITTED, OrderStatus.CREDIT_HOLD)), user, *REVIEW_ROLES
        )
        counts = status_counts(waiting)
        managing = order_companies(user, SALES_MANAGER)
        shown_statuses = [OrderStatus.SUBMITTED]
        if managing[0] or managing[1]:
            shown_statuses.append(OrderStatus.CREDIT_HOLD)
        orders = list(
            waiting.filter(status__in=shown_statuses)
            .select_related("company", "customer")
            .order_by("submitted_at", "created_at", "id")[:SHOWN]
        )
        return {
            "orders": orders,
            "to_review": counts.get(OrderStatus.SUBMITTED, 0),
            "on_hold": counts.get(OrderStatus.CREDIT_HOLD, 0) if len(shown_statuses) > 1 else 0,
            "any": bool(orders),
        }


def add_orders_panel(request: Any, panels: list) -> None:
    every, companies = order_companies(request.user, *REVIEW_ROLES)
    if every or companies:
        panels.append(OrdersToReviewPanel(request))
