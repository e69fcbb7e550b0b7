"""`manage.py demo_data` (alias `demo`): every registered loader runs, the result is the same however often it
runs, and the demo logins can really log in (password, verified address, TOTP with the documented secret)."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.users.models import UserProfile

from portal.onboarding.validators import is_valid_uscc
from portal.organisations.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, MEMBERS, PARTNERS, STAFF
from portal.organisations.models import (
    Company,
    CustomerAccount,
    Membership,
    Partner,
    Site,
    StaffRole,
    StaffRoleName,
    SupplierAccount,
    Warehouse,
)
from tests.totp import totp_code
from theme.models import (
    ContactFormField,
    ContactPage,
    HelpArticlePage,
    HelpCategoryPage,
    HelpIndexPage,
    NewsIndexPage,
    NewsPage,
    NoticePage,
    PortalSettings,
)

pytestmark = pytest.mark.django_db

DEMO_TAX_IDS = [row[0] for row in PARTNERS]
DEMO_EMAILS = sorted([row[0] for row in STAFF] + [row[0] for row in MEMBERS])
PEOPLE_WITH_A_SECOND_FACTOR = sorted([row[0] for row in STAFF] + [row[0] for row in MEMBERS if "admin" in row[6]])


def counts() -> dict[str, int]:
    """Rows of the core and the public site; people only those of the core's lists (other apps' loaders add
    applicants of their own)."""
    demo_people = {"user__email__in": DEMO_EMAILS}
    return {
        **{
            model.__name__: model.objects.count()
            for model in (
                Company, Site, Warehouse, SupplierAccount, CustomerAccount, StaffRole, NewsIndexPage,
                NewsPage, NoticePage, HelpIndexPage, HelpCategoryPage, HelpArticlePage, ContactPage,
                ContactFormField, PortalSettings,
            )
        },
        "Partner": Partner.objects.filter(tax_id__in=DEMO_TAX_IDS).count(),
        "Membership": Membership.objects.filter(**demo_people).count(),
        "User": get_user_model().objects.filter(email__in=DEMO_EMAILS).count(),
        "EmailAddress": EmailAddress.objects.filter(**demo_people).count(),
        "Authenticator": Authenticator.objects.filter(**demo_people).count(),
        "UserProfile": UserProfile.objects.filter(**demo_people).count(),
    }  # fmt: skip


def load(command: str = "demo_data") -> str:
    output = StringIO()
    call_command(command, force=True, stdout=output)
    return output.getvalue()


def test_demo_loads_the_group_and_is_idempotent():
    first_output = load()
    after_first = counts()
    second_output = load("demo")

    assert counts() == after_first
    assert after_first == {
        "Company": 3, "Site": 4, "Warehouse": 5, "Partner": 10, "SupplierAccount": 9, "CustomerAccount": 6,
        "StaffRole": 11, "NewsIndexPage": 1, "NewsPage": 5, "NoticePage": 2, "HelpIndexPage": 1,
        "HelpCategoryPage": 3, "HelpArticlePage": 6, "ContactPage": 1, "ContactFormField": 4, "PortalSettings": 1,
        "Membership": 20, "User": 31, "EmailAddress": 31, "Authenticator": 21, "UserProfile": 31,
    }  # fmt: skip
    # sourcing: an RFQ open for bids and one waiting for its opening, their bids sealed
    from rfq.sourcing.models import BidSubmission, OpenedBidLine, Rfq

    assert sorted(Rfq.objects.values_list("number", "status")) == [
        ("RFQ-DEMO-0001", "published"), ("RFQ-DEMO-0002", "published"),
    ]  # fmt: skip
    assert BidSubmission.objects.count() == 3 and not OpenedBidLine.objects.exists()
    assert first_output == second_output
    assert list(Company.objects.values_list("code", "currency", "time_zone")) == [
        ("DE03", "EUR", "Europe/Berlin"), ("HK04", "USD", "Asia/Hong_Kong"), ("SH01", "CNY", "Asia/Shanghai"),
    ]  # fmt: skip
    assert Partner.objects.get(tax_id="91440100MA3GU0035N").name == "广州联合汽车零部件有限公司"


def test_demo_partners_have_valid_tax_ids_names_in_both_languages_and_two_people_with_different_roles():
    load()

    partners = Partner.objects.filter(tax_id__in=DEMO_TAX_IDS)
    assert (partners.filter(is_supplier=True).count(), partners.filter(is_customer=True).count()) == (6, 4)
    assert all(is_valid_uscc(partner.tax_id) for partner in partners)
    assert all(partner.name and partner.name_en and partner.name != partner.name_en for partner in partners)
    assert len(set(DEMO_TAX_IDS)) == 10
    for partner in partners:
        roles = [tuple(sorted(m.roles)) for m in Membership.objects.filter(partner=partner, is_active=True)]
        assert len(roles) == 2 and len(set(roles)) == 2, partner.name
    # one staff login per staff role
    assert set(StaffRole.objects.values_list("role", flat=True)) == set(StaffRoleName.values)
    # each company trades in its own currency with suppliers and customers
    assert set(SupplierAccount.objects.values_list("company__code", "currency")) == {
        ("SH01", "CNY"), ("HK04", "USD"), ("DE03", "EUR"),
    }  # fmt: skip
    assert set(CustomerAccount.objects.values_list("company__code", "currency")) == {
        ("SH01", "CNY"), ("HK04", "USD"), ("DE03", "EUR"),
    }  # fmt: skip


def test_demo_logins_work_with_the_documented_password_and_totp_secret():
    load()
    users = get_user_model().objects.filter(email__in=DEMO_EMAILS)

    assert all(user.check_password(DEMO_PASSWORD) for user in users)
    assert set(EmailAddress.objects.filter(user__in=users).values_list("verified", "primary")) == {(True, True)}
    totp = Authenticator.objects.filter(type=Authenticator.Type.TOTP, user__email__in=DEMO_EMAILS).select_related(
        "user"
    )
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
        for profile in UserProfile.objects.filter(user__email__in=DEMO_EMAILS).select_related("user")
    }
    assert profiles["buyer@de03.example"] == ("en", "Europe/Berlin")
    assert profiles["sales@hk04.example"] == ("en", "Asia/Hong_Kong")
    assert profiles["admin@group.example"] == ("zh-hans", "Asia/Shanghai")
    assert sorted(language for language, _zone in profiles.values()).count("en") == 4


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
        call_command("demo_data", stdout=StringIO())

    assert get_user_model().objects.count() == 0
