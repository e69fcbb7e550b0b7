"""Bank details: the standard cast plus finance staff, a second supplier administrator and an account in force."""

import json

import pytest
from django.utils import timezone
from wagtail.users.models import UserProfile

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from rfq.banking.models import BankDetailsChange, SupplierBankAccount
from tests.factories import MembershipFactory, StaffRoleFactory, UserFactory

CURRENT_NUMBER = "6222020200112233445"
NEW_NUMBER = "6217000010098765432"

NEW_DETAILS = {
    "company": "default",
    "account_holder": "甲供应商有限公司",
    "bank_name": "中国建设银行",
    "branch": "上海浦东分行",
    "account_number": "6217 0000 1009 8765 432",
    "swift_bic": "PCBCCNBJ",
    "bank_code": "105290036005",
    "currency": "cny",
}


@pytest.fixture
def bank(cast):
    """Finance staff of company A, of company B and group-wide; a second and a deactivated admin of supplier A;
    supplier A's default account in force."""

    def staff(email, role, company):
        return StaffRoleFactory(user=UserFactory(email=email), role=role, company=company).user

    cast.finance_a = staff("finance@group.test", "finance", cast.company_a)
    cast.finance_b = staff("finance@wuhan.group.test", "finance", cast.company_b)
    cast.group_finance = staff("treasury@group.test", "finance", None)
    cast.supplier_a_admin_2 = MembershipFactory(
        partner=cast.supplier_a, user=UserFactory(email="owner@supplier-a.test"), roles=["admin"]
    ).user
    cast.supplier_a_former_admin = MembershipFactory(
        partner=cast.supplier_a, user=UserFactory(email="former@supplier-a.test"), roles=["admin"], is_active=False
    ).user
    # assertions read English messages (the portal's default language is Chinese)
    for user in (cast.supplier_a_admin, cast.supplier_a_admin_2, cast.supplier_a_finance, cast.finance_a):
        UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    cast.current_account = SupplierBankAccount.objects.create(
        partner=cast.supplier_a,
        company=None,
        account_holder="甲供应商有限公司",
        bank_name="中国工商银行",
        account_number=CURRENT_NUMBER,
        currency="CNY",
        is_current=True,
        approved_at=timezone.now(),
    )
    return cast


def make_change(cast, *, company=None, number=NEW_NUMBER, partner=None, requested_by=None):
    return BankDetailsChange.objects.create(
        partner=partner or cast.supplier_a,
        company=company,
        requested_by=requested_by or cast.supplier_a_admin,
        requested_at=timezone.now(),
        account_holder="甲供应商有限公司",
        bank_name="中国建设银行",
        branch="上海浦东分行",
        account_number=number,
        swift_bic="PCBCCNBJ",
        bank_code="105290036005",
        currency="CNY",
    )


def state():
    """Everything a denied request must leave as it was."""
    from django.core import mail

    return {
        "changes": list(BankDetailsChange.objects.order_by("pk").values("pk", "status", "decided_by", "reason")),
        "accounts": list(SupplierBankAccount.objects.order_by("pk").values("pk", "is_current", "account_number")),
        "events": OutboxEvent.objects.filter(topic__startswith="bank_details.").count(),
        "audit": AuditEvent.objects.filter(action__startswith="bank_details.").count(),
        "notifications": Notification.objects.filter(kind__startswith="banking.").count(),
        "mail": len(mail.outbox),
    }


def payload_text(event) -> str:
    return json.dumps(event.payload, ensure_ascii=False)
