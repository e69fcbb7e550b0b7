"""Outsider sweep registrations of comparison and awards (imported by rfq/sourcing/outsider.py, by the sweep test
only). The opened RFQs and their awards belong to company A: its buyer compares and proposes, its sourcing manager
approves; staff of company B, partner users and anonymous visitors get what the sweep expects of the back office."""

from decimal import Decimal

from portal.core.outsider import OutsiderCase, register
from portal.documents.services import document_store_generated
from rfq.sourcing.models import Award, AwardLetter, AwardLine, AwardStatus, OpenedBidLine, Rfq
from tests.sourcing.comparison_data import opened_rfq

# a minimal valid PDF: the letter download serves the stored bytes as they are
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _opened(cast) -> Rfq:
    rfq, _round, _invitations = opened_rfq(
        cast,
        bids={
            cast.supplier_a: {1: {"unit_price": Decimal("12.5")}},
            cast.supplier_b: {1: {"unit_price": Decimal("13")}},
        },
    )
    return rfq


def _award(cast, status=AwardStatus.DRAFT) -> Award:
    rfq = _opened(cast)
    line = rfq.lines.get()
    offer = OpenedBidLine.objects.select_related("submission__bid__invitation").get(
        rfq_line=line, submission__bid__supplier=cast.supplier_a
    )
    award = Award.objects.create(rfq=rfq, status=status, total=Decimal("125.00"), currency="CNY", created_by=cast.buyer)
    AwardLine.objects.create(
        award=award,
        rfq_line=line,
        invitation=offer.submission.bid.invitation,
        opened_line=offer,
        quantity=line.quantity,
        unit_price=offer.unit_price,
    )
    return award


def _pending(cast) -> Award:
    return _award(cast, AwardStatus.PENDING_APPROVAL)


def _letter(cast) -> AwardLetter:
    award = _award(cast, AwardStatus.APPROVED)
    invitation = award.lines.get().invitation
    letter = AwardLetter.objects.create(award=award, invitation=invitation, is_winner=True)
    document = document_store_generated(
        content=PDF,
        file_name="award-letter.pdf",
        kind="award_letter",
        obj=letter,
        owner_partner=invitation.supplier,
        owner_company=cast.company_a,
    )
    AwardLetter.objects.filter(pk=letter.pk).update(document=document)
    return letter


def _buyer(cast, obj):
    return cast.buyer


def _sourcing_manager(cast, obj):
    return cast.sourcing_manager


def _rfq_kwargs(rfq):
    return {"rfq_id": rfq.uuid}


def _award_kwargs(award):
    return {"award_id": award.uuid}


for name in ("comparison", "comparison_xlsx", "comparison_pdf", "award_create"):
    register(OutsiderCase(url_name=f"sourcing_admin:{name}", model=Rfq, make=_opened, owner=_buyer, kwargs=_rfq_kwargs))

register(
    OutsiderCase(url_name="sourcing_admin:award_detail", model=Award, make=_award, owner=_buyer, kwargs=_award_kwargs)
)
register(
    OutsiderCase(
        url_name="sourcing_admin:award_submit",
        model=Award,
        make=_award,
        owner=_buyer,
        kwargs=_award_kwargs,
        method="post",
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="sourcing_admin:award_approve",
        model=Award,
        make=_pending,
        owner=_sourcing_manager,
        kwargs=_award_kwargs,
        method="post",
        data={"note": "ok"},
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="sourcing_admin:award_reject",
        model=Award,
        make=_pending,
        owner=_sourcing_manager,
        kwargs=_award_kwargs,
        method="post",
        data={"note": "Split the line"},
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="sourcing_admin:award_letter",
        model=AwardLetter,
        make=_letter,
        owner=_buyer,
        kwargs=lambda letter: {"award_id": letter.award.uuid, "letter_id": letter.uuid},
    )
)
