import pytest

from portal.onboarding.demo import load_onboarding_demo
from portal.onboarding.models import JoinRequest, Registration
from portal.organisations.demo import load_organisations_demo

pytestmark = pytest.mark.django_db


def test_demo_has_a_pending_registration_and_join_request_and_is_idempotent(media):
    load_organisations_demo()
    first = load_onboarding_demo()
    load_onboarding_demo()
    registration = Registration.objects.get()
    assert (registration.status, registration.partner.status, registration.partner.tax_id) == (
        "pending",
        "pending",
        "91350100M000100Y43",
    )
    assert registration.licence.original_name == "营业执照.pdf"
    join_request = JoinRequest.objects.get()
    assert (join_request.status, join_request.partner.tax_id) == ("pending", "91320200MA1HK0011N")
    assert [login.email for login in first] == ["lin.hai@minjiang.example", "zhou.qiang@huasheng.example"]
