"""Outsider sweep registrations for /cms/bank-details/ (imported by the sweep test only)."""

from django.utils import timezone

from portal.core.outsider import OutsiderCase, register
from tests.factories import StaffRoleFactory, UserFactory

from .models import BankDetailsChange


def _change(cast):
    return BankDetailsChange.objects.create(
        partner=cast.supplier_a,
        company=cast.company_a,
        requested_by=cast.supplier_a_admin,
        requested_at=timezone.now(),
        account_holder="甲供应商有限公司",
        bank_name="中国工商银行",
        account_number="6222020200112233445",
        currency="CNY",
    )


def _finance_a(cast, change):
    return StaffRoleFactory(user=UserFactory(email="finance@group.test"), role="finance", company=cast.company_a).user


register(
    OutsiderCase(
        url_name="banking_admin:change_detail",
        model=BankDetailsChange,
        make=_change,
        owner=_finance_a,
        kwargs=lambda change: {"change_id": change.uuid},
    )
)
register(
    OutsiderCase(
        url_name="banking_admin:change_approve",
        model=BankDetailsChange,
        make=_change,
        owner=_finance_a,
        kwargs=lambda change: {"change_id": change.uuid},
        method="post",
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="banking_admin:change_reject",
        model=BankDetailsChange,
        make=_change,
        owner=_finance_a,
        kwargs=lambda change: {"change_id": change.uuid},
        method="post",
        data={"reason": "The account holder is not the supplier."},
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="banking_change_withdraw",
        model=BankDetailsChange,
        make=_change,
        owner=lambda cast, change: cast.supplier_a_admin,
        kwargs=lambda change: {"change_id": change.uuid},
        method="post",
        owner_status=302,
    )
)
