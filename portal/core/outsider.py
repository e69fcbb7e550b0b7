"""The outsider sweep's registry (DESIGN.md §4). Every URL pattern of ours that takes an object id is
registered here by its app's `outsider.py` with how to make an object that its owner may reach.
tests/test_outsider_sweep.py then checks: the owner gets the expected status (the control), and every kind of
outsider for the pattern's URL space gets 404 (anonymous: the login redirect, or 401 on the API) with nothing
changed. A pattern with no registration fails that test.

The apps' outsider.py modules import test factories: they are imported by the sweep only, never at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .registry import Registry


@dataclass(frozen=True)
class OutsiderCase:
    url_name: str
    model: type
    # make(cast) -> the object; the cast is tests/conftest.py's standard cast
    make: Callable[[Any], Any]
    # owner(cast, obj) -> the user or API client that may reach it
    owner: Callable[[Any, Any], Any]
    # kwargs(obj) -> the URL's keyword arguments
    kwargs: Callable[[Any], dict]
    method: str = "get"
    data: dict = field(default_factory=dict)
    owner_status: int = 200
    # for views that answer an object whose own row is not `obj` (e.g. a download of a document)
    extra: dict = field(default_factory=dict)
    # Group-wide data (the item master) is not another company's: name the outsiders who may reach it and the
    # status they get, by their name in the cast, e.g. {"staff_b": 200} or {"api_b": 200}; a public page names
    # {"anonymous": 200} (a public tender notice). Everyone else of the
    # URL space must still get 404 (or the login wall), and nobody may change anything.
    expect: dict[str, int] = field(default_factory=dict)


outsider_sweep = Registry("outsider sweep")


def register(case: OutsiderCase) -> OutsiderCase:
    outsider_sweep.register(case.url_name, case)
    return case
