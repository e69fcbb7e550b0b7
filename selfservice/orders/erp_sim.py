"""How the simulated ERP plays sales orders. It hears the order events and answers the way a real ERP would:

- `order.submitted`: it would create the sales order; it answers with the customer's open receivables
  (`/api/v1/customer-balances/batch`) and the finished-goods stock of the order's items (`/api/v1/stock/batch`),
  which order review then shows (credit and 产销平衡);
- `order.confirmed`: it would release the confirmed lines to production / shipping;
- `order.rejected`: noted. (`order.paid` and `order.cancelled` are the payments part's to answer.)

`push_balances(None, api)` is registered as "push:orders.balances": the simulator runs it when it starts, sending
the demo customers' receivables. The simulator's figures are made up but fixed, so a repeated push changes nothing
but `as_of`."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone

from portal.core.registry import erp_simulator

logger = logging.getLogger("portal.erpsim")

PUSH_KEY = "push:orders.balances"
# The finished-goods warehouse of each demo company (portal/organisations/demo.py).
FINISHED_GOODS = {"SH01": "FG01", "HK04": "HK01", "DE03": "HAM1"}
# (company, ERP customer number) → (open receivables, of which overdue), in the account's currency.
DEMO_BALANCES = {
    ("SH01", "K10001"): ("350000.00", "20000.00"),
    ("HK04", "K40001"): ("12000.00", "0.00"),
}


def balance_rows(company: str, erp_number: str, tax_id: str = "") -> list[dict[str, Any]]:
    receivables, overdue = DEMO_BALANCES.get((company, erp_number), ("0.00", "0.00"))
    customer = {"erp_number": erp_number} if erp_number else {"tax_id": tax_id}
    return [
        {
            "company": company,
            "customer": customer,
            "open_receivables": receivables,
            "overdue": overdue,
            "as_of": timezone.now().isoformat(),
        }
    ]


def stock_rows(order: dict[str, Any]) -> list[dict[str, Any]]:
    """The simulator's stock of the order's items: every other line's item is fully in stock, the others half."""
    company = order.get("company", "")
    warehouse = FINISHED_GOODS.get(company, "FG01")
    rows: dict[str, dict[str, Any]] = {}
    for index, line in enumerate(order.get("lines", [])):
        quantity = Decimal(line.get("quantity") or "0")
        available = (quantity * (Decimal("1.5") if index % 2 == 0 else Decimal("0.5"))).quantize(Decimal("0.0001"))
        rows[line["item"]] = {
            "company": company,
            "warehouse": warehouse,
            "item": line["item"],
            "on_hand": format(available + 10, "f"),
            "available": format(available, "f"),
            "as_of": timezone.now().isoformat(),
        }
    return list(rows.values())


def _post_stock(api: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The stock API takes {"items": [...]} (catalog/shop/api.py), not the {"objects": [...]} of PortalApi.upsert.
    response = api.session.post(
        f"{api.base_url}/api/v1/stock/batch",
        json={"items": rows},
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=api.timeout,
    )
    if response.status_code != 200:
        logger.warning("ERP simulator: stock push answered HTTP %s: %s", response.status_code, response.text[:300])
        return []
    results = response.json().get("results", [])
    for result in results:
        if result["status"] not in ("applied", "stale"):
            logger.warning("ERP simulator: stock %s was %s: %s", result["key"], result["status"], result["errors"])
    return results


@erp_simulator.register("order.submitted")
def order_submitted(event: dict[str, Any], api: Any) -> None:
    order = event.get("data") or {}
    customer = order.get("customer") or {}
    logger.info(
        "ERP simulator: would create sales order for %s (%s %s, %s lines)",
        order.get("number"),
        order.get("currency"),
        order.get("gross_total"),
        len(order.get("lines", [])),
    )
    if api is None:
        return
    results = api.upsert(
        "customer-balances",
        balance_rows(order.get("company", ""), customer.get("erp_number", ""), customer.get("tax_id", "")),
    )
    for result in results:
        if result["status"] not in ("applied", "stale"):
            logger.warning("ERP simulator: balance %s was %s: %s", result["key"], result["status"], result["errors"])
    _post_stock(api, stock_rows(order))


@erp_simulator.register("order.confirmed")
def order_confirmed(event: dict[str, Any], api: Any) -> None:
    order = event.get("data") or {}
    released = [
        f"line {line['line']} {line.get('confirmed_quantity')} {line['unit']} {line['item']}"
        f" by {line.get('promised_date')}"
        for line in order.get("lines", [])
        if line.get("status") in ("confirmed", "reduced")
    ]
    logger.info("ERP simulator: would release %s to production: %s", order.get("number"), "; ".join(released))


def _noted(event: dict[str, Any], api: Any) -> None:
    order = event.get("data") or {}
    logger.info("ERP simulator: %s %s (%s)", event.get("topic"), order.get("number"), order.get("status"))


erp_simulator.register("order.rejected", _noted)


@erp_simulator.register(PUSH_KEY)
def push_balances(event: Any, api: Any) -> list[dict[str, Any]]:
    """The demo customers' receivables (the `event` is None: a push answers no event)."""
    if api is None:
        return []
    rows = [row for (company, number) in DEMO_BALANCES for row in balance_rows(company, number)]
    results = api.upsert("customer-balances", rows)
    for result in results:
        if result["status"] not in ("applied", "stale"):
            logger.warning("ERP simulator: balance %s was %s: %s", result["key"], result["status"], result["errors"])
    return results
