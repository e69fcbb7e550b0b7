"""The AVL decision (rfq.avl.decision): specificity, ancestors, expiry, conditional flag, gates."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from rfq.avl.decision import avl_decision, avl_suppliers_for, company_today
from rfq.avl.gates import avl_gates
from rfq.avl.models import AvlStatus
from tests.factories import PartnerFactory


@pytest.fixture(autouse=True)
def english():
    """The reasons are compared in English (the portal's default language is Chinese)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
ON = date(2026, 6, 1)


def test_no_entry_is_not_approved_and_not_allowed(cast, tree):
    decision = avl_decision(cast.supplier_a, cast.company_a, tree.plate, ON)
    assert decision.status == "not_approved"
    assert not decision.allowed and not decision.conditional and decision.entry is None
    assert decision.reasons  # tells the supplier what to do


def test_an_entry_of_an_ancestor_applies_to_its_subcategories(cast, tree, entry):
    row = entry(cast.supplier_a, tree.steel, cast.company_a)
    decision = avl_decision(cast.supplier_a, cast.company_a, tree.thick, ON)
    assert decision.allowed and decision.status == "approved" and decision.entry == row
    assert not avl_decision(cast.supplier_a, cast.company_a, tree.fasteners, ON).allowed


def test_the_nearest_category_wins(cast, tree, entry):
    entry(cast.supplier_a, tree.steel, cast.company_a, AvlStatus.APPROVED)
    blocked = entry(cast.supplier_a, tree.plate, cast.company_a, AvlStatus.BLOCKED, reason="Cracks")
    decision = avl_decision(cast.supplier_a, cast.company_a, tree.thick, ON)
    assert decision.status == "blocked" and not decision.allowed and decision.entry == blocked
    assert any("Cracks" in reason for reason in decision.reasons)
    assert avl_decision(cast.supplier_a, cast.company_a, tree.steel, ON).allowed


def test_a_company_entry_beats_a_group_wide_one_even_on_a_broader_category(cast, tree, entry):
    entry(cast.supplier_a, tree.plate, None, AvlStatus.BLOCKED, reason="Group block")
    own = entry(cast.supplier_a, tree.steel, cast.company_a, AvlStatus.APPROVED)
    assert avl_decision(cast.supplier_a, cast.company_a, tree.plate, ON).entry == own
    # company B has no entry of its own: the group-wide one holds there
    decision_b = avl_decision(cast.supplier_a, cast.company_b, tree.plate, ON)
    assert decision_b.status == "blocked" and not decision_b.allowed


def test_group_wide_entry_applies_to_every_company(cast, tree, entry):
    entry(cast.supplier_a, tree.steel, None)
    assert avl_decision(cast.supplier_a, cast.company_b, tree.plate, ON).allowed
    assert avl_decision(cast.supplier_a, None, tree.plate, ON).allowed


def test_conditional_is_allowed_with_a_flag(cast, tree, entry):
    entry(cast.supplier_a, tree.plate, cast.company_a, AvlStatus.CONDITIONAL, reason="Incoming inspection 100%")
    decision = avl_decision(cast.supplier_a, cast.company_a, tree.plate, ON)
    assert decision.allowed and decision.conditional and decision.status == "conditional"
    assert decision.reasons == ["Approved with conditions: Incoming inspection 100%"]


@pytest.mark.parametrize(
    ("on", "allowed"), [(date(2026, 5, 31), True), (date(2026, 6, 1), True), (date(2026, 6, 2), False)]
)
def test_valid_until_is_the_last_valid_day(cast, tree, entry, on, allowed):
    entry(cast.supplier_a, tree.plate, cast.company_a, valid_until=date(2026, 6, 1))
    decision = avl_decision(cast.supplier_a, cast.company_a, tree.plate, on)
    assert decision.allowed is allowed
    assert decision.status == ("approved" if allowed else "expired")


def test_an_expired_entry_does_not_fall_back_to_a_broader_one(cast, tree, entry):
    entry(cast.supplier_a, tree.steel, cast.company_a)
    entry(cast.supplier_a, tree.plate, cast.company_a, valid_until=date(2026, 1, 1))
    assert avl_decision(cast.supplier_a, cast.company_a, tree.plate, ON).status == "expired"


@pytest.mark.parametrize(
    ("utc", "time_zone", "allowed"),
    [
        # 2026-06-01 15:59 UTC is 23:59 in Shanghai: still the last day
        (datetime(2026, 6, 1, 15, 59, tzinfo=UTC), "Asia/Shanghai", True),
        # 16:00 UTC is already 2026-06-02 in Shanghai: expired there …
        (datetime(2026, 6, 1, 16, 0, tzinfo=UTC), "Asia/Shanghai", False),
        # … but still 2026-06-01 in Berlin
        (datetime(2026, 6, 1, 16, 0, tzinfo=UTC), "Europe/Berlin", True),
        (datetime(2026, 6, 1, 22, 0, tzinfo=UTC), "Europe/Berlin", False),
    ],
)
def test_expiry_is_decided_on_the_company_s_calendar_day(cast, tree, entry, utc, time_zone, allowed):
    cast.company_a.time_zone = time_zone
    cast.company_a.save()
    entry(cast.supplier_a, tree.plate, cast.company_a, valid_until=date(2026, 6, 1))
    with time_machine.travel(utc, tick=False):
        today = company_today(cast.company_a)
        assert avl_decision(cast.supplier_a, cast.company_a, tree.plate, today).allowed is allowed


def test_a_gate_reason_makes_any_entry_not_allowed(cast, tree, entry, gate):
    entry(cast.supplier_a, tree.plate, cast.company_a)
    gate(["Qualification expired: renew ISO 9001"])
    decision = avl_decision(cast.supplier_a, cast.company_a, tree.plate, ON)
    assert not decision.allowed
    assert decision.status == "approved"
    assert "Qualification expired: renew ISO 9001" in decision.reasons


def test_gates_are_gone_after_the_test(cast, tree, entry):
    entry(cast.supplier_a, tree.plate, cast.company_a)
    assert avl_decision(cast.supplier_a, cast.company_a, tree.plate, ON).allowed


def test_suppliers_for_a_category_in_constant_queries(cast, tree, entry, without_other_gates):
    def count():
        with CaptureQueriesContext(connection) as queries:
            result = avl_suppliers_for(cast.company_a, tree.thick, ON)
        return len(queries), result

    entry(cast.supplier_a, tree.steel, None)
    few, _result = count()
    for index in range(15):
        entry(PartnerFactory(), tree.plate, cast.company_a if index % 2 else None)
    entry(cast.supplier_b, tree.plate, cast.company_a, AvlStatus.BLOCKED, reason="Late")
    entry(cast.supplier_b, tree.steel, cast.company_b)  # other company: not applicable
    many, result = count()
    assert many == few
    assert len(result) == 17
    by_partner = {partner.pk: decision for partner, decision in result}
    assert by_partner[cast.supplier_b.pk].status == "blocked"
    assert result[-1][0] == cast.supplier_b  # the not allowed ones come last


def test_suppliers_for_picks_the_most_specific_entry(cast, tree, entry):
    entry(cast.supplier_a, tree.steel, None, AvlStatus.BLOCKED, reason="Group")
    entry(cast.supplier_a, tree.steel, cast.company_a, AvlStatus.CONDITIONAL, reason="Watch")
    [(partner, decision)] = avl_suppliers_for(cast.company_a, tree.plate, ON)
    assert partner == cast.supplier_a and decision.conditional and decision.allowed


def test_suppliers_for_asks_a_gate_with_a_many_form_once(cast, tree, entry, without_other_gates):
    calls = []

    def one(partner, company, category, on):
        raise AssertionError("the many form is used")

    def many(partners, company, category, on):
        calls.append(len(partners))
        return {cast.supplier_b.pk: ["Renew the ISO 9001 certificate"]}

    one.many = many
    avl_gates.register("many-gate", one)
    entry(cast.supplier_a, tree.steel, None)
    entry(cast.supplier_b, tree.steel, None)
    result = dict(avl_suppliers_for(cast.company_a, tree.plate, ON))
    assert calls == [2]
    assert result[cast.supplier_a].allowed
    assert not result[cast.supplier_b].allowed
    assert result[cast.supplier_b].reasons == ["Renew the ISO 9001 certificate"]


@pytest.mark.parametrize("status", ["pending", "blocked"])
def test_a_partner_the_group_has_not_approved_is_never_allowed(cast, tree, entry, status):
    entry(cast.supplier_a, tree.plate, cast.company_a)
    cast.supplier_a.status = status
    cast.supplier_a.save()
    decision = avl_decision(cast.supplier_a, cast.company_a, tree.plate, ON)
    assert decision.status == "approved" and not decision.allowed and decision.reasons
    [(_partner, listed)] = avl_suppliers_for(cast.company_a, tree.plate, ON)
    assert not listed.allowed
