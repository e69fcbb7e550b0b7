"""Outsider sweep registrations for the outbox and webhook endpoints in the back office (imported by the sweep
test only)."""

from portal.core.outsider import OutsiderCase, register
from portal.integration.models import OutboxEvent, OutboxStatus, WebhookEndpoint


def _dead_event(cast):
    return OutboxEvent.objects.create(
        topic="partner.status_changed",
        company=cast.company_a,
        object_type="organisations.partner",
        object_id=str(cast.supplier_a.uuid),
        payload={"status": "approved"},
        status=OutboxStatus.DEAD,
        attempts=8,
        last_error="HTTP 503",
    )


def _endpoint(cast):
    endpoint = WebhookEndpoint(name="ERP SH01", url="http://127.0.0.1:9/hook", topics=["*"], company=cast.company_a)
    endpoint.set_secret("sweep-secret")
    endpoint.save()
    return endpoint


register(
    OutsiderCase(
        url_name="integration_admin:event_detail",
        model=OutboxEvent,
        make=_dead_event,
        owner=lambda cast, event: cast.buyer,
        kwargs=lambda event: {"event_id": event.uuid},
    )
)
for url_name in ("integration_admin:event_replay", "integration_admin:event_skip"):
    register(
        OutsiderCase(
            url_name=url_name,
            model=OutboxEvent,
            make=_dead_event,
            owner=lambda cast, event: cast.group_admin,
            kwargs=lambda event: {"event_id": event.uuid},
            method="post",
            owner_status=302,
        )
    )
register(
    OutsiderCase(
        url_name="integration_admin:endpoint_edit",
        model=WebhookEndpoint,
        make=_endpoint,
        owner=lambda cast, endpoint: cast.group_admin,
        kwargs=lambda endpoint: {"endpoint_id": endpoint.uuid},
    )
)
register(
    OutsiderCase(
        url_name="integration_admin:endpoint_rotate_secret",
        model=WebhookEndpoint,
        make=_endpoint,
        owner=lambda cast, endpoint: cast.group_admin,
        kwargs=lambda endpoint: {"endpoint_id": endpoint.uuid},
        method="post",
    )
)
register(
    OutsiderCase(
        url_name="integration_admin:endpoint_deactivate",
        model=WebhookEndpoint,
        make=_endpoint,
        owner=lambda cast, endpoint: cast.group_admin,
        kwargs=lambda endpoint: {"endpoint_id": endpoint.uuid},
        method="post",
        owner_status=302,
    )
)
