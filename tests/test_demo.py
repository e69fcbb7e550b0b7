"""`manage.py demo`: every registered loader runs, the result is the same however often it runs, and the demo
logins can really log in (password, verified address, TOTP with the documented secret)."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.users.models import UserProfile

from portal.organisations.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from portal.organisations.models import (
    Company,
    CustomerAccount,
    Membership,
    Partner,
    Site,
    StaffRole,
    SupplierAccount,
    Warehouse,
)
from tests.totp import totp_code

pytestmark = pytest.mark.django_db

PEOPLE_WITH_A_SECOND_FACTOR = [
    "admin@group.example", "admin@gzunited.example", "admin@hengli.example", "admin@huasheng.example",
    "buyer@de03.example", "buyer@sh01.example", "sales@sh01.example", "sourcing@sh01.example",
]  # fmt: skip


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Company, Site, Warehouse, Partner, SupplierAccount, CustomerAccount, Membership, StaffRole,
            get_user_model(), EmailAddress, Authenticator, UserProfile,
        )
    }  # fmt: skip


def load() -> str:
    output = StringIO()
    call_command("demo", force=True, stdout=output)
    return output.getvalue()


def test_demo_loads_the_group_and_is_idempotent():
    first_output = load()
    after_first = counts()
    second_output = load()

    assert counts() == after_first
    assert after_first == {
        "Company": 3, "Site": 3, "Warehouse": 4, "Partner": 3, "SupplierAccount": 4, "CustomerAccount": 2,
        "Membership": 4, "StaffRole": 5, "User": 9, "EmailAddress": 9, "Authenticator": 8, "UserProfile": 9,
    }  # fmt: skip
    assert first_output == second_output
    assert list(Company.objects.values_list("code", "currency", "time_zone")) == [
        ("DE03", "EUR", "Europe/Berlin"), ("SH01", "CNY", "Asia/Shanghai"), ("WH02", "CNY", "Asia/Shanghai"),
    ]  # fmt: skip
    assert Partner.objects.get(tax_id="91440100MA3GU0035N").name == "广州联合汽车零部件有限公司"


def test_demo_logins_work_with_the_documented_password_and_totp_secret():
    load()
    users = get_user_model().objects.all()

    assert all(user.check_password(DEMO_PASSWORD) for user in users)
    assert set(EmailAddress.objects.values_list("verified", "primary")) == {(True, True)}
    totp = Authenticator.objects.filter(type=Authenticator.Type.TOTP).select_related("user")
    assert sorted(authenticator.user.email for authenticator in totp) == PEOPLE_WITH_A_SECOND_FACTOR
    for authenticator in totp:
        # Encrypted at rest by the MFA adapter; decrypts to the secret README.md documents.
        assert authenticator.data["secret"].startswith("fernet:")
        assert decrypt(authenticator.data["secret"]) == DEMO_TOTP_SECRET
    # allauth accepts a code computed from the documented secret (RFC 6238), and refuses a wrong one.
    buyer = totp.get(user__email="buyer@sh01.example")
    code = totp_code(DEMO_TOTP_SECRET)
    assert TOTP(buyer).validate_code(code) is True
    assert TOTP(buyer).validate_code(f"{(int(code) + 1) % 1_000_000:06d}") is False


def test_demo_profiles_carry_language_and_time_zone():
    load()

    profiles = {
        profile.user.email: (profile.preferred_language, profile.current_time_zone)
        for profile in UserProfile.objects.select_related("user")
    }
    assert profiles["buyer@de03.example"] == ("en", "Europe/Berlin")
    assert profiles["admin@group.example"] == ("zh-hans", "Asia/Shanghai")
    assert sorted(language for language, _zone in profiles.values()).count("en") == 1


def test_a_changed_demo_password_survives_a_reload():
    load()
    user = get_user_model().objects.get(email="sales@huasheng.example")
    user.set_password("another-password-2026")
    user.save(update_fields=["password"])

    load()

    user.refresh_from_db()
    assert user.check_password("another-password-2026")


def test_demo_prints_the_logins_and_how_their_second_factor_works():
    output = load()

    assert "admin@group.example" in output
    assert f"Password for every demo login: {DEMO_PASSWORD}" in output
    assert f"add the secret {DEMO_TOTP_SECRET} to an authenticator app." in output
    # The bypass code is only mentioned where it works: with DEBUG on (not in the test settings).
    assert "123456" not in output


def test_demo_refuses_to_run_without_debug_unless_forced():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo", stdout=StringIO())

    assert get_user_model().objects.count() == 0
