"""A supplier administrator requests new bank details: only right after a second factor, every admin is told,
the ERP hears of it with the number masked, and the account in force does not change."""

import time

import pytest
import time_machine
from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from rfq.banking.models import BankDetailsChange, ChangeStatus, SupplierBankAccount
from tests.conftest import login
from tests.totp import totp_code

from .conftest import CURRENT_NUMBER, NEW_DETAILS, NEW_NUMBER, make_change, payload_text, state

INDEX = "/supplier/bank-details/"
CHANGE = "/supplier/bank-details/change/"
REAUTH = "/accounts/2fa/reauthenticate/"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STALE = account_settings.REAUTHENTICATION_TIMEOUT + 1  # seconds: just past allauth's re-authentication window

pytestmark = pytest.mark.django_db


def _admin_client(user):
    TOTP.activate(user, SECRET)
    return login(Client(), user)


def test_admin_with_a_fresh_second_factor_requests_a_change(bank, django_capture_on_commit_callbacks):
    client = _admin_client(bank.supplier_a_admin)
    assert client.get(CHANGE).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGE, NEW_DETAILS)
    assert response.status_code == 302 and response["Location"] == INDEX

    change = BankDetailsChange.objects.get()
    assert change.status == ChangeStatus.PENDING
    assert change.company is None
    assert change.account_number == NEW_NUMBER  # normalised: no spaces
    assert change.currency == "CNY"
    assert change.requested_by == bank.supplier_a_admin
    # the old account stays in force until finance approves
    assert list(SupplierBankAccount.objects.values_list("account_number", "is_current")) == [(CURRENT_NUMBER, True)]

    # every active administrator at once, inbox and e-mail; nobody else
    told = Notification.objects.filter(kind="banking.change_requested")
    assert sorted(told.values_list("recipient__email", flat=True)) == ["admin@supplier-a.test", "owner@supplier-a.test"]
    body = told.first()
    assert body.params["last4"] == "5432"
    mailed = sorted(address for message in mail.outbox for address in message.to)
    assert "admin@supplier-a.test" in mailed and "owner@supplier-a.test" in mailed
    assert "former@supplier-a.test" not in mailed
    admin_mail = next(message for message in mail.outbox if message.to == ["owner@supplier-a.test"])
    assert "5432" in admin_mail.body and NEW_NUMBER not in admin_mail.body
    # finance of the group (company-less change: group-wide finance) is asked to decide
    assert list(
        Notification.objects.filter(kind="banking.change_awaiting_approval").values_list("recipient__email", flat=True)
    ) == ["treasury@group.test"]

    # the ERP hears of the request, masked; no approval event yet
    event = OutboxEvent.objects.get(topic="bank_details.change_requested")
    assert event.payload["bank_account"]["account_number"] == "•••• 5432"
    assert event.payload["company"] is None
    assert NEW_NUMBER not in payload_text(event)
    assert not OutboxEvent.objects.filter(topic="bank_details.change_approved").exists()

    audit = AuditEvent.objects.get(action="bank_details.change_requested")
    assert audit.actor == bank.supplier_a_admin
    assert audit.after["account_number"] == "•••• 5432"
    assert audit.before["account_number"] == "•••• 3445"
    assert NEW_NUMBER not in str(audit.after) and CURRENT_NUMBER not in str(audit.before)


def test_a_change_for_one_company_relationship(bank):
    client = _admin_client(bank.supplier_a_admin)
    response = client.post(CHANGE, {**NEW_DETAILS, "company": str(bank.company_a.uuid)})
    assert response.status_code == 302
    change = BankDetailsChange.objects.get()
    assert change.company == bank.company_a
    assert OutboxEvent.objects.get(topic="bank_details.change_requested").payload["company"] == "SH01"
    assert list(
        Notification.objects.filter(kind="banking.change_awaiting_approval")
        .order_by("recipient__email")
        .values_list("recipient__email", flat=True)
    ) == ["finance@group.test", "treasury@group.test"]


def test_a_company_the_supplier_does_not_supply_is_refused(bank):
    client = _admin_client(bank.supplier_a_admin)
    before = state()
    response = client.post(CHANGE, {**NEW_DETAILS, "company": str(bank.company_b.uuid)})
    assert response.status_code == 200
    assert "company" in response.context["form"].errors
    assert state() == before


def test_a_stale_session_is_sent_to_reauthenticate_and_nothing_changes(bank):
    client = _admin_client(bank.supplier_a_admin)
    before = state()
    with time_machine.travel(time.time() + STALE, tick=False):
        response = client.get(CHANGE)
        assert response.status_code == 302
        assert response["Location"] == f"{REAUTH}?next=%2Fsupplier%2Fbank-details%2Fchange%2F"
        response = client.post(CHANGE, NEW_DETAILS)
        assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    assert state() == before
    assert not BankDetailsChange.objects.exists()


def test_a_fresh_password_does_not_replace_the_second_factor(bank):
    client = _admin_client(bank.supplier_a_admin)
    before = state()
    with time_machine.travel(time.time() + STALE, tick=False):
        session = client.session
        request = type("Request", (), {"session": session})()
        record_authentication(request, bank.supplier_a_admin, "password", reauthenticated=True)
        session.save()
        response = client.post(CHANGE, NEW_DETAILS)
    assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    assert state() == before


def test_reauthenticating_with_a_totp_code_opens_the_form_again(bank):
    client = _admin_client(bank.supplier_a_admin)
    with time_machine.travel(time.time() + STALE, tick=False):
        response = client.get(CHANGE)
        assert response.status_code == 302
        wrong = client.post(response["Location"], {"code": "000000"})
        assert wrong.status_code == 200  # the code is refused, the page shows the error
        assert client.post(CHANGE, NEW_DETAILS)["Location"].startswith(REAUTH)
        assert not BankDetailsChange.objects.exists()
        response = client.post(response["Location"], {"code": totp_code(SECRET)})
        assert response.status_code == 302 and response["Location"] == CHANGE
        assert client.post(CHANGE, NEW_DETAILS)["Location"] == INDEX
    assert BankDetailsChange.objects.get().status == ChangeStatus.PENDING


def test_an_admin_without_a_second_factor_is_sent_to_set_one_up(bank):
    client = login(Client(), bank.supplier_a_admin)
    before = state()
    response = client.post(CHANGE, NEW_DETAILS)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    assert state() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("account_number", "62170000ABC", "Use digits only"),
        ("account_number", "1234567", "8 to 30 digits"),
        ("account_number", "DE89 3704 0044 0532 0130 01", "This IBAN is not valid"),
        ("account_number", "", "This field is required"),
        ("account_holder", "", "This field is required"),
        ("bank_name", "", "This field is required"),
        ("swift_bic", "ICBK", "8 or 11 letters"),
        ("bank_code", "10529", "12 digits"),
        ("currency", "RM1", "three-letter"),
        ("company", "not-a-company", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_next_to_the_field_and_changes_nothing(bank, field, value, message):
    client = _admin_client(bank.supplier_a_admin)
    before = state()
    response = client.post(CHANGE, {**NEW_DETAILS, field: value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert state() == before


def test_an_iban_is_accepted(bank):
    client = _admin_client(bank.supplier_a_admin)
    response = client.post(CHANGE, {**NEW_DETAILS, "account_number": "de89 3704 0044 0532 0130 00", "currency": "EUR"})
    assert response.status_code == 302
    assert BankDetailsChange.objects.get().account_number == "DE89370400440532013000"


def test_a_new_request_withdraws_the_older_pending_one(bank):
    older = make_change(bank, number="6217000010011112222")
    client = _admin_client(bank.supplier_a_admin_2)
    assert client.post(CHANGE, NEW_DETAILS).status_code == 302
    older.refresh_from_db()
    assert older.status == ChangeStatus.WITHDRAWN
    assert older.decided_by == bank.supplier_a_admin_2
    assert BankDetailsChange.objects.filter(status=ChangeStatus.PENDING).get().account_number == NEW_NUMBER
    assert AuditEvent.objects.get(action="bank_details.change_withdrawn").object_id == str(older.uuid)


def test_a_pending_change_for_another_company_stays(bank):
    other = make_change(bank, company=bank.company_a)
    client = _admin_client(bank.supplier_a_admin)
    assert client.post(CHANGE, NEW_DETAILS).status_code == 302
    other.refresh_from_db()
    assert other.status == ChangeStatus.PENDING
    assert BankDetailsChange.objects.filter(status=ChangeStatus.PENDING).count() == 2


# --- who may see and who may request -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supplier_a_admin", "supplier_a_finance"])
def test_admins_and_finance_see_the_accounts_masked(bank, who):
    make_change(bank)
    response = login(Client(), getattr(bank, who)).get(INDEX)
    assert response.status_code == 200
    content = response.content.decode()
    assert "•••• 3445" in content and "•••• 5432" in content
    assert CURRENT_NUMBER not in content and NEW_NUMBER not in content
    assert ("Request a change" in content) == (who == "supplier_a_admin")


def test_a_colleague_without_the_role_is_refused(bank):
    client = login(Client(), bank.supplier_a_sales)
    assert client.get(INDEX).status_code == 403
    before = state()
    assert client.get(CHANGE).status_code == 403
    assert client.post(CHANGE, NEW_DETAILS).status_code == 403
    assert state() == before


def test_finance_of_the_supplier_may_look_but_not_request(bank):
    TOTP.activate(bank.supplier_a_finance, SECRET)
    client = login(Client(), bank.supplier_a_finance)
    before = state()
    assert client.get(CHANGE).status_code == 403
    assert client.post(CHANGE, NEW_DETAILS).status_code == 403
    assert state() == before


@pytest.mark.parametrize("who", ["outsider", "staff_b", "buyer"])
def test_people_of_no_supplier_get_404(bank, who):
    client = login(Client(), getattr(bank, who))
    before = state()
    assert client.get(INDEX).status_code == 404
    assert client.post(CHANGE, NEW_DETAILS).status_code == 404
    assert state() == before


def test_another_supplier_sees_only_its_own(bank):
    make_change(bank)
    response = login(Client(), bank.supplier_b_admin).get(INDEX)
    assert response.status_code == 200
    assert "3445" not in response.content.decode() and "5432" not in response.content.decode()


def test_anonymous_is_sent_to_log_in(bank):
    before = state()
    for response in (Client().get(INDEX), Client().post(CHANGE, NEW_DETAILS)):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert state() == before


def test_the_service_itself_refuses_a_stale_session(bank):
    """No caller can skip the second factor: the service checks the session too."""
    from types import SimpleNamespace

    from portal.core.errors import DomainError
    from rfq.banking.services import bank_details_change_request

    client = _admin_client(bank.supplier_a_admin)
    request = SimpleNamespace(session=client.session, user=bank.supplier_a_admin, META={})
    details = {"account_holder": "x", "bank_name": "y", "account_number": NEW_NUMBER, "currency": "CNY"}
    with time_machine.travel(time.time() + STALE, tick=False), pytest.raises(DomainError):
        bank_details_change_request(
            actor=bank.supplier_a_admin, partner=bank.supplier_a, company=None, details=details, request=request
        )
    assert not BankDetailsChange.objects.exists()


def test_the_supplier_page_runs_a_constant_number_of_queries(bank):
    client = login(Client(), bank.supplier_a_admin)
    make_change(bank, company=bank.company_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INDEX).status_code == 200
        return len(queries)

    count()  # the first request of a session also records the session (allauth usersessions)
    few = count()
    for number in range(5):
        change = make_change(bank, number=f"62170000100{number:08d}")
        change.status = ChangeStatus.REJECTED
        change.save(update_fields=["status"])
        SupplierBankAccount.objects.create(
            partner=bank.supplier_a, account_holder="x", bank_name="y", account_number=f"1234567{number}",
            currency="CNY", is_current=False,
        )  # fmt: skip
    # accounts (1) + changes (1) + session, user, membership, scope and profile queries: the same for any row count
    assert count() == few


def test_the_supplier_workspace_shows_the_way_in_and_a_pending_change(bank):
    make_change(bank)
    content = login(Client(), bank.supplier_a_admin).get("/supplier/").content.decode()
    assert 'href="/supplier/bank-details/"' in content
    assert "A change of your bank details awaits" in content
    assert (
        'href="/supplier/bank-details/"'
        not in login(Client(), bank.supplier_a_sales).get("/supplier/").content.decode()
    )


# --- withdrawing a pending request ---------------------------------------------------------------------------------


def _withdraw_url(change):
    return f"/supplier/bank-details/changes/{change.uuid}/withdraw/"


def test_another_admin_withdraws_a_request_they_did_not_make(bank, django_capture_on_commit_callbacks):
    change = make_change(bank)
    client = login(Client(), bank.supplier_a_admin_2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_withdraw_url(change))
    assert response.status_code == 302 and response["Location"] == INDEX
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN and change.decided_by == bank.supplier_a_admin_2
    assert list(SupplierBankAccount.objects.values_list("account_number", "is_current")) == [(CURRENT_NUMBER, True)]
    assert list(
        Notification.objects.filter(kind="banking.change_withdrawn").values_list("recipient__email", flat=True)
    ) == ["admin@supplier-a.test"]
    assert AuditEvent.objects.get(action="bank_details.change_withdrawn").actor == bank.supplier_a_admin_2
    # a decided change stays decided
    before = state()
    assert client.post(_withdraw_url(change)).status_code == 302
    assert state() == before


WITHDRAW_DENIED = [
    ("supplier_a_finance", 403),
    ("supplier_a_sales", 403),
    ("supplier_b_admin", 404),
    ("outsider", 404),
    ("staff_b", 404),
]


@pytest.mark.parametrize(("who", "status"), WITHDRAW_DENIED)
def test_withdrawing_needs_an_admin_of_the_supplier(bank, who, status):
    change = make_change(bank)
    before = state()
    assert login(Client(), getattr(bank, who)).post(_withdraw_url(change)).status_code == status
    assert state() == before


def test_withdrawing_anonymously_is_sent_to_log_in(bank):
    change = make_change(bank)
    before = state()
    response = Client().post(_withdraw_url(change))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert state() == before


def test_the_service_refuses_bad_details_with_a_message(bank):
    from types import SimpleNamespace

    from portal.core.errors import DomainError
    from rfq.banking.services import bank_details_change_request

    client = _admin_client(bank.supplier_a_admin)
    request = SimpleNamespace(session=client.session, user=bank.supplier_a_admin, META={})
    details = {"account_holder": "", "bank_name": "y", "account_number": NEW_NUMBER, "currency": "cny"}
    before = state()
    with pytest.raises(DomainError):
        bank_details_change_request(
            actor=bank.supplier_a_admin, partner=bank.supplier_a, company=None, details=details, request=request
        )
    assert state() == before


def test_a_second_factor_just_inside_the_window_still_counts(bank):
    client = _admin_client(bank.supplier_a_admin)
    with time_machine.travel(time.time() + account_settings.REAUTHENTICATION_TIMEOUT - 5, tick=False):
        assert client.post(CHANGE, NEW_DETAILS)["Location"] == INDEX
    assert BankDetailsChange.objects.count() == 1
