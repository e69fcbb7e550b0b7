"""The versioned ERP API (/api/v1/). Each domain app offers a `router` in its `api.py` module; they are found and
mounted here (the core never names a domain app, DESIGN.md §3).

Every error is an RFC 9457 problem (`application/problem+json`, see problems.py), including ninja's own
request validation, authentication and unreadable bodies; input never causes a 500. The OpenAPI schema is at
/api/schema/ and the docs at /api/docs/, served from ninja's bundled Swagger UI files (no CDN).
"""

import logging
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .auth import api_key_auth
from .organisations import router as organisations_router
from .problems import PROBLEM_CONTENT_TYPE, PROBLEM_STATUSES, ProblemError, field_name, problem_response
from .upserting import BATCH_OF

logger = logging.getLogger(__name__)

# Where ninja says a parameter came from, and the name our views give their body: neither is part of a field name.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}
_BODY_PARAMETER = "payload"


class PortalApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's schema, with problem responses declared as `application/problem+json`."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) in PROBLEM_STATUSES and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        for component in schema.get("components", {}).get("schemas", {}).values():
            for prop in component.get("properties", {}).values():
                if BATCH_OF in prop:
                    prop["items"] = {"$ref": f"#/components/schemas/{prop.pop(BATCH_OF)}"}
        return schema


api = PortalApi(
    title="Group portal API",
    version="1",
    description=(
        "Master data from the group's ERP systems. Authenticate with `Authorization: Bearer <key>` or "
        "`X-Api-Key`. Writes are idempotent (send an `Idempotency-Key` header to have a retry answered "
        "with the first response); errors are RFC 9457 problem details."
    ),
    urls_namespace="api-v1",
    auth=api_key_auth,
    docs_url="/docs/",
    openapi_url="/schema/",
)


def _validation_field(location) -> str:
    parts = list(location)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if parts and parts[0] == _BODY_PARAMETER:
        parts = parts[1:]
    return field_name(parts)


@api.exception_handler(NinjaValidationError)
def request_invalid(request, exc):
    errors = [
        {"field": _validation_field(error.get("loc", ())), "detail": str(error.get("msg", ""))} for error in exc.errors
    ]
    return problem_response(422, _("The request does not match the API's schema."), errors)


@api.exception_handler(ProblemError)
def problem(request, exc):
    return problem_response(exc.status, exc.detail, exc.errors)


@api.exception_handler(HttpError)
def http_error(request, exc):
    # ninja's own: 401 without a usable key, 400 for a body that is not JSON.
    if exc.status_code == 401:
        return problem_response(401, _("Send a valid, unrevoked API key as a Bearer token or in X-Api-Key."))
    if exc.status_code == 400:
        return problem_response(400, _("The body is not valid JSON."))
    return problem_response(exc.status_code, str(exc))


@api.exception_handler(Http404)
def not_found(request, exc):
    # The same answer for "does not exist" and "not yours".
    return problem_response(404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return problem_response(403, str(exc))


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    return problem_response(413, _("Send at most 1000 objects per batch, in a body of at most 5 MB."))


@api.exception_handler(IntegrityError)
def conflict(request, exc):
    return problem_response(409, _("The change conflicts with data stored meanwhile; retry it."))


@api.exception_handler(DataError)
def data_error(request, exc):
    return problem_response(422, _("A value is out of range or too long for its field."))


@api.exception_handler(Exception)
def server_error(request, exc):
    # A bug, not the input: logged with its traceback, answered as a problem without details.
    logger.exception("API error on %s %s", request.method, request.path)
    return problem_response(500)


def mount_app_routers() -> None:
    """The core's router, then every domain app's `<app>.api.router`, in INSTALLED_APPS order."""
    api.add_router("/", organisations_router)
    for app in apps.get_app_configs():
        path = Path(app.path)
        ours = path.is_relative_to(settings.BASE_DIR) and "site-packages" not in path.parts
        ours = ours and not app.name.startswith("portal.")
        if not ours or not module_has_submodule(app.module, "api"):
            continue
        router = getattr(import_module(f"{app.name}.api"), "router", None)
        if router is not None:
            api.add_router("/", router)


mount_app_routers()
