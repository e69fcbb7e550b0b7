"""Demo qualification: group-wide and company requirements, a supplier whose ISO 9001 expires in three weeks
(so the renewal loop can be tried at once) and a second supplier's certificate waiting for review. Running it
again changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from portal.core.registry import demo_data
from portal.documents.services import document_store_generated
from portal.organisations.models import Company, Partner

from .models import DocumentStatus, DocumentType, QualificationDocument, QualificationRequirement, SuppliedCategory
from .services import local_today, supplier_zone

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)

# tax id, type code, issuing body, number, issued (days from today), expires (days from today or None), status
DOCUMENTS = [
    ("91320200MA1HK0011N", "business_licence", "无锡市市场监督管理局", "91320200MA1HK0011N", -3000, None, "accepted"),
    ("91320200MA1HK0011N", "iso_9001", "中国质量认证中心", "00123Q45678R1M", -1075, 20, "accepted"),
    ("91330200MA2HL0027C", "business_licence", "宁波市市场监督管理局", "91330200MA2HL0027C", -2500, None, "accepted"),
    ("91330200MA2HL0027C", "iso_9001", "必维认证（北京）有限公司", "CN-BV-2026-0918", -10, 1085, "submitted"),
]  # fmt: skip
SUPPLIED = [("91320200MA1HK0011N", "STEEL-PLATE", "月产能 3,000 吨；厚度 6–80 mm；Q235B、Q355B")]


@demo_data.register("060-qualification")
def load_qualification_demo() -> list:
    types = {document_type.code: document_type for document_type in DocumentType.objects.all()}
    with transaction.atomic():
        QualificationRequirement.objects.get_or_create(
            document_type=types["business_licence"], category=None, company=None
        )
        steel = _category("STEEL")
        sh01 = Company.objects.filter(code="SH01").first()
        if steel is not None and sh01 is not None:
            QualificationRequirement.objects.get_or_create(
                document_type=types["iso_9001"], category=steel, company=sh01
            )
        for tax_id, category_code, note in SUPPLIED:
            partner = Partner.objects.filter(tax_id=tax_id).first()
            category = _category(category_code)
            if partner is not None and category is not None:
                SuppliedCategory.objects.get_or_create(
                    partner=partner, category=category, defaults={"capacity_note": note}
                )
        for tax_id, code, body, number, issued, expires, status in DOCUMENTS:
            partner = Partner.objects.filter(tax_id=tax_id).first()
            if partner is None or QualificationDocument.objects.filter(partner=partner, number=number).exists():
                continue
            today = local_today(supplier_zone(partner), timezone.now())
            file = document_store_generated(
                content=DEMO_PDF,
                file_name=f"{types[code].name}.pdf",
                kind=f"qualification-demo-{code}",
                obj=partner,
                owner_partner=partner,
            )
            QualificationDocument.objects.create(
                partner=partner,
                document_type=types[code],
                issuing_body=body,
                number=number,
                issued_on=today + dt.timedelta(days=issued),
                expires_on=today + dt.timedelta(days=expires) if expires is not None else None,
                status=DocumentStatus(status),
                file=file,
            )
    return []


def _category(code):
    from catalog.models import Category

    return Category.objects.filter(code=code).first()
