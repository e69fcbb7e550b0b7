import pytest

from tests.factories import StaffRoleFactory, UserFactory


@pytest.fixture
def manager(cast):
    """A sales manager of company A."""
    return StaffRoleFactory(
        user=UserFactory(email="sales-manager@group.test"), role="sales_manager", company=cast.company_a
    ).user


@pytest.fixture
def finance(cast):
    return StaffRoleFactory(user=UserFactory(email="finance@group.test"), role="finance", company=cast.company_a).user


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield
