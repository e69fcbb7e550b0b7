"""Demo bank details: each approved supplier has a default account in force (a fictitious number derived from its
tax id), so the supplier's page and a requested change have something to compare with. Running it again changes
nothing."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from portal.core.registry import demo_data
from portal.organisations.models import Partner, PartnerStatus

from .models import SupplierBankAccount

BANKS = [
    # bank, branch, SWIFT/BIC, CNAPS prefix
    ("中国工商银行", "上海外滩支行", "ICBKCNBJSHI", "102290"),
    ("中国建设银行", "宁波分行", "PCBCCNBJNBX", "105332"),
    ("招商银行", "天津分行", "CMBCCNBS", "308110"),
]


@demo_data.register("310-bank-details")
def load_bank_details_demo() -> list:
    with transaction.atomic():
        suppliers = Partner.objects.filter(is_supplier=True, status=PartnerStatus.APPROVED).order_by("tax_id")
        for index, partner in enumerate(suppliers):
            if SupplierBankAccount.objects.filter(partner=partner, company__isnull=True, is_current=True).exists():
                continue
            digits = str(int(hashlib.sha256(partner.tax_id.encode()).hexdigest(), 16))[:13]
            bank, branch, swift, cnaps = BANKS[index % len(BANKS)]
            SupplierBankAccount.objects.create(
                partner=partner,
                company=None,
                account_holder=partner.name,
                bank_name=bank,
                branch=branch,
                account_number=f"622{digits}",
                swift_bic=swift,
                bank_code=f"{cnaps}{digits[:6]}",
                currency="CNY",
                is_current=True,
                approved_at=timezone.now(),
            )
    return []
