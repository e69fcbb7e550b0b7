"""Registries that the domain apps fill, so the core never imports them (DESIGN.md §3).

Each app may have these modules, imported by `autodiscover(name)`:
- `demo.py`: `demo_data.register(order)(function)` — loads the app's demo data (idempotent).
- `erp_sim.py`: `erp_simulator.register(topic)(handler)` — how the simulated ERP answers an outbox topic.
- `panels.py`: `dashboard_panels.register(key)(Panel)` — panels on a workspace dashboard.
- `outsider.py`: `outsider_sweep.register(...)` — URL pattern → owned object for the access sweep
  (imported by the tests only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.utils.module_loading import autodiscover_modules


class Registry:
    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[Any, Any] = {}

    def register(self, key: Any, value: Any = None) -> Any:
        """`registry.register(key, value)`, or `@registry.register(key)` as a decorator."""
        if value is not None:
            self._add(key, value)
            return value

        def decorator(decorated: Any) -> Any:
            self._add(key, decorated)
            return decorated

        return decorator

    def _add(self, key: Any, value: Any) -> None:
        if key in self._entries and self._entries[key] is not value:
            raise ValueError(f"{self.name}: {key!r} is registered twice.")
        self._entries[key] = value

    def unregister(self, key: Any) -> None:
        self._entries.pop(key, None)

    def get(self, key: Any, default: Any = None) -> Any:
        return self._entries.get(key, default)

    def items(self) -> Iterator[tuple[Any, Any]]:
        return iter(sorted(self._entries.items(), key=lambda item: str(item[0])))

    def __contains__(self, key: Any) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)


demo_data = Registry("demo data")
erp_simulator = Registry("ERP simulator")
dashboard_panels = Registry("dashboard panels")


def autodiscover(module_name: str) -> None:
    autodiscover_modules(module_name)


Factory = Callable[..., Any]
