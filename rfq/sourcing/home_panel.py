"""The back office's start page (/cms/) tells sourcing staff what waits for them: rounds whose deadline has passed
and that still need an opener (sourcing managers), awards awaiting approval by someone other than their author
(sourcing managers), and suppliers' questions nobody has answered (buyers and sourcing managers of the company).
Three queries, whatever the number of RFQs. https://docs.wagtail.org/en/stable/reference/hooks.html#construct-homepage-panels
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone
from wagtail.admin.ui.components import Component

from portal.organisations.access import scope_of

from .access import BUYER, SOURCING_MANAGER
from .models import Award, AwardStatus, Question, RfqStatus, Round, RoundStatus

SHOWN = 10


def _companies_with(scope: Any, *roles: str, group_admin: bool = False) -> tuple[bool, set[int]]:
    """(every company, the ids of companies) where the person holds one of the roles (or is a group administrator,
    when that counts)."""
    if any(role in scope.staff_roles.get(None, frozenset()) for role in roles) or (
        group_admin and scope.is_group_admin
    ):
        return True, set()
    return False, {company for company, held in scope.staff_roles.items() if company and set(roles) & held}


def _in(queryset, path: str, scope_companies: tuple[bool, set[int]]):
    every, companies = scope_companies
    return queryset if every else queryset.filter(**{f"{path}__in": companies})


class SourcingTasksPanel(Component):
    name = "sourcing_tasks"
    template_name = "sourcing/admin/home_panel.html"
    order = 90

    def __init__(self, request: Any) -> None:
        self.request = request

    def tasks(self) -> dict[str, list]:
        user = self.request.user
        scope = scope_of(user)
        managing = _companies_with(scope, SOURCING_MANAGER)
        buying = _companies_with(scope, BUYER, SOURCING_MANAGER, group_admin=True)
        tasks: dict[str, list] = {"openings": [], "approvals": [], "questions": []}
        if managing[0] or managing[1]:
            rounds = Round.objects.filter(
                status=RoundStatus.OPEN, deadline__lte=timezone.now(), rfq__status=RfqStatus.PUBLISHED
            )
            tasks["openings"] = list(
                _in(rounds, "rfq__company", managing)
                .select_related("rfq")
                .annotate(signed=Count("signatures"))
                .order_by("deadline")[:SHOWN]
            )
            awards = Award.objects.filter(status=AwardStatus.PENDING_APPROVAL).exclude(created_by=user)
            tasks["approvals"] = list(
                _in(awards, "rfq__company", managing).select_related("rfq").order_by("submitted_at", "id")[:SHOWN]
            )
        if buying[0] or buying[1]:
            questions = Question.objects.filter(answer="", rfq__status=RfqStatus.PUBLISHED)
            tasks["questions"] = list(
                _in(questions, "rfq__company", buying).select_related("rfq").order_by("asked_at", "id")[:SHOWN]
            )
        return tasks

    def get_context_data(self, parent_context: Any) -> dict[str, Any]:
        tasks = self.tasks()
        return {**tasks, "any": any(tasks.values())}


def add_sourcing_panel(request: Any, panels: list) -> None:
    if scope_of(request.user).is_staff:
        panels.append(SourcingTasksPanel(request))
