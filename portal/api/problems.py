"""RFC 9457 problem details (https://www.rfc-editor.org/rfc/rfc9457): every error of /api/v1/ is
`application/problem+json` with a type, a title, the status, a detail and, for invalid input, the fields at fault
(`objects[3].attributes.thickness`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://portal.example/problems/"
# The statuses an operation may answer with a problem (declared in the OpenAPI schema for each).
PROBLEM_STATUSES = (400, 401, 403, 404, 409, 413, 422)
NON_FIELD = "__all__"


class FieldError(Schema):
    field: str
    detail: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []


def problem_titles() -> dict[int, tuple[str, str]]:
    """status → (type slug, title), translated for the current request."""
    return {
        400: ("bad-request", _("The request could not be read")),
        401: ("unauthenticated", _("A valid API key is required")),
        403: ("forbidden", _("This API key may not do this")),
        404: ("not-found", _("Not found")),
        405: ("method-not-allowed", _("Method not allowed")),
        409: ("conflict", _("Conflict")),
        413: ("too-large", _("The request is too large")),
        422: ("invalid", _("The request is not valid")),
        500: ("server-error", _("The server could not answer this request")),
    }


def problem_body(status: int, detail: str = "", errors: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
    slug, title = problem_titles().get(status, ("error", _("Error")))
    return {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "errors": list(errors),
    }


def problem_response(status: int, detail: str = "", errors: Sequence[dict[str, str]] = ()) -> HttpResponse:
    body = problem_body(status, detail, errors)
    return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=PROBLEM_CONTENT_TYPE)


class ProblemError(Exception):
    """Raise anywhere in a view to answer with a problem."""

    def __init__(self, status: int, detail: str = "", errors: Sequence[dict[str, str]] = ()) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)


def field_name(location: Iterable[Any], prefix: str = "") -> str:
    """A pydantic location ("objects", 3, "attributes", "thickness") as `objects[3].attributes.thickness`."""
    name = prefix
    for part in location:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name = f"{name}.{part}" if name else str(part)
    return name


def errors_from_pydantic(errors: Iterable[dict[str, Any]], prefix: str = "") -> list[dict[str, str]]:
    return [
        {"field": field_name(error.get("loc", ()), prefix), "detail": str(error.get("msg", ""))} for error in errors
    ]


def errors_from_django(error: DjangoValidationError, prefix: str = "") -> list[dict[str, str]]:
    """A model or service ValidationError as field errors; its keys (`attributes.thickness`) follow the prefix."""
    found: list[dict[str, str]] = []
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            field = prefix if name == NON_FIELD else (f"{prefix}.{name}" if prefix else name)
            found.extend({"field": field, "detail": str(message)} for message in messages)
    else:
        found.extend({"field": prefix, "detail": str(message)} for message in error.messages)
    return found
