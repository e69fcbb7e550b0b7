"""How the simulated ERP plays sourcing: it sends purchase requisitions for the demo company through
/api/v1/requisitions/batch, and hears the sourcing events (rfq.published, rfq.amended, bid.submitted,
rfq.round_opened, award.approved). The simulator's receiver records every event it gets (deduplicated by id); the
handlers here only say what a real ERP would do. An approved award would become purchase orders — those come later.

`apply_demo_requisitions(actor=…)` applies the same requisitions without HTTP (for demo data loaded before the
simulator runs), through the same service as the API.

`push_requisitions(api)` is registered as "push:sourcing.requisitions": the simulator runs registrations named
"push:…" with its API client when it starts (and on each push), the way it pushes the day's exchange rates. The
requisitions carry a fixed source version, so a repeated push answers "applied" and changes nothing.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from portal.core.registry import erp_simulator

from .requisitions import RequisitionApplied, RequisitionLineData, requisition_upsert

logger = logging.getLogger("portal.erpsim")

DEMO_COMPANY = "SH01"
# Items of the demo item master (catalog/demo.py) and sites of the demo company (portal/organisations/demo.py).
DEMO_ITEMS = {"plate": ("PL-Q235B-10-1500", "t"), "bolt": ("BLT-M12x50-8.8-ZN", "pcs"), "nut": ("NUT-M12-8-ZN", "pcs")}
DEMO_SITES = ("BS", "JD")
PUSH_KEY = "push:sourcing.requisitions"


def demo_requisitions(today: date, company: str = DEMO_COMPANY) -> list[dict[str, Any]]:
    """Two open requisitions of the demo company as its ERP would send them."""
    plate, plate_unit = DEMO_ITEMS["plate"]
    bolt, bolt_unit = DEMO_ITEMS["bolt"]
    nut, nut_unit = DEMO_ITEMS["nut"]
    return [
        {
            "company": company,
            "external_id": "PR-SIM-0001",
            "title": "宝山工厂二季度钢板需求",
            "requested_by": "生产部 张工",
            "status": "open",
            "source_version": 1,
            "lines": [
                {
                    "line": "10",
                    "item": plate,
                    "quantity": "120",
                    "unit": plate_unit,
                    "need_by": (today + timedelta(days=45)).isoformat(),
                    "site": DEMO_SITES[0],
                    "last_price": "4380.0000",
                    "target_price": "4300.0000",
                },
            ],
        },
        {
            "company": company,
            "external_id": "PR-SIM-0002",
            "title": "嘉定工厂紧固件及安装服务",
            "requested_by": "设备部 李工",
            "status": "open",
            "source_version": 1,
            "lines": [
                {
                    "line": "10",
                    "item": bolt,
                    "quantity": "5000",
                    "unit": bolt_unit,
                    "need_by": (today + timedelta(days=30)).isoformat(),
                    "site": DEMO_SITES[1],
                    "last_price": "1.9000",
                    "target_price": "1.8000",
                },
                {
                    "line": "20",
                    "item": nut,
                    "quantity": "5000",
                    "unit": nut_unit,
                    "need_by": (today + timedelta(days=30)).isoformat(),
                    "site": DEMO_SITES[1],
                },
                {
                    "line": "30",
                    "description": "设备基础螺栓现场安装服务",
                    "quantity": "1",
                    "unit": "pcs",
                    "need_by": (today + timedelta(days=40)).isoformat(),
                    "site": DEMO_SITES[1],
                },
            ],
        },
    ]


def apply_demo_requisitions(*, actor: Any, today: date | None = None) -> list[RequisitionApplied]:
    """The demo requisitions applied directly by `actor` (the ERP simulator's API client): idempotent."""
    applied = []
    for data in demo_requisitions(today or date.today()):  # noqa: DTZ011 — the ERP's day
        lines = [
            RequisitionLineData(
                quantity=Decimal(line["quantity"]),
                unit=line["unit"],
                item=line.get("item"),
                description=line.get("description", ""),
                line=line.get("line", ""),
                need_by=date.fromisoformat(line["need_by"]) if line.get("need_by") else None,
                site=line.get("site"),
                last_price=Decimal(line["last_price"]) if line.get("last_price") else None,
                target_price=Decimal(line["target_price"]) if line.get("target_price") else None,
            )
            for line in data["lines"]
        ]
        applied.append(
            requisition_upsert(
                actor=actor,
                company_code=data["company"],
                external_id=data["external_id"],
                values={key: data[key] for key in ("title", "requested_by", "status")},
                lines=lines,
                source_version=data["source_version"],
            )
        )
    return applied


@erp_simulator.register(PUSH_KEY)
def push_requisitions(event: Any, api: Any, today: date | None = None) -> list[dict[str, Any]]:
    """Send the demo company's requisitions (the `event` is None: a push is not an answer to an event)."""
    if api is None:
        return []
    results = api.upsert("requisitions", demo_requisitions(today or date.today()))  # noqa: DTZ011 — the ERP's day
    for result in results:
        if result["status"] not in ("applied", "stale"):
            logger.warning(
                "ERP simulator: requisition %s was %s: %s", result["key"], result["status"], result["errors"]
            )
    logger.info("ERP simulator: pushed %s requisitions", len(results))
    return results


def _noted(event: dict[str, Any], api: Any) -> None:
    data = event.get("data") or {}
    rfq = data.get("rfq") or data.get("number")
    logger.info("ERP simulator: %s %s round %s (%s)", event.get("topic"), rfq, data.get("round"), data.get("status"))


for topic in ("rfq.published", "rfq.amended", "bid.submitted", "rfq.round_opened"):
    erp_simulator.register(topic, _noted)


@erp_simulator.register("award.approved")
def award_approved(event: dict[str, Any], api: Any) -> None:
    """A real ERP would create a purchase order per awarded supplier; the simulator says which ones it would."""
    award = event.get("data") or {}
    per_supplier: dict[str, list[dict[str, Any]]] = {}
    for line in award.get("lines", []):
        supplier = line["supplier"]
        per_supplier.setdefault(supplier.get("erp_number") or supplier["tax_id"], []).append(line)
    for supplier, lines in sorted(per_supplier.items()):
        logger.info(
            "ERP simulator: would create PO for award %s (%s) to %s: %s",
            award.get("id"),
            award.get("rfq"),
            supplier,
            ", ".join(f"line {line['rfq_line']} {line['quantity']} × {line['unit_price']}" for line in lines),
        )
