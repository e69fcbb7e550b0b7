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
