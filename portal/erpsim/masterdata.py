"""Master data the simulated ERP owns and pushes to the portal: the day's exchange rates, and the vendor and
customer numbers it assigns when the portal approves a partner."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

# The group's reference rates (units of CNY per unit of the currency), moved a little each day so the demo
# shows history. A real ERP takes them from its bank feed.
REFERENCE_RATES = {"USD": Decimal("7.1200"), "HKD": Decimal("0.9130"), "EUR": Decimal("7.7400")}


def daily_rates(day: date) -> list[dict[str, Any]]:
    objects = []
    for currency, rate in REFERENCE_RATES.items():
        wiggle = int(hashlib.sha256(f"{currency}{day.isoformat()}".encode()).hexdigest()[:4], 16) % 201 - 100
        objects.append(
            {
                "company": None,
                "base": currency,
                "quote": "CNY",
                "valid_on": day.isoformat(),
                "rate": str((rate * (1 + Decimal(wiggle) / Decimal(10000))).quantize(Decimal("0.0001"))),
                # The ERP's booking version: later corrections of the same day win.
                "source_version": 1,
            }
        )
    return objects


def erp_number(prefix: str, tax_id: str, company: str) -> str:
    """A stable vendor (V…) or customer (C…) number, as the ERP would assign once."""
    digest = int(hashlib.sha256(f"{prefix}{tax_id}{company}".encode()).hexdigest()[:8], 16) % 900000 + 100000
    return f"{prefix}{company}{digest}"


def accounts_with_numbers(partner: dict[str, Any]) -> dict[str, Any] | None:
    """The partner (as the portal's webhook describes it) with ERP numbers for accounts that have none;
    None when every account already has one."""
    changed = False
    identity = ("tax_id", "name", "name_en", "country", "address", "is_supplier", "is_customer")
    update: dict[str, Any] = {key: partner[key] for key in identity if key in partner}
    for side, prefix in (("supplier_accounts", "V"), ("customer_accounts", "C")):
        accounts = []
        for account in partner.get(side) or []:
            if not account.get("erp_number"):
                account = account | {"erp_number": erp_number(prefix, partner["tax_id"], account["company"])}
                changed = True
            accounts.append(account)
        if accounts:
            update[side] = accounts
    return update if changed else None
