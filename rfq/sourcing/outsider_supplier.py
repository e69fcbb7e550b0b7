"""Outsider sweep registrations of the supplier's RFQ pages and the public tenders (imported by
rfq/sourcing/outsider.py, by the sweep test only).

The owner is a sales person of supplier A with an invitation to a published RFQ of company A; supplier B's
administrator, company B's staff, a person of no partner, an API client and anonymous visitors get 404 (or the
login wall) with nothing changed. The public tender pages are for everybody: their cases say so.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from portal.core.outsider import OutsiderCase, register
from rfq.avl.models import ApprovedSupplier, AvlStatus
from rfq.sourcing.bidding import bid_attachment_add
from rfq.sourcing.models import (
    Award,
    AwardLetter,
    AwardStatus,
    BidAttachment,
    BidSubmission,
    Invitation,
    Rfq,
    RfqAttachment,
)
from tests.factories.documents import PDF_BYTES, DocumentFactory
from tests.factories.sourcing import invitation_of, make_published_rfq, submit_bid


def _invitation(cast) -> Invitation:
    return invitation_of(make_published_rfq(cast), cast.supplier_a)


def _sales(cast, obj):
    return cast.supplier_a_sales


def _invitation_kwargs(invitation):
    return {"invitation_id": invitation.uuid}


def _submitted_invitation(cast) -> Invitation:
    rfq = make_published_rfq(cast)
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [100, 200])
    return invitation_of(rfq, cast.supplier_a)


def _submission(cast) -> BidSubmission:
    rfq = make_published_rfq(cast)
    submission = submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [100, 200])
    submission.invitation_uuid = invitation_of(rfq, cast.supplier_a).uuid
    return submission


def _submission_kwargs(submission):
    return {"invitation_id": submission.invitation_uuid, "submission_id": submission.uuid}


def _rfq_attachment(cast) -> RfqAttachment:
    rfq = make_published_rfq(cast)
    document = DocumentFactory(owner_partner=None, owner_company=cast.company_a, original_name="drawing.pdf")
    attachment = RfqAttachment.objects.create(rfq=rfq, document=document)
    attachment.invitation_uuid = invitation_of(rfq, cast.supplier_a).uuid
    return attachment


def _bid_attachment(cast) -> BidAttachment:
    invitation = _invitation(cast)
    attachment = bid_attachment_add(
        user=cast.supplier_a_sales,
        invitation=invitation,
        envelope="technical",
        uploaded_file=SimpleUploadedFile("spec.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    attachment.invitation_uuid = invitation.uuid
    return attachment


def _bid_attachment_kwargs(attachment):
    return {"invitation_id": attachment.invitation_uuid, "attachment_id": attachment.uuid}


def _letter(cast) -> AwardLetter:
    invitation = _invitation(cast)
    award = Award.objects.create(rfq=invitation.rfq, status=AwardStatus.APPROVED, currency="CNY", created_by=cast.buyer)
    document = DocumentFactory(owner_partner=cast.supplier_a, original_name="award.pdf")
    letter = AwardLetter.objects.create(award=award, invitation=invitation, is_winner=True, document=document)
    letter.invitation_uuid = invitation.uuid
    return letter


def _public_tender(cast) -> Rfq:
    rfq = make_published_rfq(cast, suppliers=(), is_public=True)
    for line in rfq.lines.select_related("item"):
        ApprovedSupplier.objects.get_or_create(
            company=cast.company_a,
            category=line.item.category,
            partner=cast.supplier_a,
            defaults={"status": AvlStatus.APPROVED},
        )
    return rfq


def _rfq_kwargs(rfq):
    return {"rfq_id": rfq.uuid}


def _invitation_case(url_name, *, make=_invitation, method="get", data=None, owner_status=200):
    register(
        OutsiderCase(
            url_name=url_name,
            model=Invitation,
            make=make,
            owner=_sales,
            kwargs=_invitation_kwargs,
            method=method,
            data=data or {},
            owner_status=owner_status,
        )
    )


_invitation_case("sourcing:rfq_detail")
_invitation_case("sourcing:bid")
_invitation_case("sourcing:bid_xlsx")
_invitation_case("sourcing:question_create", method="post", data={"text": "Is Q355B acceptable?"}, owner_status=302)
_invitation_case("sourcing:decline", method="post", data={"reason": "No capacity"}, owner_status=302)
_invitation_case("sourcing:bid_withdraw", make=_submitted_invitation, method="post", owner_status=302)
# without a file the forms answer 400 to the owner: the control that the view was reached
_invitation_case("sourcing:bid_xlsx_upload", method="post", owner_status=400)
_invitation_case("sourcing:attachment_add", method="post", data={"envelope": "technical"}, owner_status=400)

register(
    OutsiderCase(
        url_name="sourcing:rfq_document",
        model=RfqAttachment,
        make=_rfq_attachment,
        owner=_sales,
        kwargs=lambda attachment: {
            "invitation_id": attachment.invitation_uuid,
            "document_id": attachment.document.uuid,
        },
    )
)
register(
    OutsiderCase(
        url_name="sourcing:attachment_download",
        model=BidAttachment,
        make=_bid_attachment,
        owner=_sales,
        kwargs=_bid_attachment_kwargs,
    )
)
register(
    OutsiderCase(
        url_name="sourcing:attachment_remove",
        model=BidAttachment,
        make=_bid_attachment,
        owner=_sales,
        kwargs=_bid_attachment_kwargs,
        method="post",
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="sourcing:receipt",
        model=BidSubmission,
        make=_submission,
        owner=_sales,
        kwargs=_submission_kwargs,
    )
)
register(
    OutsiderCase(
        url_name="sourcing:receipt_pdf",
        model=BidSubmission,
        make=_submission,
        owner=_sales,
        kwargs=_submission_kwargs,
    )
)
register(
    OutsiderCase(
        url_name="sourcing:award_letter",
        model=AwardLetter,
        make=_letter,
        owner=_sales,
        kwargs=lambda letter: {"invitation_id": letter.invitation_uuid, "letter_id": letter.uuid},
    )
)

# A public tender is public: every signed-in outsider reads it (anonymous visitors too — see the report to the
# sweep's owner), nobody changes anything by reading.
register(
    OutsiderCase(
        url_name="tenders:detail",
        model=Rfq,
        make=_public_tender,
        owner=_sales,
        kwargs=_rfq_kwargs,
        expect={"supplier_b_admin": 200, "staff_b": 200, "outsider": 200, "api_b": 200, "anonymous": 200},
    )
)
# Joining: supplier B is not on the AVL for the categories (400, the AVL's reasons, nothing changed); people of no
# supplier get 404; the owner (approved for every category) joins and goes to the bid form.
register(
    OutsiderCase(
        url_name="tenders:join",
        model=Rfq,
        make=_public_tender,
        owner=_sales,
        kwargs=_rfq_kwargs,
        method="post",
        owner_status=302,
        expect={"supplier_b_admin": 400},
    )
)
