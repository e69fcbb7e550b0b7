"""What else keeps a supplier from being sourced in a category and company, besides its AVL entry.

Other parts of the supplier relationship register a gate: `avl_gates.register(key, gate)` where
`gate(partner, company, category, on) -> list[str]` returns the reasons (translated, for the supplier and for staff)
why the supplier may not be invited or ordered from on that day, or [] when it may. rfq.qualification registers the
"qualification expired or missing" gate; the AVL decision (rfq.avl) consults every registered gate.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from portal.core.registry import Registry


class Gate(Protocol):
    def __call__(self, partner: Any, company: Any, category: Any, on: date) -> list[str]: ...


avl_gates = Registry("AVL gates")


def gate_reasons(partner: Any, company: Any, category: Any, on: date) -> list[str]:
    reasons: list[str] = []
    for _key, gate in avl_gates.items():
        reasons.extend(gate(partner, company, category, on))
    return reasons


def gate_reasons_many(partners: list[Any], company: Any, category: Any, on: date) -> dict[Any, list[str]]:
    """`gate_reasons` for many suppliers at once, keyed by partner pk. A gate that also offers
    `gate.many(partners, company, category, on) -> {partner pk: [reasons]}` is asked once for all of them (a
    constant number of queries); any other gate is asked supplier by supplier."""
    reasons: dict[Any, list[str]] = {partner.pk: [] for partner in partners}
    if not partners:
        return reasons
    for _key, gate in avl_gates.items():
        many = getattr(gate, "many", None)
        if many is not None:
            found = many(partners, company, category, on)
            for partner in partners:
                reasons[partner.pk].extend(found.get(partner.pk, []))
        else:
            for partner in partners:
                reasons[partner.pk].extend(gate(partner, company, category, on))
    return reasons
