"""What the back office's own views (Wagtail admin views under /cms/) share: the plain 403 page for a person who
may see the back office but not this, and the decorator that turns a permission check into it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def forbidden(request) -> TemplateResponse:
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def allowed_if(may: Callable[[Any], bool]):
    """A view decorator: the view for people `may(user)` admits, the 403 page for everyone else."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not may(request.user):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
