"""Finance staff decide a requested bank account: only approval puts it in force and sends it in full to the ERP;
nobody else can approve, and a rejection tells the supplier why."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.audit.models import AuditEvent
from portal.core.errors import DomainError
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from rfq.banking.models import ChangeStatus, SupplierBankAccount
from rfq.banking.services import bank_details_change_approve
from tests.conftest import login
from tests.factories import MembershipFactory, StaffRoleFactory

from .conftest import CURRENT_NUMBER, NEW_NUMBER, make_change, state

pytestmark = pytest.mark.django_db

LIST = "/cms/bank-details/"


def _urls(change):
    base = f"/cms/bank-details/{change.uuid}/"
    return base, f"{base}approve/", f"{base}reject/"


def test_finance_sees_both_accounts_in_full_and_approves(bank, django_capture_on_commit_callbacks):
    change = make_change(bank, company=None)
    detail, approve, _reject = _urls(change)
    client = login(Client(), bank.group_finance)
    page = client.get(detail)
    assert page.status_code == 200
    assert CURRENT_NUMBER in page.content.decode() and NEW_NUMBER in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve)
    assert response.status_code == 302 and response["Location"] == LIST

    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.decided_by == bank.group_finance
    # the new account is in force, the old one stays as history
    assert list(SupplierBankAccount.objects.order_by("pk").values_list("account_number", "is_current")) == [
        (CURRENT_NUMBER, False),
        (NEW_NUMBER, True),
    ]
    new_account = SupplierBankAccount.objects.get(is_current=True)
    assert change.account == new_account and new_account.approved_by == bank.group_finance

    # the ERP gets the full new details (the one place outside the approval page)
    event = OutboxEvent.objects.get(topic="bank_details.change_approved")
    assert event.payload["bank_account"] == {
        "account_holder": "甲供应商有限公司",
        "bank_name": "中国建设银行",
        "branch": "上海浦东分行",
        "account_number": NEW_NUMBER,
        "swift_bic": "PCBCCNBJ",
        "bank_code": "105290036005",
        "currency": "CNY",
    }
    assert event.payload["company"] is None
    assert event.payload["supplier"]["tax_id"] == bank.supplier_a.tax_id
    assert event.company is None

    told = Notification.objects.filter(kind="banking.change_approved")
    assert sorted(told.values_list("recipient__email", flat=True)) == ["admin@supplier-a.test", "owner@supplier-a.test"]
    assert all(NEW_NUMBER not in message.body for message in mail.outbox)

    audit = AuditEvent.objects.get(action="bank_details.change_approved")
    assert audit.actor == bank.group_finance
    assert audit.before["account_number"] == "•••• 3445" and audit.after["account_number"] == "•••• 5432"


def test_company_finance_approves_a_change_for_its_company(bank):
    change = make_change(bank, company=bank.company_a)
    client = login(Client(), bank.finance_a)
    # the company has no account of its own: the default account is what is in force for it now
    page = client.get(_urls(change)[0]).content.decode()
    assert CURRENT_NUMBER in page and NEW_NUMBER in page and "(default account)" in page
    assert client.post(_urls(change)[1]).status_code == 302
    event = OutboxEvent.objects.get(topic="bank_details.change_approved")
    assert event.payload["company"] == "SH01" and event.company == bank.company_a
    erp_number = bank.supplier_a.supplier_accounts.get(company=bank.company_a).erp_number
    assert event.payload["supplier"]["erp_numbers"] == {"SH01": erp_number}
    # the company's account is new; the supplier's default account stays in force for the other companies
    current = SupplierBankAccount.objects.filter(is_current=True).values_list("company_id", "account_number")
    assert set(current) == {(None, CURRENT_NUMBER), (bank.company_a.pk, NEW_NUMBER)}


def test_group_admin_may_decide(bank):
    change = make_change(bank, company=bank.company_a)
    assert login(Client(), bank.group_admin).post(_urls(change)[1]).status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED


def test_before_approval_nothing_reaches_the_erp_and_the_old_account_stays(bank):
    make_change(bank)
    assert list(SupplierBankAccount.objects.values_list("account_number", "is_current")) == [(CURRENT_NUMBER, True)]
    assert not OutboxEvent.objects.filter(topic="bank_details.change_approved").exists()


def test_reject_needs_a_reason_and_tells_the_supplier(bank, django_capture_on_commit_callbacks):
    change = make_change(bank, company=bank.company_a)
    _detail, _approve, reject = _urls(change)
    client = login(Client(), bank.finance_a)
    before = state()
    response = client.post(reject, {"reason": "  "})
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"] == ["This field is required."]
    assert state() == before

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reject, {"reason": "The account holder is not your company."})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED and change.reason == "The account holder is not your company."
    assert list(SupplierBankAccount.objects.values_list("account_number", "is_current")) == [(CURRENT_NUMBER, True)]
    assert not OutboxEvent.objects.filter(topic="bank_details.change_approved").exists()
    told = Notification.objects.filter(kind="banking.change_rejected")
    assert sorted(told.values_list("recipient__email", flat=True)) == ["admin@supplier-a.test", "owner@supplier-a.test"]
    assert told.first().params["reason"] == "The account holder is not your company."
    assert AuditEvent.objects.filter(action="bank_details.change_rejected").count() == 1


def test_a_decided_change_cannot_be_decided_again(bank):
    change = make_change(bank, company=bank.company_a)
    client = login(Client(), bank.finance_a)
    assert client.post(_urls(change)[1]).status_code == 302
    before = state()
    response = client.post(_urls(change)[1])
    assert response.status_code == 302 and response["Location"] == _urls(change)[0]
    assert client.post(_urls(change)[2], {"reason": "late"}).status_code == 302
    assert state() == before
    assert OutboxEvent.objects.filter(topic="bank_details.change_approved").count() == 1


def test_nobody_decides_a_change_they_requested(bank):
    """Staff are not partner members today; the guard holds should that ever change."""
    StaffRoleFactory(user=bank.supplier_a_admin, role="finance", company=bank.company_a)
    change = make_change(bank, company=bank.company_a, requested_by=bank.supplier_a_admin)
    before = state()
    with pytest.raises(DomainError):
        bank_details_change_approve(actor=bank.supplier_a_admin, change=change)
    assert state() == before


# --- the authorisation matrix (DESIGN.md §10) ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["buyer", "sourcing_manager", "sales"])
def test_staff_of_the_company_without_finance_get_403_and_nothing_changes(bank, who):
    change = make_change(bank, company=bank.company_a)
    client = login(Client(), getattr(bank, who))
    before = state()
    detail, approve, reject = _urls(change)
    assert client.get(LIST).status_code == 403
    assert client.get(detail).status_code == 403
    assert client.post(approve).status_code == 403
    assert client.post(reject, {"reason": "no"}).status_code == 403
    assert state() == before


@pytest.mark.parametrize("who", ["supplier_a_admin", "supplier_a_finance", "supplier_b_admin"])
def test_the_supplier_cannot_approve(bank, who):
    change = make_change(bank, company=bank.company_a)
    client = login(Client(), getattr(bank, who))
    before = state()
    for url in _urls(change)[1:]:
        response = client.post(url, {"reason": "self-approval"})
        assert response.status_code in (302, 403)  # Wagtail keeps partner users out of the back office
        if response.status_code == 302:
            assert not response["Location"].startswith("/cms/bank-details/")
    assert state() == before


@pytest.mark.parametrize("who", ["finance_b", "staff_b"])
def test_staff_of_another_company_get_404_and_nothing_changes(bank, who):
    change = make_change(bank, company=bank.company_a)
    client = login(Client(), getattr(bank, who))
    before = state()
    detail, approve, reject = _urls(change)
    assert client.get(detail).status_code == 404
    assert client.post(approve).status_code == 404
    assert client.post(reject, {"reason": "no"}).status_code == 404
    assert state() == before


def test_company_finance_cannot_decide_the_default_account(bank):
    """A change of the default account (every company) is for group-wide finance: company finance does not see it."""
    change = make_change(bank, company=None)
    client = login(Client(), bank.finance_a)
    before = state()
    assert client.post(_urls(change)[1]).status_code == 404
    assert state() == before


def test_anonymous_is_sent_to_log_in(bank):
    change = make_change(bank, company=bank.company_a)
    before = state()
    for url in _urls(change)[1:]:
        response = Client().post(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert state() == before


def test_a_malformed_or_unknown_id_is_404(bank):
    client = login(Client(), bank.finance_a)
    assert client.get("/cms/bank-details/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/cms/bank-details/not-a-uuid/").status_code == 404


def test_the_list_shows_what_finance_may_decide_with_masked_numbers(bank):
    make_change(bank, company=bank.company_a)
    other = MembershipFactory(roles=["admin"]).partner
    make_change(bank, company=bank.company_b, partner=other, number="6217000099998888777")
    response = login(Client(), bank.finance_a).get(LIST)
    assert response.status_code == 200
    content = response.content.decode()
    assert "•••• 5432" in content and NEW_NUMBER not in content
    assert "8777" not in content  # company B's change is not company A's finance's business


def test_the_list_runs_a_constant_number_of_queries(bank):
    client = login(Client(), bank.group_finance)
    make_change(bank, company=bank.company_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    count()  # the first request of a session also records the session
    few = count()
    for number in range(10):
        partner = MembershipFactory(roles=["admin"]).partner
        make_change(bank, company=bank.company_a, partner=partner, number=f"62170000200{number:08d}")
    # one query for the page of changes (with supplier, company, requester) and one count for the paginator,
    # plus Wagtail's and the session's own: the same whatever the number of rows
    assert count() == few


def test_the_list_leaves_out_companies_where_the_person_is_not_finance(bank):
    StaffRoleFactory(user=bank.finance_a, role="buyer", company=bank.company_b)
    other = MembershipFactory(roles=["admin"]).partner
    make_change(bank, company=bank.company_b, partner=other, number="6217000099998888777")
    make_change(bank, company=bank.company_a)
    content = login(Client(), bank.finance_a).get(LIST).content.decode()
    assert "•••• 5432" in content and "8777" not in content


@pytest.mark.parametrize("query", ["?status=approved", "?status=nonsense", "?p=abc", "?p=99999", "?status=%00"])
def test_odd_list_parameters_never_fail(bank, query):
    make_change(bank, company=bank.company_a)
    assert login(Client(), bank.finance_a).get(LIST + query).status_code == 200


def test_an_overlong_reason_is_refused_with_a_message(bank):
    change = make_change(bank, company=bank.company_a)
    client = login(Client(), bank.finance_a)
    before = state()
    response = client.post(_urls(change)[2], {"reason": "x" * 1001})
    assert response.status_code == 200 and response.context["reject_form"].errors["reason"]
    assert state() == before
