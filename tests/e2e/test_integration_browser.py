"""Browser test of the integration back office: a group administrator finds a dead webhook event, reads its
attempts, replays it, and sees the webhook endpoints (screenshots at a desktop's and a phone's width)."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from portal.integration.models import DeliveryAttempt, OutboxEvent, OutboxStatus, WebhookEndpoint
from tests.e2e.helpers import fits, log_in
from tests.factories import StaffRoleFactory, UserFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shots(page, screenshot, name):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(400)  # the sidebar's collapse animation
        assert fits(page), (name, width)
        screenshot(page, f"integration-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_group_admin_replays_a_dead_event(page, base_url_localhost, screenshot):
    base = base_url_localhost
    admin = StaffRoleFactory(
        user=UserFactory(email="admin@group.test", first_name="芳", last_name="王"), role="group_admin", company=None
    ).user
    TOTP.activate(admin, SECRET)
    endpoint = WebhookEndpoint(name="SAP 主系统", url="https://erp.example.test/portal/webhooks", topics=["*"])
    endpoint.set_secret("s3cret")
    endpoint.save()
    now = timezone.now()
    for number in range(3):
        OutboxEvent.objects.create(
            topic="item.created",
            object_type="catalog.item",
            object_id=f"item-{number}",
            payload={"code": f"PL-{number}"},
            status=OutboxStatus.DELIVERED,
            delivered_at=now,
            attempts=1,
        )
    dead = OutboxEvent.objects.create(
        topic="partner.approved",
        object_type="organisations.partner",
        object_id="p-1",
        payload={"tax_id": "91310000MA1FL8LX6C", "name": "上海华东钢材有限公司", "status": "approved"},
        status=OutboxStatus.DEAD,
        attempts=2,
        last_error="HTTP 400: unknown vendor group",
    )
    for minutes, code, error in ((9, 503, "HTTP 503"), (1, 400, "HTTP 400: unknown vendor group")):
        DeliveryAttempt.objects.create(
            event=dead,
            endpoint=endpoint,
            attempted_at=now - timedelta(minutes=minutes),
            duration_ms=42,
            status_code=code,
            error=error,
            succeeded=False,
        )

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, admin.email, totp_secret=SECRET, next_path="/cms/integration/events/")
    page.wait_for_url(re.compile(r".*/cms/integration/events/"))
    assert page.get_by_text("partner.approved").count() >= 1
    shots(page, screenshot, "events")

    page.goto(f"{base}/cms/integration/events/{dead.uuid}/")
    assert "unknown vendor group" in page.content()
    shots(page, screenshot, "event-dead")
    page.locator(f"form[action$='/{dead.uuid}/replay/'] [type=submit]").click()
    page.wait_for_load_state()
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (OutboxStatus.PENDING, 0)

    page.goto(f"{base}/cms/integration/endpoints/")
    assert "SAP 主系统" in page.content() and "s3cret" not in page.content()
    shots(page, screenshot, "endpoints")
