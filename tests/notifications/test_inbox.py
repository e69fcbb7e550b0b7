"""The inbox at /account/inbox/: one's own notifications, newest first, marking read, and the header count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.notifications.kinds import notification_kinds, register_kind
from portal.notifications.models import Notification
from tests.conftest import login

KIND = "tests.inbox"


@pytest.fixture(autouse=True)
def inbox_kind():
    # an already translated msgid keeps the Chinese exact without a catalogue of our own
    register_kind(KIND, title=_("Approved"), body="%(what)s: %(number)s", group="general")
    yield
    notification_kinds.unregister(KIND)


def make(user, *, url="/account/", read=False, minutes_ago=0, number="1"):
    notification = Notification.objects.create(
        recipient=user, kind=KIND, params={"what": "RFQ", "number": number}, url=url,
        read_at=timezone.now() if read else None,
    )  # fmt: skip
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return notification


def test_inbox_lists_own_notifications_newest_first_in_the_readers_language(cast, login_as):
    make(cast.supplier_a_sales, minutes_ago=5, number="old")
    make(cast.supplier_a_sales, minutes_ago=1, number="new", read=True)
    make(cast.supplier_a_admin, number="someone-else")
    client = login_as(cast.supplier_a_sales)
    response = client.get("/account/inbox/", headers={"accept-language": "en"})
    assert response.status_code == 200
    listed = [item.params["number"] for item in response.context["notifications"]]
    assert listed == ["new", "old"]
    html = response.content.decode()
    assert "RFQ: new" in html and "RFQ: old" in html and "someone-else" not in html
    assert html.count('class="notification is-unread"') == 1
    client.cookies["portal_language"] = "zh-hans"
    assert "已批准" in client.get("/account/inbox/").content.decode()


def test_header_shows_the_unread_count_with_an_accessible_label(cast, login_as):
    for number in range(3):
        make(cast.supplier_a_sales, number=str(number))
    make(cast.supplier_a_sales, read=True)
    client = login_as(cast.supplier_a_sales)
    client.cookies["portal_language"] = "en"
    html = client.get("/account/").content.decode()
    assert '<span class="sr-only">3 unread notifications</span>' in html
    assert '<span class="badge badge-info" aria-hidden="true">3</span>' in html
    Notification.objects.filter(recipient=cast.supplier_a_sales).update(read_at=timezone.now())
    html = client.get("/account/").content.decode()
    assert '<span class="sr-only">Inbox: no unread notifications</span>' in html


def test_anonymous_has_no_inbox_link_and_is_sent_to_log_in(db):
    client = Client()
    assert client.get("/account/inbox/")["Location"] == "/accounts/login/?next=/account/inbox/"
    assert client.post("/account/inbox/read-all/")["Location"] == "/accounts/login/?next=/account/inbox/read-all/"


def test_unread_count_is_one_query_per_request(cast, login_as, django_assert_num_queries):
    make(cast.supplier_a_sales)
    client = login_as(cast.supplier_a_sales)
    client.get("/account/inbox/settings/")  # warm up (content types, site)
    with CaptureQueriesContext(connection) as queries:
        client.get("/account/inbox/settings/")
    counts = [query["sql"] for query in queries.captured_queries if 'FROM "notifications_notification"' in query["sql"]]
    assert len(counts) == 1 and counts[0].startswith("SELECT COUNT(*)")


def test_inbox_query_count_does_not_grow_with_notifications(cast, login_as, django_assert_num_queries):
    client = login_as(cast.supplier_a_sales)
    make(cast.supplier_a_sales)
    client.get("/account/inbox/")
    with CaptureQueriesContext(connection) as few:
        client.get("/account/inbox/")
    for number in range(60):
        make(cast.supplier_a_sales, number=str(number))
    # session, user, memberships, scope (2), MFA check, unread count, page count, page rows, …: whatever the
    # base layout needs, the same number for 1 and 61 notifications (and a second page)
    with django_assert_num_queries(len(few)):
        response = client.get("/account/inbox/")
    assert len(response.context["notifications"]) == 25
    assert response.context["page"].paginator.num_pages == 3


def test_open_marks_read_and_goes_to_the_object(cast, login_as):
    notification = make(cast.supplier_a_sales, url="/account/team/")
    client = login_as(cast.supplier_a_sales)
    response = client.post(f"/account/inbox/{notification.uuid}/read/")
    assert response.status_code == 302 and response["Location"] == "/account/team/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    first_read = notification.read_at
    client.post(f"/account/inbox/{notification.uuid}/read/")
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_open_refuses_a_link_off_the_site(cast, login_as):
    notification = make(cast.supplier_a_sales, url="https://evil.example/")
    response = login_as(cast.supplier_a_sales).post(f"/account/inbox/{notification.uuid}/read/")
    assert response["Location"] == "/account/inbox/"


@pytest.mark.parametrize("who", ["supplier_a_admin", "supplier_b_admin", "buyer", "outsider"])
def test_someone_elses_notification_is_404_and_unchanged(cast, who):
    notification = make(cast.supplier_a_sales)
    client = login(Client(), getattr(cast, who))
    assert client.post(f"/account/inbox/{notification.uuid}/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_open_needs_post(cast, login_as):
    notification = make(cast.supplier_a_sales)
    assert login_as(cast.supplier_a_sales).get(f"/account/inbox/{notification.uuid}/read/").status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_read_all_marks_only_ones_own(cast, login_as):
    mine = [make(cast.supplier_a_sales, number=str(n)) for n in range(3)]
    theirs = make(cast.supplier_a_admin)
    response = login_as(cast.supplier_a_sales).post("/account/inbox/read-all/")
    assert response["Location"] == "/account/inbox/"
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unknown_kind_still_renders(cast, login_as):
    Notification.objects.create(recipient=cast.supplier_a_sales, kind="gone.kind", params={})
    client = login_as(cast.supplier_a_sales)
    client.cookies["portal_language"] = "en"
    assert "Notification" in client.get("/account/inbox/").content.decode()
