import pytest
from django.test import Client

from tests.conftest import login
from tests.factories import CompanyFactory, CustomerAccountFactory, MembershipFactory, PartnerFactory, UserFactory
from tests.factories.catalog import steel_plate_category, steel_units


@pytest.fixture
def english_client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def shop(cast):
    """Customer C (account at SH01) and customer D (account at SH01 too), the steel plate category and units."""
    customer_d = PartnerFactory(name="丁客户有限公司", name_en="Customer D Ltd.", is_supplier=False, is_customer=True)
    CustomerAccountFactory(partner=customer_d, company=cast.company_a)
    d_admin = MembershipFactory(partner=customer_d, user=UserFactory(email="admin@customer-d.test"), roles=["admin"])
    c_viewer = MembershipFactory(
        partner=cast.customer_c, user=UserFactory(email="finance@customer-c.test"), roles=["finance"]
    )
    return type(
        "Shop",
        (),
        {
            "units": steel_units(),
            "category": steel_plate_category(),
            "customer_d": customer_d,
            "d_admin": d_admin.user,
            "c_viewer": c_viewer.user,
            "company_hk": None,
        },
    )


def as_user(user, language="en"):
    return login(Client(HTTP_ACCEPT_LANGUAGE=language), user)


__all__ = ["CompanyFactory", "as_user"]
