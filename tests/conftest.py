"""The standard cast: two companies of the group; supplier A and supplier B; customer C; staff of company A
(buyer, sourcing manager, sales) and of company B; a group administrator; an outsider with no memberships."""

import os
from types import SimpleNamespace

import pytest
from allauth.account.internal.flows.login import record_authentication
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import validate_django_db

from tests.factories import (
    CompanyFactory,
    CustomerAccountFactory,
    MembershipFactory,
    PartnerFactory,
    StaffRoleFactory,
    SupplierAccountFactory,
    UserFactory,
    make_api_client,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def login(client: Client, user, *, second_factor: bool = True, reauthenticated: bool = False) -> Client:
    """Log the user in as allauth would after password and, by default, a second factor (the session keeps the
    records allauth itself keeps, so the MFA middleware and allauth's reauthentication check see a real login)."""
    client.force_login(user)
    request = SimpleNamespace(session=client.session)
    record_authentication(request, user, "password", email=user.email, reauthenticated=reauthenticated)
    if second_factor:
        record_authentication(request, user, "mfa", type="totp")
    request.session.save()
    return client


# Browser tests: Playwright drives Debian's Chromium (never `playwright install`), as root, with no background
# traffic (this machine reaches nothing but loopback).
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }  # fmt: skip


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The browser of a typical user of the group: Chinese, in Shanghai. Tests that want English say so.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: Wagtail caches the site root paths there (a path cached from an
    earlier test's page tree turns this test's home page into a 404), and allauth its rate-limit counters."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(db):
    company_a = CompanyFactory(code="SH01", name="上海钢铁有限公司", name_en="Shanghai Steel Co.")
    company_b = CompanyFactory(code="WH02", name="武汉机械有限公司", name_en="Wuhan Machinery Co.")
    supplier_a = PartnerFactory(name="甲供应商有限公司", name_en="Supplier A Ltd.")
    supplier_b = PartnerFactory(name="乙供应商有限公司", name_en="Supplier B Ltd.")
    customer_c = PartnerFactory(name="丙客户有限公司", name_en="Customer C Ltd.", is_supplier=False, is_customer=True)
    SupplierAccountFactory(partner=supplier_a, company=company_a)
    SupplierAccountFactory(partner=supplier_b, company=company_b)
    CustomerAccountFactory(partner=customer_c, company=company_a)

    def member(partner, email, roles):
        return MembershipFactory(partner=partner, user=UserFactory(email=email), roles=roles).user

    def staff(email, role, company):
        return StaffRoleFactory(user=UserFactory(email=email), role=role, company=company).user

    return SimpleNamespace(
        company_a=company_a,
        company_b=company_b,
        supplier_a=supplier_a,
        supplier_b=supplier_b,
        customer_c=customer_c,
        supplier_a_admin=member(supplier_a, "admin@supplier-a.test", ["admin", "sales"]),
        supplier_a_sales=member(supplier_a, "sales@supplier-a.test", ["sales"]),
        supplier_a_finance=member(supplier_a, "finance@supplier-a.test", ["finance"]),
        supplier_b_admin=member(supplier_b, "admin@supplier-b.test", ["admin", "sales"]),
        customer_c_admin=member(customer_c, "admin@customer-c.test", ["admin", "sales", "finance"]),
        buyer=staff("buyer@group.test", "buyer", company_a),
        sourcing_manager=staff("sourcing@group.test", "sourcing_manager", company_a),
        sales=staff("sales@group.test", "sales", company_a),
        staff_b=staff("buyer@wuhan.group.test", "buyer", company_b),
        group_admin=staff("admin@group.test", "group_admin", None),
        outsider=UserFactory(email="outsider@example.test"),
        api_a=make_api_client(company=company_a, name="erp-sh01"),
        api_b=make_api_client(company=company_b, name="erp-wh02"),
    )


@pytest.fixture
def login_as(client):
    """`login_as(user)` returns the test client logged in as that user (with a second factor)."""
    return lambda user, **kwargs: login(client, user, **kwargs)


def pytest_collection_modifyitems(config, items):
    """Every transactional test restores the serialized database (Wagtail's pages, content types).

    A transactional test flushes the database when it ends. Without serialized rollback that flush re-creates
    the content types with new ids, so the next test that does ask for serialized rollback fails to restore
    (duplicate content type) and Wagtail's page tree is gone. So all of them ask for it. (make test uses
    --create-db: with --reuse-db a database flushed at the end of the last run serializes empty.)
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transaction, reset_sequences, databases, _serialized, available_apps = (
            validate_django_db(marker) if marker else (False, False, None, False, None)
        )
        fixtures = getattr(item, "fixturenames", ())
        if transaction or reset_sequences or "transactional_db" in fixtures or "live_server" in fixtures:
            item.add_marker(
                pytest.mark.django_db(
                    transaction=True, reset_sequences=reset_sequences, databases=databases,
                    serialized_rollback=True, available_apps=available_apps,
                ),
                append=False,
            )  # fmt: skip


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Make the serialized database visible to every connection object of the test thread, and leave the
    database as the migrations made it.

    pytest-django stores it on the connection object current at set-up. Once Playwright's sync API runs
    (browser tests), the test thread has a running event loop, and Django (asgiref's Local) hands out another
    connection object there: without this, serialized rollback silently restores nothing and Wagtail's pages
    are gone. At the end, the last transactional test has flushed the database; it is put back, so that the
    next run with --reuse-db (the default) serializes the migrated data rather than an empty database.
    """
    from django.core.management import call_command
    from django.db import connections

    serialized = {}
    for alias in connections:
        connection = connections[alias]
        if getattr(connection, "_test_serialized_contents", None):
            serialized[alias] = connection._test_serialized_contents
            type(connection)._test_serialized_contents = connection._test_serialized_contents
    yield
    with django_db_blocker.unblock():
        for alias, contents in serialized.items():
            call_command("flush", database=alias, interactive=False, inhibit_post_migrate=True, verbosity=0)
            connections[alias].creation.deserialize_db_from_string(contents)
