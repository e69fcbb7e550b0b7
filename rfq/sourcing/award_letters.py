"""The PDFs of an approved award: an award letter (中标通知书) for each winner with its own lines and prices only,
a regret notice (未中标通知书) for each other bidder with no prices at all.

Each is stored as a generated Document owned by the supplier (so its people see it) and the RFQ's company (so
the staff do), unique per (kind, letter, version): rendering again stores nothing twice."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from portal.documents.services import document_store_generated
from theme.pdf import render_pdf

from .comparison import money, number_text, thousands_separator
from .models import Award, AwardLetter, AwardLine, Rfq

LETTER_KIND = "award_letter"
REGRET_KIND = "regret_notice"


def letter_language(supplier) -> str:
    """Chinese for suppliers in China, English for the others (the letter has both names of the company)."""
    return "zh-hans" if (supplier.country or "CN").upper() == "CN" else "en"


def winner_lines(award: Award, invitation_id: int) -> tuple[list[dict], Decimal]:
    """The supplier's own awarded lines with their amounts (net, RFQ currency) and the total."""
    lines = (
        AwardLine.objects.filter(award=award, invitation_id=invitation_id)
        .select_related("rfq_line__item", "rfq_line__unit", "opened_line")
        .order_by("rfq_line__position", "id")
    )
    rows, total = [], Decimal(0)
    sep = thousands_separator()
    for line in lines:
        amount = money(line.unit_price * line.quantity)
        total += amount
        rows.append(
            {
                "line": line,
                "rfq_line": line.rfq_line,
                "offer": line.opened_line,
                "amount": amount,
                "price": number_text(line.unit_price, 4, trim_to=2, sep=sep),
                "quantity": number_text(line.quantity, 4, trim_to=0, sep=sep),
            }
        )
    return rows, total


def letter_context(award: Award, letter: AwardLetter) -> dict:
    rfq = Rfq.objects.select_related("company").get(pk=award.rfq_id)
    context = {"award": award, "rfq": rfq, "company": rfq.company, "supplier": letter.invitation.supplier}
    if letter.is_winner:
        context["lines"], context["total"] = winner_lines(award, letter.invitation_id)
    return context


def letter_pdf(award: Award, letter: AwardLetter) -> bytes:
    template = "sourcing/pdf/award_letter.html" if letter.is_winner else "sourcing/pdf/regret.html"
    language = letter_language(letter.invitation.supplier)
    with translation.override(language):  # the numbers' separators follow the letter's language too
        context = letter_context(award, letter)
    return render_pdf(template, context, language=language)


def award_letters_render(award: Award) -> list[AwardLetter]:
    """Render and store the PDF of every letter of the award that has none yet; returns the letters done now."""
    letters = list(award.letters.filter(document__isnull=True).select_related("invitation__supplier").order_by("pk"))
    rfq = Rfq.objects.select_related("company").get(pk=award.rfq_id)
    for letter in letters:
        supplier = letter.invitation.supplier
        name = "award-letter" if letter.is_winner else "regret-notice"
        document = document_store_generated(
            content=letter_pdf(award, letter),
            file_name=f"{rfq.number}-{name}.pdf",
            kind=LETTER_KIND if letter.is_winner else REGRET_KIND,
            obj=letter,
            owner_partner=supplier,
            owner_company=rfq.company,
        )
        AwardLetter.objects.filter(pk=letter.pk, document__isnull=True).update(document=document)
        letter.document = document
    return letters


def award_letters_render_by_id(award_id: int) -> int:
    """For the task: render the award's missing letters; returns how many were made now."""
    award = Award.objects.filter(pk=award_id).first()
    if award is None:
        return 0
    return len(award_letters_render(award))
