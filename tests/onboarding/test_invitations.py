"""Invitations: who may invite, the one-time link (hashed, 7 days), and accepting it."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone, translation

from portal.core.errors import DomainError
from portal.onboarding.models import Invitation
from portal.onboarding.services import invitation_accept, invitation_create
from portal.organisations.models import Membership
from tests.conftest import login
from tests.factories import CustomerAccountFactory, StaffRoleFactory, UserFactory

from .conftest import PASSWORD
from .factories import make_invitation

pytestmark = pytest.mark.django_db


def link_token(message) -> str:
    return re.search(r"/accounts/invitation/([\w-]+)/", message.body).group(1)


def test_sales_staff_invite_a_customer_contact_and_the_link_is_stored_hashed(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=cast.sales, partner=cast.customer_c, email=" Buyer@Customer-C.test ", roles=["sales", "finance"]
        )
    assert (invitation.email, invitation.roles, invitation.invited_by) == (
        "buyer@customer-c.test",
        ["sales", "finance"],
        cast.sales,
    )
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert [message.to for message in mail.outbox] == [["buyer@customer-c.test"]]
    token = link_token(mail.outbox[0])
    assert len(token) >= 40
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())


@pytest.mark.parametrize("who", ["customer_c_admin", "group_admin"])
def test_partner_admins_and_group_admins_may_invite(cast, who):
    invitation = invitation_create(actor=getattr(cast, who), partner=cast.customer_c, email="x@c.test", roles=["sales"])
    assert invitation.pk


def test_a_sales_manager_of_the_customers_company_may_invite(cast):
    manager = StaffRoleFactory(user=UserFactory(), role="sales_manager", company=cast.company_a).user
    assert invitation_create(actor=manager, partner=cast.customer_c, email="y@c.test", roles=["finance"]).pk


@pytest.mark.parametrize("who", ["buyer", "staff_b", "supplier_a_admin", "outsider"])
def test_others_may_not_invite(cast, who):
    with pytest.raises(PermissionDenied):
        invitation_create(actor=getattr(cast, who), partner=cast.customer_c, email="x@c.test", roles=["sales"])
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_sales_of_another_company_may_not_invite(cast):
    sales_b = StaffRoleFactory(user=UserFactory(), role="sales", company=cast.company_b).user
    with pytest.raises(PermissionDenied):
        invitation_create(actor=sales_b, partner=cast.customer_c, email="x@c.test", roles=["sales"])
    CustomerAccountFactory(partner=cast.customer_c, company=cast.company_b)
    assert invitation_create(actor=sales_b, partner=cast.customer_c, email="x@c.test", roles=["sales"]).pk


def test_bad_roles_and_existing_members_are_refused(cast):
    with pytest.raises(DomainError) as error:
        invitation_create(actor=cast.sales, partner=cast.customer_c, email="x@c.test", roles=[])
    assert error.value.message == "Choose at least one role."
    with pytest.raises(DomainError) as error:
        invitation_create(actor=cast.sales, partner=cast.customer_c, email="x@c.test", roles=["owner"])
    assert error.value.message == "Unknown role: owner."
    with pytest.raises(DomainError) as error:
        invitation_create(actor=cast.sales, partner=cast.customer_c, email="admin@customer-c.test", roles=["sales"])
    assert error.value.message == f"admin@customer-c.test is already a member of {cast.customer_c.name}."


def test_a_new_person_sets_a_password_and_becomes_a_member(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=cast.sales, partner=cast.customer_c, email="new@customer-c.test", roles=["sales"])
    url = f"/accounts/invitation/{link_token(mail.outbox[0])}/"
    client = Client(headers={"Accept-Language": "en"})
    assert client.get(url).status_code == 200
    response = client.post(url, {"first_name": "Mei", "last_name": "Zhang", "password1": "x", "password2": "x"})
    assert response.context["form"].errors["password1"][0].startswith("This password is too short.")
    assert not get_user_model().objects.filter(email="new@customer-c.test").exists()
    response = client.post(
        url, {"first_name": "Mei", "last_name": "Zhang", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response["Location"] == "/accounts/login/?next=%2Faccount%2F"
    user = get_user_model().objects.get(email="new@customer-c.test")
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified is True
    assert Membership.objects.get(user=user).roles == ["sales"]
    invitation = Invitation.objects.get()
    assert (invitation.accepted_user, invitation.accepted_at is not None) == (user, True)
    # one time only
    assert client.get(url).status_code == 404


def test_an_existing_account_logs_in_then_accepts(cast):
    person = UserFactory(email="known@elsewhere.test")
    invitation = make_invitation(partner=cast.customer_c, invited_by=cast.sales, email="known@elsewhere.test")
    url = f"/accounts/invitation/{invitation.plain_token}/"
    assert (
        Client().get(url)["Location"] == f"/accounts/login/?next=%2Faccounts%2Finvitation%2F{invitation.plain_token}%2F"
    )
    client = login(Client(), person)
    assert client.get(url).status_code == 200
    assert client.post(url)["Location"] == "/account/"
    assert Membership.objects.get(user=person, partner=cast.customer_c).roles == ["sales"]


def test_someone_else_logged_in_gets_404_and_nothing_changes(cast):
    invitation = make_invitation(partner=cast.customer_c, invited_by=cast.sales, email="known@elsewhere.test")
    client = login(Client(), cast.supplier_b_admin)
    url = f"/accounts/invitation/{invitation.plain_token}/"
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(partner=cast.customer_c).count() == 1
    with pytest.raises(DomainError) as error, translation.override("en"):
        invitation_accept(token=invitation.plain_token, user=cast.supplier_b_admin)
    assert error.value.message == "This invitation was sent to another e-mail address."


def test_an_expired_link_is_refused(cast):
    invitation = make_invitation(partner=cast.customer_c, invited_by=cast.sales, email="late@c.test")
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        assert Client().get(f"/accounts/invitation/{invitation.plain_token}/").status_code == 404
        with pytest.raises(DomainError):
            invitation_accept(token=invitation.plain_token, user=UserFactory(email="late@c.test"))
    assert Invitation.objects.get().accepted_at is None


def test_an_unknown_token_is_404(cast):
    assert Client().get("/accounts/invitation/not-a-token/").status_code == 404


def test_the_back_office_invite_page(cast, django_capture_on_commit_callbacks):
    client = login(Client(headers={"Accept-Language": "en"}), cast.sales)
    index = client.get("/cms/onboarding/customers/").content.decode()
    url = f"/cms/onboarding/customers/{cast.customer_c.uuid}/invite/"
    assert url in index
    response = client.post(url, {"email": "bad", "roles": ["sales"]})
    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "contact@customer-c.test", "roles": ["sales"]})
    assert response["Location"] == "/cms/onboarding/customers/"
    assert Invitation.objects.get().email == "contact@customer-c.test"
    assert len(mail.outbox) == 1
    # a buyer of the same company may see the customer but not invite
    buyer = login(Client(), cast.buyer)
    assert buyer.post(url, {"email": "other@customer-c.test", "roles": ["sales"]}).status_code == 403
    assert login(Client(), cast.staff_b).post(url, {"email": "o@c.test", "roles": ["sales"]}).status_code == 404
    assert Invitation.objects.count() == 1
