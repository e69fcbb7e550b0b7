"""Reading collections through /api/v1/: `?updated_since=&limit=&cursor=` with an opaque keyset cursor."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .problems import ProblemError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_KEY_LENGTH = 100
MAX_ID = 2**63  # bigint


def path_key(value: str) -> str:
    """A natural key from the URL; one that no row can have (too long, NUL) is simply not found."""
    if not value or len(value) > MAX_KEY_LENGTH or "\x00" in value:
        raise Http404
    return value


def _decode_cursor(cursor: str) -> int:
    try:
        position = int(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode())
        if not 0 <= position < MAX_ID:
            raise ValueError(cursor)
        return position
    except (ValueError, binascii.Error, UnicodeError) as error:
        raise ProblemError(
            422, _("The cursor is not valid."), [{"field": "cursor", "detail": _("Use next_cursor as given.")}]
        ) from error


def _encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def page(
    queryset: QuerySet,
    *,
    updated_since: datetime | None,
    updated_field: str,
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """One page of rows in id order (stable while rows are added), and the cursor of the next page."""
    if updated_since is not None:
        try:
            # in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 (and Python) allow
            updated_since = updated_since.astimezone(UTC)
        except OverflowError as error:
            raise ProblemError(
                422, _("The time is out of range."), [{"field": "updated_since", "detail": _("Out of range.")}]
            ) from error
        queryset = queryset.filter(**{f"{updated_field}__gte": updated_since})
    if cursor:
        queryset = queryset.filter(pk__gt=_decode_cursor(cursor))
    rows = list(queryset.order_by("pk")[: limit + 1])
    next_cursor = _encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return rows[:limit], next_cursor
