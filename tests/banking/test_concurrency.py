"""Two finance people approve the same change at the same moment: the row lock lets one through."""

import threading

import pytest
from django.db import connections

from portal.core.errors import DomainError
from portal.integration.models import OutboxEvent
from rfq.banking import services
from rfq.banking.models import BankDetailsChange, ChangeStatus, SupplierBankAccount

from .conftest import NEW_NUMBER, make_change


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_make_one_current_account(bank, monkeypatch):
    change = make_change(bank, company=bank.company_a)
    first_holds_the_lock, may_finish = threading.Event(), threading.Event()
    audit_record = services.audit_record

    def held_audit_record(**kwargs):
        if threading.current_thread().name == "first":
            first_holds_the_lock.set()
            assert may_finish.wait(10)
        return audit_record(**kwargs)

    monkeypatch.setattr(services, "audit_record", held_audit_record)
    outcomes = {}

    def approve(name, actor):
        try:
            services.bank_details_change_approve(actor=actor, change=BankDetailsChange.objects.get(pk=change.pk))
            outcomes[name] = "approved"
        except DomainError:
            outcomes[name] = "refused"
        finally:
            connections.close_all()

    first = threading.Thread(target=approve, args=("first", bank.finance_a), name="first")
    first.start()
    assert first_holds_the_lock.wait(10)
    second = threading.Thread(target=approve, args=("second", bank.group_finance), name="second")
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first one's lock
    may_finish.set()
    first.join(10)
    second.join(10)

    assert outcomes == {"first": "approved", "second": "refused"}
    assert BankDetailsChange.objects.get(pk=change.pk).status == ChangeStatus.APPROVED
    assert list(
        SupplierBankAccount.objects.filter(company=bank.company_a).values_list("account_number", "is_current")
    ) == [(NEW_NUMBER, True)]
    assert OutboxEvent.objects.filter(topic="bank_details.change_approved").count() == 1
