"""The ERP approving or blocking a partner through the API tells the other receivers as the portal would."""

import json

import pytest

from portal.integration.models import OutboxEvent
from portal.organisations.models import PartnerStatus

pytestmark = pytest.mark.django_db


def put_partner(client, partner, **fields):
    body = {"tax_id": partner.tax_id, "name": partner.name} | fields
    return client.put(f"/api/v1/partners/{partner.tax_id}", json.dumps(body), content_type="application/json")


def test_a_blocked_partner_emits_partner_blocked_not_partner_changed(http, cast):
    response = put_partner(http.group, cast.supplier_a, status="blocked")
    assert (response.status_code, response.json()["status"]) == (200, "applied")
    events = list(OutboxEvent.objects.values_list("topic", "payload__status", "payload__previous_status"))
    assert events == [("partner.blocked", "blocked", "approved")]


def test_status_and_name_together_emit_both_events(http, cast):
    put_partner(http.group, cast.supplier_a, status="blocked", name="新名称有限公司")
    events = list(OutboxEvent.objects.order_by("id").values_list("topic", "payload__changed"))
    assert events == [("partner.blocked", None), ("partner.changed", ["name"])]


def test_a_company_client_cannot_block_and_nothing_is_emitted(http, cast):
    response = put_partner(http.a, cast.supplier_a, status="blocked")
    assert response.status_code == 403
    cast.supplier_a.refresh_from_db()
    assert cast.supplier_a.status == PartnerStatus.APPROVED
    assert not OutboxEvent.objects.exists()
