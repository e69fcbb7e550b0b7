"""What the storefront may keep between requests: facet counts, result counts and the ids of a result page depend
on the items alone (not on who looks: prices and stock are resolved per request), so they are cached under the
catalog's generation, which every write of items or categories replaces after its commit. A cache that lost the
generation starts a new one, so nothing stale is ever served; `SHOP_CACHE_SECONDS` = 0 turns caching off (the
tests, except those of this module)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
GENERATION_KEY = "catalog:generation"


def _seconds() -> int:
    return int(getattr(settings, "SHOP_CACHE_SECONDS", 0))


def generation() -> str:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        value = cache.get(GENERATION_KEY) or ""
    return value


def catalog_changed() -> None:
    """Items or categories changed: what was cached about them is dropped once the change commits."""
    if _seconds():
        transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


def cached(parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, kept for SHOP_CACHE_SECONDS under the current generation and `parts` (a tuple of plain values)."""
    seconds = _seconds()
    if not seconds:
        return compute()
    key = f"catalog:{generation()}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


class CachedResults:
    """A queryset for Django's Paginator whose count and page slices (as ids) are cached: a page of a common
    word's 20,000 matches costs one primary-key query instead of ranking them all again."""

    def __init__(self, queryset: Any, parts: tuple, fetch: Callable[[list[int]], Any]):
        self.queryset = queryset
        self.parts = parts
        self.fetch = fetch  # ids → a queryset of those rows with what the page needs (related rows, prefetches)

    def count(self) -> int:
        return cached((*self.parts, "count"), self.queryset.count)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list:
        if not isinstance(window, slice):
            return self[window : window + 1][0]
        ids = cached(
            (*self.parts, "ids", window.start, window.stop),
            lambda: list(self.queryset[window].values_list("pk", flat=True)),
        )
        if not ids:
            return []
        found = {row.pk: row for row in self.fetch(ids)}
        return [found[pk] for pk in ids if pk in found]
