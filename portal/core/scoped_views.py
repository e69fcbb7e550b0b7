"""Base pieces for views that show partner- or company-owned objects. A view never builds its own tenancy
filter: it starts from `Model.objects.visible_to(user)` (via `get_object_for_user`) and may only narrow it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal.organisations.access import get_object_for_user, scope_of


def require_membership(request) -> Any:
    """The membership the person acts through; 404 when they act for no partner (nothing to show)."""
    membership = request.membership
    if not membership:
        raise Http404
    return membership


def require_partner_role(request, *roles: str) -> Any:
    """403 for a member of the active partner without one of the roles (they know the page exists)."""
    membership = require_membership(request)
    if not scope_of(request.user).has_partner_role(membership.partner_id, *roles):
        raise PermissionDenied
    return membership


def get_partner_object(request, queryset, object_id) -> Any:
    """An object of one of the person's partners: visible_to(user), narrowed to partner ownership."""
    return get_object_for_user(queryset, request.user, object_id)


__all__ = ["login_required", "require_membership", "require_partner_role", "get_partner_object"]


class ScopedObjectView:
    """Mixin for class-based views: the queryset always starts from `model.objects.visible_to(user)`.

    Subclasses narrow it with `narrow(queryset)`; overriding `get_queryset` is refused at class creation, so a
    view cannot drop the access filter by accident. The deliberate escape hatch is `unscoped_queryset()`,
    named so that a reviewer sees it.
    """

    model = None
    pk_url_kwarg = "object_id"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} overrides get_queryset; narrow the scoped queryset in narrow() instead.")

    def narrow(self, queryset):
        return queryset

    def unscoped_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        return self.narrow(self.model.objects.visible_to(self.request.user))

    def get_object(self, queryset=None):
        return get_object_for_user(
            queryset if queryset is not None else self.get_queryset(),
            self.request.user,
            self.kwargs.get(self.pk_url_kwarg),
        )
