"""The sourcing loop with the simulated ERP: it pushes purchase requisitions through /api/v1/ and they appear in the
portal; an RFQ is bid, opened and awarded through the real services, and the signed `award.approved` webhook reaches
the ERP once (a redelivery is recognised), which says which purchase orders it would create."""

import json
import logging
import time
from datetime import date
from decimal import Decimal

import pytest

from portal.core.registry import autodiscover, erp_simulator
from portal.erpsim.client import PortalApi
from portal.erpsim.server import ErpSimulator, ReceivedEvents
from portal.integration.models import OutboxEvent, OutboxStatus, WebhookEndpoint
from portal.integration.relay import deliver_due
from portal.integration.signing import signature_header
from rfq.sourcing.awards import award_create, award_submit
from rfq.sourcing.erp_sim import DEMO_ITEMS, PUSH_KEY, apply_demo_requisitions
from rfq.sourcing.models import AwardStatus, Invitation, Requisition, RequisitionLine
from tests.factories import SiteFactory, make_api_client
from tests.factories.catalog import ItemFactory, UnitFactory
from tests.factories.sourcing import opened_rfq

SECRET = "sourcing-loop-secret"
TODAY = date(2027, 3, 1)


def demo_master_data(cast):
    """What the demo requisitions name: company A (SH01) with sites BS and JD, the demo items and their units."""
    for code in ("BS", "JD"):
        SiteFactory(company=cast.company_a, code=code)
    units = {"t": UnitFactory(code="t", dimension="mass"), "pcs": UnitFactory(code="pcs")}
    for code, unit in DEMO_ITEMS.values():
        ItemFactory(code=code, base_unit=units[unit])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_requisitions_come_in_and_an_approved_award_reaches_the_erp_once(live_server, cast, tmp_path, caplog):
    autodiscover("erp_sim")
    demo_master_data(cast)
    group_client = make_api_client(company=None, scopes=("sourcing:read", "sourcing:write"), name="erp-sourcing")
    erp = ErpSimulator(
        secret=SECRET,
        store=ReceivedEvents(tmp_path / "received.sqlite3"),
        api=PortalApi(live_server.url, group_client.plain_key),
        handlers=dict(erp_simulator.items()),
    )
    host, port = erp.start("127.0.0.1", 0)
    try:
        endpoint = WebhookEndpoint(
            name="ERP", url=f"http://{host}:{port}/webhooks", topics=["rfq.*", "bid.*", "award.*"]
        )
        endpoint.set_secret(SECRET)
        endpoint.save()

        # The ERP pushes its requisitions (what the simulator does when it starts); a second push changes nothing.
        push = erp_simulator.get(PUSH_KEY)
        results = push(None, erp.api, today=TODAY)
        assert [(result["key"], result["status"], result["errors"]) for result in results] == [
            ("PR-SIM-0001", "applied", []),
            ("PR-SIM-0002", "applied", []),
        ]
        lines = {
            requisition.external_id: [
                (line.position, line.item.code if line.item_id else line.description, line.quantity, line.site.code)
                for line in requisition.lines.select_related("item", "site").order_by("position")
            ]
            for requisition in Requisition.objects.filter(company=cast.company_a)
        }
        assert lines == {
            "PR-SIM-0001": [(1, "PL-Q235B-10-1500", Decimal("120"), "BS")],
            "PR-SIM-0002": [
                (1, "BLT-M12x50-8.8-ZN", Decimal("5000"), "JD"),
                (2, "NUT-M12-8-ZN", Decimal("5000"), "JD"),
                (3, "设备基础螺栓现场安装服务", Decimal("1"), "JD"),
            ],
        }
        assert [result["status"] for result in push(None, erp.api, today=TODAY)] == ["applied", "applied"]
        assert Requisition.objects.count() == 2

        # Bids, the opening and an approved award, through the real services.
        opened = opened_rfq(cast, {cast.supplier_a: ["10", "20"], cast.supplier_b: ["11", "19"]})
        rfq = opened.rfq
        first, second = rfq.lines.order_by("position")
        invitation_a = Invitation.objects.get(rfq=rfq, supplier=cast.supplier_a)
        invitation_b = Invitation.objects.get(rfq=rfq, supplier=cast.supplier_b)
        award = award_create(
            user=cast.buyer,
            rfq=rfq,
            allocations=[
                {"rfq_line": first, "invitation": invitation_a, "quantity": first.quantity, "reason": "最低价"},
                {"rfq_line": second, "invitation": invitation_b, "quantity": second.quantity, "reason": "最低价"},
            ],
        )
        with caplog.at_level(logging.INFO, logger="portal.erpsim"):
            award = award_submit(user=cast.buyer, award=award)
            assert award.status == AwardStatus.APPROVED
            delivered = deliver_due()
            erp.drain()
        assert erp.errors == []
        assert delivered == OutboxEvent.objects.count()
        assert set(OutboxEvent.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}

        (received,) = erp.store.all("award.approved")
        data = received["event"]["data"]
        assert (data["id"], data["rfq"], data["company"]) == (str(award.uuid), rfq.number, "SH01")
        assert [(line["rfq_line"], line["supplier"]["tax_id"], line["unit_price"]) for line in data["lines"]] == [
            (1, cast.supplier_a.tax_id, "10.0000"),
            (2, cast.supplier_b.tax_id, "19.0000"),
        ]
        would = [record.getMessage() for record in caplog.records if "would create PO" in record.getMessage()]
        assert len(would) == 2  # one purchase order per awarded supplier
        assert all(str(award.uuid) in message for message in would)
        topics = sorted(row["topic"] for row in erp.store.all())
        assert topics.count("bid.submitted") == 2
        assert topics.count("rfq.round_opened") == 1
        assert topics.count("award.approved") == 1

        # Nothing is delivered twice, and a redelivery of the same event is recognised and not acted on again.
        assert deliver_due() == 0
        body = json.dumps(received["event"]).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Portal-Event-Id": received["id"],
            "Portal-Timestamp": timestamp,
            "Portal-Signature": signature_header(SECRET, timestamp, body),
        }
        caplog.clear()
        status, answer = erp.receive(headers, body)
        erp.drain()
        assert (status, answer) == (200, {"id": received["id"], "duplicate": True})
        assert len(erp.store.all("award.approved")) == 1
        assert [record for record in caplog.records if "would create PO" in record.getMessage()] == []
    finally:
        erp.stop()


@pytest.mark.django_db
def test_the_demo_requisitions_apply_without_http_and_a_second_time_change_nothing(cast):
    demo_master_data(cast)
    erp = make_api_client(company=None, name="ERP simulator")
    first = apply_demo_requisitions(actor=erp, today=TODAY)
    assert [(applied.created, applied.obj.external_id) for applied in first] == [
        (True, "PR-SIM-0001"),
        (True, "PR-SIM-0002"),
    ]
    second = apply_demo_requisitions(actor=erp, today=TODAY)
    assert [applied.changed for applied in second] == [False, False]
    assert RequisitionLine.objects.count() == 4
