"""The back office's start page (/cms/) shows sales and sales managers the quote requests waiting for an answer at
their companies (group-wide roles: all), the longest waiting first. One query.
https://docs.wagtail.org/en/stable/reference/hooks.html#construct-homepage-panels
"""

from __future__ import annotations

from typing import Any

from wagtail.admin.ui.components import Component

from portal.organisations.access import scope_of
from portal.organisations.models import StaffRoleName

from .models import QuoteRequest, QuoteRequestStatus

SHOWN = 10
ROLES = {StaffRoleName.SALES, StaffRoleName.SALES_MANAGER}


def _answering_companies(user: Any) -> tuple[bool, set[int]]:
    """(every company, the company ids) where the person may answer quote requests."""
    scope = scope_of(user)
    if ROLES & scope.staff_roles.get(None, frozenset()):
        return True, set()
    return False, {company for company, held in scope.staff_roles.items() if company and ROLES & held}


class QuoteRequestsPanel(Component):
    name = "quote_requests"
    template_name = "catalog/shop/admin/home_panel.html"
    order = 95

    def __init__(self, request: Any) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any) -> dict[str, Any]:
        every, companies = _answering_companies(self.request.user)
        waiting = QuoteRequest.objects.filter(status=QuoteRequestStatus.OPEN)
        if not every:
            waiting = waiting.filter(company_id__in=companies)
        rows = list(waiting.select_related("company", "customer", "item").order_by("created_at", "id")[:SHOWN])
        return {"quote_requests": rows}


def add_quote_requests_panel(request: Any, panels: list) -> None:
    every, companies = _answering_companies(request.user)
    if every or companies:
        panels.append(QuoteRequestsPanel(request))
