"""Outsider sweep registrations of the buyer's RFQ screens (imported by rfq/sourcing/outsider.py, by the sweep test
only). The RFQs belong to company A: its buyer (its sourcing manager for the opening) reaches them; staff of
company B, partner users and anonymous visitors get what the sweep expects of every back-office page."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.core.outsider import OutsiderCase, register
from portal.documents.services import document_store
from rfq.sourcing.models import BidAttachment, Question, Rfq, RfqAttachment, RfqLine, RfqStatus
from tests.factories.catalog import ItemFactory
from tests.factories.sourcing import invitation_of, make_published_rfq


def _draft(cast):
    item = ItemFactory()
    rfq = Rfq.objects.create(
        company=cast.company_a, number=f"RFQ-D-{Rfq.objects.count() + 1:05d}", title="草稿询价", created_by=cast.buyer
    )
    RfqLine.objects.create(rfq=rfq, position=1, item=item, quantity=Decimal("3"), unit=item.base_unit)
    return rfq


def _draft_with_invitation(cast):
    rfq = _draft(cast)
    rfq.invitations.create(supplier=cast.supplier_a, avl_status="approved", invited_by=cast.buyer)
    return rfq


def _draft_with_document(cast):
    rfq = _draft(cast)
    document = document_store(
        actor=cast.buyer,
        uploaded_file=SimpleUploadedFile("spec.txt", b"Thickness 12 mm\n"),
        kind="rfq_attachment",
        owner_company=cast.company_a,
        obj=rfq,
    )
    RfqAttachment.objects.create(rfq=rfq, document=document)
    return rfq


def _published(cast):
    return make_published_rfq(cast)


def _closed(cast):
    return make_published_rfq(cast, deadline=timezone.now() + timedelta(seconds=2))


def _with_question(cast):
    rfq = make_published_rfq(cast)
    Question.objects.create(
        rfq=rfq, invitation=invitation_of(rfq, cast.supplier_a), text="交货地点?", asked_by=cast.supplier_a_admin
    )
    return rfq


def _opened(cast):
    rfq = make_published_rfq(cast)
    Rfq.objects.filter(pk=rfq.pk).update(status=RfqStatus.OPENED)
    rfq.rounds.update(status="opened", opened_at=timezone.now())
    rfq.refresh_from_db()
    return rfq


def _buyer(cast, obj):
    return cast.buyer


def _sourcing_manager(cast, obj):
    return cast.sourcing_manager


def _rfq_kwargs(rfq):
    return {"rfq_id": rfq.uuid}


def _round_kwargs(rfq):
    return {"rfq_id": rfq.uuid, "round_id": rfq.rounds.get(number=1).uuid}


def _case(url_name, make, kwargs=_rfq_kwargs, owner=_buyer, **options):
    register(OutsiderCase(url_name=url_name, model=Rfq, make=make, owner=owner, kwargs=kwargs, **options))


_case("sourcing_admin:rfq_detail", _published)
_case("sourcing_admin:rfq_edit", _draft)
_case("sourcing_admin:rfq_copy", _published, method="post", owner_status=302)
_case("sourcing_admin:attachment_add", _draft, method="post", owner_status=302)
_case(
    "sourcing_admin:attachment_remove",
    _draft_with_document,
    kwargs=lambda rfq: {"rfq_id": rfq.uuid, "document_id": rfq.attachments.get().document.uuid},
    method="post",
    owner_status=302,
)
_case("sourcing_admin:invitations", _draft)
_case(
    "sourcing_admin:invitation_remove",
    _draft_with_invitation,
    kwargs=lambda rfq: {"rfq_id": rfq.uuid, "invitation_id": rfq.invitations.get().uuid},
    method="post",
    owner_status=302,
)
_case("sourcing_admin:publish", _draft_with_invitation)
_case("sourcing_admin:amend", _published)
_case(
    "sourcing_admin:question_answer",
    _with_question,
    kwargs=lambda rfq: {"rfq_id": rfq.uuid, "question_id": rfq.questions.get().uuid},
    method="post",
    data={"answer": "上海工厂。"},
    owner_status=302,
)
_case("sourcing_admin:cancel", _published)
_case("sourcing_admin:round_new", _opened)
_case("sourcing_admin:opening", _published, kwargs=_round_kwargs, owner=_sourcing_manager)
_case(
    "sourcing_admin:opening_sign",
    _closed,
    kwargs=_round_kwargs,
    owner=_sourcing_manager,
    method="post",
    owner_status=302,
)


def _opened_envelope(cast):
    """A technical-envelope file of supplier A's bid in a round that two sourcing managers opened."""
    from rfq.sourcing.bidding import bid_attachment_add
    from tests.factories.sourcing import open_round, pass_deadline, second_sourcing_manager, submit_bid

    rfq = make_published_rfq(cast)
    attachment = bid_attachment_add(
        user=cast.supplier_a_admin,
        invitation=invitation_of(rfq, cast.supplier_a),
        envelope="technical",
        uploaded_file=SimpleUploadedFile("方案.txt", "技术方案".encode()),
    )
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, ["10", "20"])
    pass_deadline(rfq)
    open_round(rfq, [cast.sourcing_manager, second_sourcing_manager(cast.company_a)])
    return attachment


register(
    OutsiderCase(
        url_name="sourcing_admin:envelope_download",
        model=BidAttachment,
        make=_opened_envelope,
        owner=lambda cast, attachment: cast.buyer,
        kwargs=lambda attachment: {
            "rfq_id": attachment.bid.round.rfq.uuid,
            "round_id": attachment.bid.round.uuid,
            "attachment_id": attachment.uuid,
        },
    )
)
