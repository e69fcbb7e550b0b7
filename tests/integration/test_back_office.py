"""The outbox and webhook endpoints in the back office (/cms/integration/): who sees what, operator actions,
endpoint secrets shown once and stored encrypted; every denial changes nothing."""

import re

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.integration.models import DeliveryAttempt, OutboxEvent, WebhookEndpoint
from tests.integration.conftest import make_endpoint, make_event

EVENTS_URL = "/cms/integration/events/"
ENDPOINTS_URL = "/cms/integration/endpoints/"


def listed_topics(response) -> list[str]:
    return re.findall(r"<td>(test\.[a-z_.0-9]+)</td>", response.content.decode())


def snapshot():
    return (
        list(OutboxEvent.objects.order_by("pk").values("status", "attempts", "next_attempt_at", "last_error")),
        list(WebhookEndpoint.objects.order_by("pk").values()),
        DeliveryAttempt.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def events(cast):
    return {
        "a": make_event("test.company_a", company=cast.company_a, status="dead", attempts=8, last_error="HTTP 503"),
        "b": make_event("test.company_b", company=cast.company_b, status="dead", attempts=8),
        "group": make_event("test.group_wide", status="delivered"),
    }


@pytest.mark.django_db
def test_group_staff_see_every_event_company_staff_their_companys(cast, events, login_as):
    assert listed_topics(login_as(cast.group_admin).get(EVENTS_URL)) == [
        "test.group_wide",
        "test.company_b",
        "test.company_a",
    ]
    assert listed_topics(login_as(cast.buyer).get(EVENTS_URL)) == ["test.company_a"]
    assert listed_topics(login_as(cast.staff_b).get(EVENTS_URL)) == ["test.company_b"]


@pytest.mark.django_db
def test_the_list_filters_by_status_topic_and_company(cast, events, login_as):
    client = login_as(cast.group_admin)
    assert listed_topics(client.get(EVENTS_URL, {"status": "delivered"})) == ["test.group_wide"]
    assert listed_topics(client.get(EVENTS_URL, {"topic": "test.company"})) == ["test.company_b", "test.company_a"]
    assert listed_topics(client.get(EVENTS_URL, {"company": "SH01"})) == ["test.company_a"]
    # staff cannot widen their view through the company filter
    assert listed_topics(login_as(cast.buyer).get(EVENTS_URL, {"company": "WH02"})) == ["test.company_a"]


@pytest.mark.django_db
def test_the_list_runs_a_constant_number_of_queries(cast, login_as, django_assert_num_queries):
    client = login_as(cast.buyer)
    make_event("test.first", company=cast.company_a)
    client.get(EVENTS_URL)  # warm what only the first request fills (content types, site)
    # Per request: session, user, profile language and zone, the user's scope (memberships, staff roles), the
    # active membership; Wagtail's chrome (permissions, its profile, locales, page and collection permissions
    # for the menu). Ours: the companies of the filter, COUNT(*) for the paginator, one page of events joined
    # with their company (no query per row).
    with django_assert_num_queries(15):
        assert len(listed_topics(client.get(EVENTS_URL))) == 1
    for number in range(30):
        make_event(f"test.many_{number}", company=cast.company_a)
    with django_assert_num_queries(15):
        assert len(listed_topics(client.get(EVENTS_URL))) == 31


@pytest.mark.django_db
def test_the_detail_shows_the_payload_and_every_attempt(cast, login_as):
    endpoint = make_endpoint("http://127.0.0.1:9/erp", name="ERP Shanghai")
    event = make_event("test.detail", company=cast.company_a, payload={"status": "blocked"})
    DeliveryAttempt.objects.create(
        event=event, endpoint=endpoint, attempted_at=event.created_at, duration_ms=3001, error="ReadTimeout: x",
        succeeded=False,
    )  # fmt: skip
    DeliveryAttempt.objects.create(
        event=event, endpoint=endpoint, attempted_at=event.created_at, duration_ms=12, status_code=204, succeeded=True
    )
    page = login_as(cast.buyer).get(reverse("integration_admin:event_detail", args=[event.uuid])).content.decode()
    assert "&quot;status&quot;: &quot;blocked&quot;" in page
    assert page.count("ERP Shanghai") == 2
    assert "ReadTimeout: x" in page and "3001" in page and "204" in page
    assert "Replay" not in page  # the buttons are for group administrators


@pytest.mark.django_db
def test_staff_of_another_company_get_404_and_partners_403_with_nothing_changed(cast, events, client, login_as):
    event = events["a"]
    before = snapshot()
    for url, method in (
        (reverse("integration_admin:event_detail", args=[event.uuid]), "get"),
        (reverse("integration_admin:event_replay", args=[event.uuid]), "post"),
        (reverse("integration_admin:event_skip", args=[event.uuid]), "post"),
    ):
        assert getattr(login_as(cast.staff_b), method)(url).status_code == 404
        assert getattr(login_as(cast.supplier_a_admin), method)(url, follow=True).status_code == 403
        assert getattr(login_as(cast.outsider), method)(url, follow=True).status_code == 403
    response = client.get(EVENTS_URL)
    assert response.status_code == 302
    assert snapshot() == before
    assert "test.company_a" not in login_as(cast.supplier_a_admin).get(EVENTS_URL, follow=True).content.decode()


@pytest.mark.django_db
def test_company_staff_may_look_but_not_replay_or_skip(cast, events, login_as):
    client = login_as(cast.buyer)
    before = snapshot()
    for name in ("event_replay", "event_skip"):
        assert client.post(reverse(f"integration_admin:{name}", args=[events["a"].uuid])).status_code == 403
    assert client.post(reverse("integration_admin:events_replay_dead")).status_code == 403
    assert snapshot() == before


@pytest.mark.django_db
def test_group_admin_replays_and_skips_with_an_audit_trail(cast, events, login_as):
    client = login_as(cast.group_admin)
    event = events["a"]
    response = client.post(reverse("integration_admin:event_replay", args=[event.uuid]))
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.attempts, event.last_error) == ("pending", 0, "")
    assert event.next_attempt_at is not None
    audit = AuditEvent.objects.get(action="outbox.replay")
    assert (audit.object_id, audit.company, audit.before, audit.after["status"]) == (
        str(event.uuid),
        cast.company_a,
        {"status": "dead"},
        "pending",
    )
    client.post(reverse("integration_admin:event_skip", args=[event.uuid]))
    event.refresh_from_db()
    assert event.status == "skipped"
    # a delivered event can be neither replayed nor skipped
    delivered = events["group"]
    client.post(reverse("integration_admin:event_skip", args=[delivered.uuid]))
    delivered.refresh_from_db()
    assert delivered.status == "delivered"
    assert AuditEvent.objects.filter(action__startswith="outbox.").count() == 2


@pytest.mark.django_db
def test_replay_all_dead_of_one_company_or_the_whole_group(cast, events, login_as):
    client = login_as(cast.group_admin)
    client.post(reverse("integration_admin:events_replay_dead"), {"company": "WH02"})
    assert dict(OutboxEvent.objects.values_list("topic", "status")) == {
        "test.company_a": "dead",
        "test.company_b": "pending",
        "test.group_wide": "delivered",
    }
    client.post(reverse("integration_admin:events_replay_dead"), {"company": ""})
    assert OutboxEvent.objects.filter(status="pending").count() == 2
    assert [audit.after["count"] for audit in AuditEvent.objects.filter(action="outbox.replay_dead")] == [1, 1]


@pytest.mark.django_db
def test_group_admin_creates_an_endpoint_and_sees_its_secret_once(cast, login_as):
    client = login_as(cast.group_admin)
    response = client.post(
        reverse("integration_admin:endpoint_create"),
        {"name": "ERP SH01", "url": "https://erp.example.test/hooks", "topics": "partner.*, item.created",
         "company": "SH01", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r'<code id="webhook-secret">([^<]+)</code>', response.content.decode()).group(1)
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.name, endpoint.topics, endpoint.company, endpoint.is_active) == (
        "ERP SH01",
        ["partner.*", "item.created"],
        cast.company_a,
        True,
    )
    assert len(secret) == 43
    assert secret not in endpoint.secret_encrypted and endpoint.secret_encrypted.startswith("fernet:")
    assert endpoint.secret == secret
    # never shown again
    assert secret not in client.get(reverse("integration_admin:endpoint_edit", args=[endpoint.uuid])).content.decode()
    assert secret not in client.get(ENDPOINTS_URL).content.decode()
    audit = AuditEvent.objects.get(action="webhook_endpoint.created")
    assert secret not in str(audit.after) and endpoint.secret_encrypted not in str(audit.after)


@pytest.mark.django_db
def test_group_admin_edits_rotates_and_deactivates(cast, login_as):
    endpoint = make_endpoint("https://erp.example.test/a", secret="old-secret", company=cast.company_a)
    client = login_as(cast.group_admin)
    response = client.post(
        reverse("integration_admin:endpoint_edit", args=[endpoint.uuid]),
        {"name": "ERP", "url": "https://erp.example.test/b", "topics": "*", "company": "", "is_active": "on"},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.topics, endpoint.company, endpoint.secret) == (
        "https://erp.example.test/b",
        ["*"],
        None,
        "old-secret",
    )
    response = client.post(reverse("integration_admin:endpoint_rotate_secret", args=[endpoint.uuid]))
    secret = re.search(r'<code id="webhook-secret">([^<]+)</code>', response.content.decode()).group(1)
    endpoint.refresh_from_db()
    assert endpoint.secret == secret != "old-secret"
    client.post(reverse("integration_admin:endpoint_deactivate", args=[endpoint.uuid]))
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert list(
        AuditEvent.objects.filter(action__startswith="webhook_endpoint.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "webhook_endpoint.changed",
        "webhook_endpoint.secret_rotated",
        "webhook_endpoint.deactivated",
    ]


@pytest.mark.django_db
def test_a_bad_topic_is_refused(cast, login_as):
    response = login_as(cast.group_admin).post(
        reverse("integration_admin:endpoint_create"), {"name": "x", "url": "https://e.test/", "topics": "part*ner"}
    )
    assert response.status_code == 200
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.django_db
def test_endpoints_are_for_group_admins_only(cast, login_as):
    endpoint = make_endpoint("https://erp.example.test/a", company=cast.company_a)
    before = snapshot()
    buyer = login_as(cast.buyer)
    assert buyer.get(ENDPOINTS_URL).status_code == 403
    assert buyer.get(reverse("integration_admin:endpoint_create")).status_code == 403
    assert buyer.post(reverse("integration_admin:endpoint_create"), {"name": "x"}).status_code == 403
    # company A's staff see that it exists but may not touch it; company B's staff do not see it at all
    assert buyer.get(reverse("integration_admin:endpoint_edit", args=[endpoint.uuid])).status_code == 403
    assert buyer.post(reverse("integration_admin:endpoint_rotate_secret", args=[endpoint.uuid])).status_code == 403
    assert buyer.post(reverse("integration_admin:endpoint_deactivate", args=[endpoint.uuid])).status_code == 403
    staff_b = login_as(cast.staff_b)
    assert staff_b.post(reverse("integration_admin:endpoint_deactivate", args=[endpoint.uuid])).status_code == 404
    assert snapshot() == before


@pytest.mark.django_db
def test_menu_items(cast, login_as):
    assert '"name": "outbox-events"' in login_as(cast.buyer).get("/cms/").content.decode()
    assert '"name": "webhook-endpoints"' not in login_as(cast.buyer).get("/cms/").content.decode()
    assert '"name": "webhook-endpoints"' in login_as(cast.group_admin).get("/cms/").content.decode()
