"""The one access layer. Every partner- or company-owned model answers `Model.objects.visible_to(actor)`;
detail fetches go through `get_object_for_user`, which raises 404 for what the actor may not see (never 403,
so nobody learns that another partner's object exists). Views never write tenancy filters themselves.

An actor is a user (partner memberships and staff roles) or an API client (bound to one company or the group).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

M = TypeVar("M", bound=models.Model)

_SCOPE_CACHE_ATTRIBUTE = "_portal_access_scope"


@dataclass(frozen=True)
class Scope:
    """What an actor may see: partners it belongs to, companies it works for, or the whole group."""

    partner_ids: frozenset[int] = field(default_factory=frozenset)
    company_ids: frozenset[int] = field(default_factory=frozenset)
    is_group: bool = False
    # staff role names per company id; None is the key for group-wide roles
    staff_roles: dict[int | None, frozenset[str]] = field(default_factory=dict)
    # role names per partner id, from the actor's active memberships
    partner_roles: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def is_staff(self) -> bool:
        return self.is_group or bool(self.company_ids)

    def has_staff_role(self, role: str, company_id: int | None = None) -> bool:
        """A group-wide role counts in every company; a company role only in its company."""
        if role in self.staff_roles.get(None, frozenset()):
            return True
        if company_id is None:
            return any(role in roles for roles in self.staff_roles.values())
        return role in self.staff_roles.get(company_id, frozenset())

    def has_partner_role(self, partner_id: int, *roles: str) -> bool:
        held = self.partner_roles.get(partner_id, frozenset())
        return any(role in held for role in roles)

    @property
    def is_group_admin(self) -> bool:
        return "group_admin" in self.staff_roles.get(None, frozenset())

    @property
    def needs_multi_factor(self) -> bool:
        """Staff and partner administrators must use a second factor."""
        return self.is_staff or any("admin" in roles for roles in self.partner_roles.values())


EMPTY_SCOPE = Scope()


def scope_of(actor: Any) -> Scope:
    """The actor's scope, computed once per actor object (one request) and cached on it."""
    if actor is None or not getattr(actor, "is_authenticated", False) and not _is_api_client(actor):
        return EMPTY_SCOPE
    cached = getattr(actor, _SCOPE_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    scope = _api_client_scope(actor) if _is_api_client(actor) else _user_scope(actor)
    setattr(actor, _SCOPE_CACHE_ATTRIBUTE, scope)
    return scope


def forget_scope(actor: Any) -> None:
    """Drop the cached scope after the actor's memberships or roles changed in this request."""
    if hasattr(actor, _SCOPE_CACHE_ATTRIBUTE):
        delattr(actor, _SCOPE_CACHE_ATTRIBUTE)


def _is_api_client(actor: Any) -> bool:
    return getattr(actor, "is_api_client", False) is True


def _api_client_scope(client: Any) -> Scope:
    if not client.is_usable:
        return EMPTY_SCOPE
    if client.company_id is None:
        return Scope(is_group=True)
    return Scope(company_ids=frozenset({client.company_id}))


def _user_scope(user: Any) -> Scope:
    from .models import Membership, PartnerStatus, StaffRole

    if not user.is_active:
        return EMPTY_SCOPE
    partner_roles = {
        partner_id: frozenset(roles or ())
        for partner_id, roles in Membership.objects.filter(user=user, is_active=True)
        .exclude(partner__status=PartnerStatus.BLOCKED)
        .values_list("partner_id", "roles")
    }
    staff_roles: dict[int | None, set[str]] = {}
    for company_id, role in StaffRole.objects.filter(user=user).values_list("company_id", "role"):
        staff_roles.setdefault(company_id, set()).add(role)
    return Scope(
        partner_ids=frozenset(partner_roles),
        partner_roles=partner_roles,
        company_ids=frozenset(key for key in staff_roles if key is not None),
        is_group=None in staff_roles,
        staff_roles={key: frozenset(value) for key, value in staff_roles.items()},
    )


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which of its rows an actor may see.

    `partner_paths` lead from the model to the owning Partner, `company_paths` to the owning Company.
    Members of a partner see its rows, staff see their companies' rows, group-wide staff and group API
    clients see all rows that belong to any company. Use `as_manager(partner_path=..., company_path=...)`.
    """

    partner_paths: tuple[str, ...] = ()
    company_paths: tuple[str, ...] = ()

    @classmethod
    def as_manager(  # type: ignore[override]
        cls,
        *,
        partner_path: str | None = None,
        company_path: str | None = None,
        partner_paths: tuple[str, ...] = (),
        company_paths: tuple[str, ...] = (),
    ):
        attributes = {
            "partner_paths": tuple(filter(None, (partner_path, *partner_paths))),
            "company_paths": tuple(filter(None, (company_path, *company_paths))),
        }
        scoped = type(f"{cls.__name__}ForModel", (cls,), attributes)
        return models.Manager.from_queryset(scoped)()

    def visible_to(self, actor: Any) -> ScopedQuerySet:
        scope = scope_of(actor)
        if scope.is_group and self.company_paths:
            return self.all()
        condition = Q(pk__in=[])
        for path in self.partner_paths:
            if scope.partner_ids:
                condition |= Q(**{f"{path}__in": scope.partner_ids})
        for path in self.company_paths:
            if scope.company_ids:
                condition |= Q(**{f"{path}__in": scope.company_ids})
        queryset = self.filter(condition)
        # A row reached through several paths (a partner with two company accounts) appears once.
        if len(self.partner_paths) + len(self.company_paths) > 1 and any(
            "__" in path for path in (*self.partner_paths, *self.company_paths)
        ):
            queryset = queryset.distinct()
        return queryset


def get_object_for_user(queryset: models.QuerySet[M] | type[M], actor: Any | AnonymousUser, uuid: Any) -> M:
    """The one detail fetch: the object if the actor may see it, else 404 (also for a malformed id)."""
    if isinstance(queryset, type):
        queryset = queryset.objects.all()
    try:
        return queryset.visible_to(actor).get(uuid=uuid)  # type: ignore[attr-defined]
    except (queryset.model.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        # ValidationError and ValueError: a malformed id is as unknown as another partner's.
        raise Http404 from error
