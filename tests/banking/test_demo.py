"""The demo gives every approved supplier a default account in force; loading it again changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from portal.organisations.models import Partner, PartnerStatus
from rfq.banking.models import SupplierBankAccount

pytestmark = pytest.mark.django_db


def test_demo_suppliers_have_a_default_account_and_a_reload_changes_nothing():
    call_command("demo_data", force=True, stdout=StringIO())
    accounts = list(SupplierBankAccount.objects.order_by("pk").values())
    suppliers = Partner.objects.filter(is_supplier=True, status=PartnerStatus.APPROVED)
    assert len(accounts) == suppliers.count() > 0
    assert all(account["is_current"] and account["company_id"] is None for account in accounts)
    assert all(account["account_number"].isdigit() and len(account["account_number"]) == 16 for account in accounts)
    call_command("demo_data", force=True, stdout=StringIO())
    assert list(SupplierBankAccount.objects.order_by("pk").values()) == accounts
