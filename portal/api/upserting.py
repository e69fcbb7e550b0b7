"""Inbound master data: one object (`PUT /api/v1/<collection>/<key>`) or a batch (`POST …/batch`), applied
one object at a time, each in its own savepoint, so that one bad object is reported and the others are applied
(a collection may offer a bulk way to the same answers: items, see catalog/api_batch.py). A batch commits once.

Each object is answered with `{"index", "key", "status", "id", "errors"}` where status is
- "applied": the row now holds what was sent (created, changed or already equal — so a resend answers the same),
- "stale": the row holds a newer `source_version` / `updated_at` than the object; nothing was changed,
- "invalid": the object was refused; `errors` name the fields (`objects[3].attributes.thickness`),
- "forbidden": this API client may not write this object; nothing of it was applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import pydantic
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AwareDatetime, create_model, field_validator

from portal.integration.sync import Applied

from .idempotency import run_idempotent
from .problems import ProblemError, errors_from_django, errors_from_pydantic, problem_response

MAX_BATCH = 1000
# Marks a batch's `objects` in the JSON schema; the OpenAPI schema refers its items to the named object schema.
BATCH_OF = "x-batch-of"
MAX_SOURCE_VERSION = 2**63 - 1
SCOPE_READ = "masterdata:read"
SCOPE_WRITE = "masterdata:write"

Status = Literal["applied", "stale", "invalid", "forbidden"]


class CleanSchema(Schema):
    """Inbound text without NUL characters (PostgreSQL text cannot hold them: refused here, not in the database)."""

    @field_validator("*", mode="after")
    @classmethod
    def no_nul_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(_("Text may not contain NUL characters."))
        return value


class UpsertIn(CleanSchema):
    """What every inbound object may carry besides its own fields: the ERP's version of it."""

    source_version: int | None = Field(
        None, ge=0, le=MAX_SOURCE_VERSION, description="The ERP's version of the object; older versions are stale."
    )
    updated_at: AwareDatetime | None = Field(
        None, description="When the ERP last changed the object (with a time zone); used when there is no version."
    )

    @field_validator("updated_at", mode="after")
    @classmethod
    def in_utc(cls, value: datetime | None) -> datetime | None:
        # PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 (and Python) allow.
        try:
            return value.astimezone(UTC) if value is not None else None
        except OverflowError as error:
            raise ValueError(_("The time is out of range.")) from error


class ErrorOut(Schema):
    field: str
    detail: str


class UpsertResult(Schema):
    index: int
    key: str
    status: Status
    id: str | None
    errors: list[ErrorOut]


class BatchResults(Schema):
    results: list[UpsertResult]


def batch_schema(object_schema: type[Schema]) -> type[Schema]:
    """`{"objects": [...]}`, documented as a list of `object_schema` but read leniently: each object is validated
    on its own, so one malformed object is reported in its result instead of failing the whole batch."""
    return create_model(
        f"{object_schema.__name__}Batch",
        __base__=Schema,
        objects=(
            list[Any],
            Field(
                ...,
                max_length=MAX_BATCH,
                description=f"Up to {MAX_BATCH} objects, applied one by one.",
                json_schema_extra={BATCH_OF: object_schema.__name__},
            ),
        ),
    )


@dataclass(frozen=True)
class Collection:
    """One inbound collection: how to read an object, name it, and apply it."""

    name: str
    schema: type[UpsertIn]
    key_fields: tuple[str, ...]
    # apply(actor=, data=, context=, request=) -> Applied; raises ValidationError or PermissionDenied
    apply: Callable[..., Applied]
    # prepare(actor, [data]) -> context shared by the batch (e.g. categories and units looked up once)
    prepare: Callable[[Any, list[Any]], Any] | None = None
    # bulk_apply(request, [(index, key, data)], context, prefix_of) -> {index: result}, or None to apply the
    # objects one by one: a faster way to the same answers for big batches
    bulk_apply: Callable[..., dict[int, dict] | None] | None = None

    def key_of(self, raw: Any) -> str:
        if not isinstance(raw, dict):
            return ""
        return "/".join("-" if raw.get(name) is None else str(raw.get(name)) for name in self.key_fields)


def source_of(data: UpsertIn) -> tuple[int | None, datetime | None]:
    return data.source_version, data.updated_at


def values_of(data: Schema, *, exclude: Sequence[str] = ()) -> dict[str, Any]:
    """The fields the object actually carries (an omitted field keeps its stored value)."""
    skip = {"source_version", "updated_at", *exclude}
    return {name: value for name, value in data.model_dump(exclude_unset=True).items() if name not in skip}


def object_result(index: int, key: str, status: Status, obj: Any = None, errors: Sequence[dict] = ()) -> dict:
    identifier = getattr(obj, "uuid", None)
    return {
        "index": index,
        "key": key,
        "status": status,
        "id": str(identifier) if identifier is not None else None,
        "errors": list(errors),
    }


def apply_objects(request: HttpRequest, collection: Collection, objects: Sequence[Any], *, batch: bool) -> list[dict]:
    """Validate and apply each object; the batch commits once, each object in its own savepoint."""
    actor = request.auth
    results: list[dict | None] = [None] * len(objects)
    valid: list[tuple[int, str, Any]] = []
    for index, raw in enumerate(objects):
        prefix = f"objects[{index}]" if batch else ""
        key = collection.key_of(raw)
        if not isinstance(raw, dict):
            results[index] = object_result(
                index, key, "invalid", errors=[{"field": prefix, "detail": _("Each object must be a JSON object.")}]
            )
            continue
        try:
            data = collection.schema.model_validate(raw)
        except pydantic.ValidationError as error:
            results[index] = object_result(index, key, "invalid", errors=errors_from_pydantic(error.errors(), prefix))
            continue
        missing = [name for name in collection.key_fields if name not in data.model_fields_set]
        if missing:
            errors = [{"field": f"{prefix}.{name}" if prefix else name, "detail": _("Required.")} for name in missing]
            results[index] = object_result(index, key, "invalid", errors=errors)
            continue
        valid.append((index, key, data))

    context = collection.prepare(actor, [data for _index, _key, data in valid]) if collection.prepare else None

    def prefix_of(index: int) -> str:
        return f"objects[{index}]" if batch else ""

    with transaction.atomic():
        bulk = collection.bulk_apply(request, valid, context, prefix_of) if collection.bulk_apply and batch else None
        if bulk is not None:
            for index, result in bulk.items():
                results[index] = result
        else:
            for index, key, data in valid:
                results[index] = _apply_one(request, collection, index, key, data, context, prefix_of(index))
    return [result for result in results if result is not None]


def _apply_one(
    request: HttpRequest, collection: Collection, index: int, key: str, data: Any, context: Any, prefix: str
) -> dict:
    try:
        with transaction.atomic():
            applied = collection.apply(actor=request.auth, data=data, context=context, request=request)
    except DjangoValidationError as error:
        return object_result(index, key, "invalid", errors=errors_from_django(error, prefix))
    except PermissionDenied as error:
        detail = str(error) or _("This API client may not write this object.")
        return object_result(index, key, "forbidden", errors=[{"field": prefix, "detail": detail}])
    except IntegrityError:
        detail = _("The object conflicts with another one (a code or number that must be unique is taken).")
        return object_result(index, key, "invalid", errors=[{"field": prefix, "detail": detail}])
    except DataError:
        detail = _("A value is out of range or too long for its field.")
        return object_result(index, key, "invalid", errors=[{"field": prefix, "detail": detail}])
    return object_result(index, key, "stale" if applied.stale else "applied", applied.obj)


def require_scope(request: HttpRequest, scope: str) -> None:
    if not request.auth.has_scope(scope):
        raise ProblemError(403, _("This API key lacks the %(scope)s scope.") % {"scope": scope})


def json_response(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(data, cls=DjangoJSONEncoder), status=status, content_type="application/json")


def batch_write(request: HttpRequest, collection: Collection, objects: Sequence[Any]) -> HttpResponse:
    """The answer to `POST /<collection>/batch` (idempotent on `Idempotency-Key`)."""
    require_scope(request, SCOPE_WRITE)
    return run_idempotent(
        request,
        request.auth,
        lambda: json_response({"results": apply_objects(request, collection, objects, batch=True)}),
    )


def single_write(request: HttpRequest, collection: Collection, raw: dict[str, Any]) -> HttpResponse:
    """The answer to `PUT /<collection>/<key>`: the object's result, or a problem when it was refused."""
    require_scope(request, SCOPE_WRITE)

    def answer() -> HttpResponse:
        result = apply_objects(request, collection, [raw], batch=False)[0]
        if result["status"] == "invalid":
            return problem_response(422, _("The object was not applied."), result["errors"])
        if result["status"] == "forbidden":
            return problem_response(403, result["errors"][0]["detail"] if result["errors"] else "")
        return json_response(result)

    return run_idempotent(request, request.auth, answer)


def body_with_key(payload: Schema, **key: Any) -> dict[str, Any]:
    """A PUT body with the key from its path; a different key in the body is an error, not a rename."""
    raw = payload.model_dump(mode="json", exclude_unset=True)
    errors = [
        {"field": name, "detail": _("Differs from the key in the path.")}
        for name, value in key.items()
        if name in raw and raw[name] != value
    ]
    if errors:
        raise ProblemError(422, _("The object was not applied."), errors)
    return raw | key
