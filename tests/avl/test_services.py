"""Changing the AVL (rfq.avl.services): who may, validation, audit history and the outbox event."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from rfq.avl.models import ApprovedSupplier, AvlStatus
from rfq.avl.services import avl_entry_save, may_maintain
from tests.factories import StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def save(actor, company, category, partner, status=AvlStatus.APPROVED, **extra):
    return avl_entry_save(actor=actor, company=company, category=category, partner=partner, status=status, **extra)


def test_the_company_s_sourcing_manager_creates_an_entry_audited_with_an_event(cast, tree):
    applied = save(cast.sourcing_manager, cast.company_a, tree.plate, cast.supplier_a, valid_until=date(2027, 1, 31))
    entry = applied.obj
    assert applied.created and entry.reviewer == cast.sourcing_manager
    audit = AuditEvent.objects.get(object_id=str(entry.uuid))
    assert audit.action == "avl.created" and audit.after["status"] == "approved"
    assert audit.partner == cast.supplier_a and audit.company == cast.company_a
    event = OutboxEvent.objects.get(topic="avl.status_changed")
    assert event.company == cast.company_a
    assert event.payload == {
        "id": str(entry.uuid),
        "partner": cast.supplier_a.tax_id,
        "company": "SH01",
        "category": "STEEL-PLATE",
        "old_status": None,
        "new_status": "approved",
        "valid_until": "2027-01-31",
        "reason": "",
    }


def test_a_change_records_history_and_old_and_new_status(cast, tree):
    save(cast.sourcing_manager, cast.company_a, tree.plate, cast.supplier_a)
    save(cast.sourcing_manager, cast.company_a, tree.plate, cast.supplier_a, AvlStatus.BLOCKED, reason="Cracks")
    entry = ApprovedSupplier.objects.get()
    history = list(AuditEvent.objects.filter(object_id=str(entry.uuid)).order_by("pk"))
    assert [event.action for event in history] == ["avl.created", "avl.changed"]
    assert history[1].before == {"status": "approved", "reason": ""}
    assert history[1].after == {"status": "blocked", "reason": "Cracks"}
    event = OutboxEvent.objects.filter(topic="avl.status_changed").latest("pk")
    assert (event.payload["old_status"], event.payload["new_status"]) == ("approved", "blocked")
    assert event.payload["reason"] == "Cracks"


def test_an_identical_save_changes_nothing_and_emits_nothing(cast, tree):
    save(cast.sourcing_manager, cast.company_a, tree.plate, cast.supplier_a)
    other_manager = StaffRoleFactory(user=UserFactory(), role="sourcing_manager", company=cast.company_a).user
    applied = save(other_manager, cast.company_a, tree.plate, cast.supplier_a)
    assert not applied.changed
    assert applied.obj.reviewer == cast.sourcing_manager
    assert AuditEvent.objects.filter(action__startswith="avl.").count() == 1
    assert OutboxEvent.objects.filter(topic="avl.status_changed").count() == 1


def test_blocking_needs_a_reason(cast, tree):
    with pytest.raises(ValidationError) as error:
        save(cast.sourcing_manager, cast.company_a, tree.plate, cast.supplier_a, AvlStatus.BLOCKED, reason="  ")
    assert "reason" in error.value.message_dict
    assert not ApprovedSupplier.objects.exists()


def test_only_suppliers_are_listed(cast, tree):
    with pytest.raises(ValidationError):
        save(cast.sourcing_manager, cast.company_a, tree.plate, cast.customer_c)


@pytest.mark.parametrize("who", ["buyer", "sales", "staff_b", "supplier_a_admin", "outsider"])
def test_others_may_not_write_a_company_s_entries_and_nothing_changes(cast, tree, who):
    with pytest.raises(PermissionDenied):
        save(getattr(cast, who), cast.company_a, tree.plate, cast.supplier_a)
    assert not ApprovedSupplier.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="avl.").exists()
    assert not OutboxEvent.objects.filter(topic="avl.status_changed").exists()


def test_a_company_s_sourcing_manager_may_not_write_group_wide_entries(cast, tree):
    assert not may_maintain(cast.sourcing_manager, None)
    with pytest.raises(PermissionDenied):
        save(cast.sourcing_manager, None, tree.plate, cast.supplier_a)
    assert not may_maintain(cast.sourcing_manager, cast.company_b)
    assert not ApprovedSupplier.objects.exists()


def test_group_wide_entries_by_a_group_sourcing_manager_or_a_group_admin(cast, tree):
    group_manager = StaffRoleFactory(user=UserFactory(), role="sourcing_manager", company=None).user
    save(group_manager, None, tree.plate, cast.supplier_a)
    save(cast.group_admin, None, tree.steel, cast.supplier_a)
    save(group_manager, cast.company_b, tree.plate, cast.supplier_a)  # a group-wide role counts in every company
    assert ApprovedSupplier.objects.filter(company__isnull=True).count() == 2
    event = OutboxEvent.objects.filter(topic="avl.status_changed", company__isnull=True).first()
    assert event.payload["company"] is None


def test_one_group_wide_entry_per_category_and_supplier(cast, tree):
    ApprovedSupplier.objects.create(category=tree.plate, partner=cast.supplier_a, status="approved")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovedSupplier.objects.create(category=tree.plate, partner=cast.supplier_a, status="blocked")


def test_visibility(cast, tree, entry):
    own = entry(cast.supplier_a, tree.plate, cast.company_a)
    group = entry(cast.supplier_b, tree.plate, None)
    other = entry(cast.supplier_b, tree.steel, cast.company_b)
    assert set(ApprovedSupplier.objects.visible_to(cast.buyer)) == {own, group}
    assert set(ApprovedSupplier.objects.visible_to(cast.staff_b)) == {group, other}
    assert set(ApprovedSupplier.objects.visible_to(cast.group_admin)) == {own, group, other}
    assert set(ApprovedSupplier.objects.visible_to(cast.supplier_a_sales)) == {own}
    assert set(ApprovedSupplier.objects.visible_to(cast.supplier_b_admin)) == {group, other}
    assert not ApprovedSupplier.objects.visible_to(cast.outsider).exists()
