"""AVL fixtures: a small category tree (steel › plate › thick plate; fasteners) and an entry maker."""

from types import SimpleNamespace

import pytest

from rfq.avl.gates import avl_gates
from rfq.avl.models import ApprovedSupplier, AvlStatus
from tests.factories.catalog import CategoryFactory


@pytest.fixture
def tree(db):
    steel = CategoryFactory(code="STEEL", name="钢材", name_en="Steel")
    plate = CategoryFactory(code="STEEL-PLATE", name="钢板", name_en="Plate", parent=steel)
    thick = CategoryFactory(code="STEEL-PLATE-THICK", name="厚板", name_en="Thick plate", parent=plate)
    fasteners = CategoryFactory(code="FAST", name="紧固件", name_en="Fasteners")
    return SimpleNamespace(steel=steel, plate=plate, thick=thick, fasteners=fasteners)


@pytest.fixture
def entry():
    def make(partner, category, company=None, status=AvlStatus.APPROVED, **extra):
        return ApprovedSupplier.objects.create(
            partner=partner, category=category, company=company, status=status, **extra
        )

    return make


@pytest.fixture
def gate():
    """`gate(reasons)` registers a gate that gives these reasons (for every supplier); unregistered after."""
    keys = []

    def register(reasons, key="test-gate"):
        avl_gates.register(key, lambda partner, company, category, on: list(reasons))
        keys.append(key)

    yield register
    for key in keys:
        avl_gates.unregister(key)


@pytest.fixture
def without_other_gates(monkeypatch):
    """The AVL alone: the gates other apps registered (qualification) are set aside for the test."""
    monkeypatch.setattr(avl_gates, "_entries", {})
