"""Outsider sweep registrations for the AVL back office (imported by the sweep test only).

The entries made here belong to company A (SH01): its sourcing manager reaches them; staff of company B, partner
users and anonymous visitors get what the sweep expects of every back-office page."""

from portal.core.outsider import OutsiderCase, register
from rfq.avl.models import ApprovedSupplier, AvlStatus
from tests.factories.catalog import CategoryFactory


def _entry(cast):
    return ApprovedSupplier.objects.create(
        company=cast.company_a, category=CategoryFactory(), partner=cast.supplier_a, status=AvlStatus.APPROVED
    )


def _sourcing_manager(cast, obj):
    return cast.sourcing_manager


def _kwargs(entry):
    return {"entry_id": entry.uuid}


register(
    OutsiderCase(
        url_name="avl_admin:entry_detail",
        model=ApprovedSupplier,
        make=_entry,
        owner=_sourcing_manager,
        kwargs=_kwargs,
    )
)
register(
    OutsiderCase(
        url_name="avl_admin:entry_edit",
        model=ApprovedSupplier,
        make=_entry,
        owner=_sourcing_manager,
        kwargs=_kwargs,
        method="post",
        data={"status": "blocked", "reason": "Quality escape", "valid_until": ""},
        owner_status=302,
    )
)
