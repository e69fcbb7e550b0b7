"""/supplier/ and /customer/: who gets in, what they see, and a query count that does not grow."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy as _

from portal.core.panels import Panel
from portal.core.registry import dashboard_panels
from portal.notifications.kinds import notification_kinds, register_kind
from portal.notifications.models import Notification
from portal.organisations.models import PartnerStatus
from tests.conftest import login
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

KIND = "tests.workspace"


@pytest.fixture(autouse=True)
def workspace_kind():
    register_kind(KIND, title=_("Approved"), body="%(number)s", group="general")
    yield
    notification_kinds.unregister(KIND)


def english(client):
    client.cookies["portal_language"] = "en"
    return client


def test_anonymous_is_sent_to_log_in(db):
    assert Client().get("/supplier/")["Location"] == "/accounts/login/?next=/supplier/"
    assert Client().get("/customer/")["Location"] == "/accounts/login/?next=/customer/"


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("supplier_a_sales", "/supplier/", 200),
        ("supplier_a_sales", "/customer/", 404),
        ("customer_c_admin", "/customer/", 200),
        ("customer_c_admin", "/supplier/", 404),
        ("buyer", "/supplier/", 404),
        ("group_admin", "/customer/", 404),
        ("outsider", "/supplier/", 404),
    ],
)
def test_only_members_of_the_right_kind_of_partner_get_in(cast, who, path, status):
    assert login(Client(), getattr(cast, who)).get(path).status_code == status


def test_a_blocked_partner_has_no_workspace(cast):
    cast.supplier_a.status = PartnerStatus.BLOCKED
    cast.supplier_a.save(update_fields=["status"])
    assert login(Client(), cast.supplier_a_sales).get("/supplier/").status_code == 404


def test_a_pending_partner_sees_that_its_registration_is_being_reviewed(db):
    partner = PartnerFactory(name="待审供应商有限公司", name_en="Pending Supplier Ltd.", status=PartnerStatus.PENDING)
    user = MembershipFactory(partner=partner, roles=["sales"]).user
    response = english(login(Client(), user)).get("/supplier/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your registration is being reviewed" in html
    assert "My tasks" not in html and "Colleagues" not in html


def test_supplier_dashboard_shows_partner_accounts_colleagues_notifications_and_empty_tasks(cast):
    Notification.objects.create(recipient=cast.supplier_a_sales, kind=KIND, params={"number": "PO-1"}, url="/x/")
    Notification.objects.create(recipient=cast.supplier_a_admin, kind=KIND, params={"number": "not-mine"})
    response = english(login(Client(), cast.supplier_a_sales)).get("/supplier/")
    assert response.status_code == 200
    context = response.context
    assert context["partner"] == cast.supplier_a
    assert [account.company.code for account in context["accounts"]] == ["SH01"]
    assert sorted(m.user.email for m in context["colleagues"]) == [
        "admin@supplier-a.test", "finance@supplier-a.test", "sales@supplier-a.test",
    ]  # fmt: skip
    assert [n.params["number"] for n in context["recent_notifications"]] == ["PO-1"]
    assert context["tasks"] == []
    html = response.content.decode()
    assert "Supplier workspace" in html and "Shanghai Steel Co." in html and "Supplier A Ltd." in html
    assert "Nothing waits for you." in html
    assert "Administrator, Sales" in html  # the admin's roles, in the colleagues card


def test_customer_dashboard_lists_the_customer_accounts(cast):
    response = english(login(Client(), cast.customer_c_admin)).get("/customer/")
    assert response.status_code == 200
    assert [account.company.code for account in response.context["accounts"]] == ["SH01"]
    assert "Customer workspace" in response.content.decode()


class SupplierTasks(Panel):
    workspace = "supplier"
    template_name = "tests_supplier_tasks.html"


class CustomerTasks(Panel):
    workspace = "customer"
    template_name = "tests_customer_tasks.html"


@pytest.fixture
def task_panels(settings, tmp_path):
    (tmp_path / "tests_supplier_tasks.html").write_text("<p>3 RFQs to answer</p>")
    (tmp_path / "tests_customer_tasks.html").write_text("<p>1 order to confirm</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    dashboard_panels.register("tests.supplier_tasks", SupplierTasks)
    dashboard_panels.register("tests.customer_tasks", CustomerTasks)
    yield
    dashboard_panels.unregister("tests.supplier_tasks")
    dashboard_panels.unregister("tests.customer_tasks")


def test_panels_show_on_their_own_workspace_only(cast, task_panels):
    supplier_html = login(Client(), cast.supplier_a_sales).get("/supplier/").content.decode()
    assert "3 RFQs to answer" in supplier_html and "1 order to confirm" not in supplier_html
    customer_html = login(Client(), cast.customer_c_admin).get("/customer/").content.decode()
    assert "1 order to confirm" in customer_html and "3 RFQs to answer" not in customer_html
    account_html = login(Client(), cast.supplier_a_sales).get("/account/").content.decode()
    assert "3 RFQs to answer" not in account_html


def queries_for(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("who", "path", "partner"), [
    ("supplier_a_sales", "/supplier/", "supplier_a"), ("customer_c_admin", "/customer/", "customer_c"),
])  # fmt: skip
def test_query_count_does_not_grow_with_notifications_or_colleagues(cast, who, path, partner):
    user = getattr(cast, who)
    client = login(Client(), user)
    client.get(path)  # warm up caches (content types, Wagtail site)
    few = queries_for(client, path)
    for number in range(40):
        Notification.objects.create(recipient=user, kind=KIND, params={"number": str(number)})
        MembershipFactory(partner=getattr(cast, partner), user=UserFactory(), roles=["sales"])
    # One query each for: the accounts, the colleagues, the recent notifications, the unread count, besides the
    # session, user, memberships and scope of the base layout: the same with 1 or 41 of each.
    assert queries_for(client, path) == few
    response = client.get(path)
    assert len(response.context["recent_notifications"]) == 5
    assert len(response.context["colleagues"]) == 8 and response.context["more_colleagues"] is True
