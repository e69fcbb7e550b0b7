"""The RFQ as a PDF for the invited suppliers (WeasyPrint through theme.pdf.render_pdf), one per RFQ version.

It shows what a supplier needs to quote (terms, lines, deadline, documents), never the staff-only last purchase
and target prices: the template is given lines without them. https://doc.courtbouillon.org/weasyprint/stable/
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from portal.documents.services import document_store_generated
from theme.pdf import render_pdf

from .models import Rfq, RfqAttachment

RFQ_PDF_KIND = "rfq_pdf"
TEMPLATE = "sourcing/pdf/rfq.html"


def plain(value) -> str:
    """A Decimal without trailing zeros and never in exponent form (10.0000 → "10", 12.5000 → "12.5")."""
    return "" if value is None else f"{value.normalize():f}"


def _supplier_lines(rfq: Rfq) -> list[dict[str, Any]]:
    """The lines as suppliers may see them: no last or target price ever leaves here."""
    return [
        {
            "position": line.position,
            "item_code": line.item.code if line.item_id else "",
            "description": line.item.display_name if line.item_id else line.description,
            "note": line.description if line.item_id else "",
            "quantity": plain(line.quantity),
            "unit": line.unit.code,
            "need_by": line.need_by,
            "site": f"{line.site.code} {line.site.name}" if line.site_id else "",
        }
        for line in rfq.lines.select_related("item", "unit", "site").order_by("position")
    ]


def rfq_pdf_context(rfq: Rfq) -> dict[str, Any]:
    current = rfq.rounds.order_by("-number").first()
    company_zone = ZoneInfo(rfq.company.time_zone or settings.TIME_ZONE)
    deadline = current.deadline.astimezone(company_zone) if current else None
    return {
        "rfq": rfq,
        "lines": _supplier_lines(rfq),
        "deadline": deadline,
        "zone": rfq.company.time_zone or settings.TIME_ZONE,
        "documents": [
            attachment.document.original_name
            for attachment in rfq.attachments.select_related("document").exclude(document__kind=RFQ_PDF_KIND)
        ],
    }


def rfq_pdf_render(rfq: Rfq, *, language: str | None = None) -> bytes:
    return render_pdf(TEMPLATE, rfq_pdf_context(rfq), language=language or settings.LANGUAGE_CODE)


def rfq_pdf_store(*, rfq: Rfq, actor: Any = None) -> RfqAttachment:
    """Render and store the PDF of the RFQ's current version and attach it (a retry changes nothing)."""
    document = document_store_generated(
        actor=actor,
        content=rfq_pdf_render(rfq),
        file_name=f"{rfq.number}-v{rfq.version}.pdf",
        kind=RFQ_PDF_KIND,
        obj=rfq,
        owner_company=rfq.company,
        version=rfq.version,
    )
    attachment, _created = RfqAttachment.objects.get_or_create(
        rfq=rfq, document=document, defaults={"version": rfq.version}
    )
    return attachment
