"""Factories that make real, owned objects. The standard cast built from them lives in tests/conftest.py."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from portal.api.models import ApiClient
from portal.organisations.models import (
    Company,
    CustomerAccount,
    Membership,
    Partner,
    PartnerStatus,
    Site,
    StaffRole,
    SupplierAccount,
    Warehouse,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Test"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        # allauth requires a verified address before login (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
        if create:
            from allauth.account.models import EmailAddress

            obj.save()
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"集团子公司{n}")
    name_en = factory.Sequence(lambda n: f"Group Company {n}")
    ledger_code = factory.Sequence(lambda n: f"L{n:04d}")
    currency = "CNY"
    time_zone = "Asia/Shanghai"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.Sequence(lambda n: f"Plant {n}")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"W{n:02d}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"合作伙伴{n}有限公司")
    name_en = factory.Sequence(lambda n: f"Partner {n} Co., Ltd.")
    tax_id = factory.Sequence(lambda n: f"91310000MA1{n:07d}")
    is_supplier = True
    is_customer = False
    status = PartnerStatus.APPROVED


class SupplierAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierAccount

    partner = factory.SubFactory(PartnerFactory, is_supplier=True)
    company = factory.SubFactory(CompanyFactory)
    erp_number = factory.Sequence(lambda n: f"V{n:05d}")
    payment_terms = "60 days"


class CustomerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerAccount

    partner = factory.SubFactory(PartnerFactory, is_supplier=False, is_customer=True)
    company = factory.SubFactory(CompanyFactory)
    erp_number = factory.Sequence(lambda n: f"K{n:05d}")
    credit_limit = Decimal("500000.00")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    roles = factory.LazyFunction(lambda: ["sales"])


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = "buyer"


def make_api_client(*, company=None, scopes=("*",), name=None) -> ApiClient:
    """An API client with its key; the plain key is on `client.plain_key` (it is never stored)."""
    key, prefix, key_hash = ApiClient.new_key()
    client = ApiClient.objects.create(
        name=name or f"erp-{prefix}",
        company=company,
        key_prefix=prefix,
        key_hash=key_hash,
        scopes=list(scopes),
    )
    client.plain_key = key
    return client
