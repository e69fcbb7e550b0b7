"""Sourcing (询比价): requisitions from the ERP, RFQs with their lines and versions, invitations, rounds with a
deadline each, sealed bids and their submissions, the two-person opening, clarifications and awards.

Sealing: until its round is opened, a bid's content (prices, lead times, comments, envelopes) exists only as
AES-GCM ciphertext (rfq.sourcing.sealing); staff see who submitted and when. Opening decrypts each current
submission, checks its commitment and writes the `OpenedBidLine` rows the comparison reads.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.integration.models import SyncedFromErp
from portal.organisations.access import ScopedQuerySet
from portal.organisations.models import currency_validator

PRICE = {"max_digits": 20, "decimal_places": 4}
AMOUNT = {"max_digits": 20, "decimal_places": 2}
QUANTITY = {"max_digits": 18, "decimal_places": 4}


class SourcingPolicy(models.Model):
    """A company's sourcing rules: awards whose value (company currency, net) exceeds the threshold need a
    sourcing manager's approval."""

    company = models.OneToOneField(
        "organisations.Company", on_delete=models.CASCADE, related_name="sourcing_policy", verbose_name=_("company")
    )
    award_approval_threshold = models.DecimalField(_("award approval threshold"), default=100000, **AMOUNT)

    class Meta:
        verbose_name = _("sourcing policy")
        verbose_name_plural = _("sourcing policies")

    def __str__(self) -> str:
        return str(self.company)


# --- requisitions (from the ERP) -------------------------------------------------------------------------------


class RequisitionStatus(models.TextChoices):
    OPEN = "open", _("Open")  # waiting to be sourced
    SOURCING = "sourcing", _("In an RFQ")  # an RFQ was made from it
    CLOSED = "closed", _("Closed")  # the ERP closed or cancelled it


class Requisition(SyncedFromErp):
    """A purchase requisition (请购单) the ERP sends through the API; a buyer turns one or more into an RFQ."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "organisations.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("company")
    )
    external_id = models.CharField(_("ERP requisition number"), max_length=60)
    title = models.CharField(_("title"), max_length=200, blank=True)
    requested_by = models.CharField(_("requested by"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequisitionStatus.choices, default="open")
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "external_id"], name="sourcing_requisition_external_id")
        ]

    def __str__(self) -> str:
        return self.external_id


class LineFields(models.Model):
    """What a line asks for: an item of the item master or a free-text service line."""

    position = models.PositiveIntegerField(_("line"))
    item = models.ForeignKey(
        "catalog.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.ForeignKey(
        "catalog.UnitOfMeasure", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    need_by = models.DateField(_("need by"), null=True, blank=True)
    site = models.ForeignKey(
        "organisations.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivery site"),
    )
    # staff only, never shown to suppliers; in the RFQ's currency
    last_price = models.DecimalField(_("last purchase price"), null=True, blank=True, **PRICE)
    target_price = models.DecimalField(_("target price"), null=True, blank=True, **PRICE)

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        if self.item_id:
            return f"{self.item.code} {self.item.display_name}"
        return self.description


class RequisitionLine(LineFields):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    external_line_id = models.CharField(_("ERP line"), max_length=60, blank=True)

    class Meta:
        ordering = ["requisition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["requisition", "position"], name="sourcing_requisition_line_position")
        ]

    def __str__(self) -> str:
        return f"{self.requisition_id}/{self.position}"


# --- RFQs ------------------------------------------------------------------------------------------------------


class RfqStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being prepared by the buyer; suppliers see nothing
    PUBLISHED = "published", _("Open for bids")  # the current round takes bids until its deadline
    CLOSED = "closed", _("Closed, awaiting opening")  # the current round's deadline passed; bids stay sealed
    OPENED = "opened", _("Opened")  # the current round is opened; compare, start another round or award
    AWARDED = "awarded", _("Awarded")  # an award was approved
    CANCELLED = "cancelled", _("Cancelled")


class FreightPaidBy(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SUPPLIER = "supplier", _("Supplier")


class Incoterm(models.TextChoices):
    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"
    CPT = "CPT", "CPT"
    CIP = "CIP", "CIP"
    DAP = "DAP", "DAP"
    DPU = "DPU", "DPU"
    DDP = "DDP", "DDP"


class Rfq(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "organisations.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("company")
    )
    number = models.CharField(_("RFQ number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RfqStatus.choices, default=RfqStatus.DRAFT)
    # each amendment after publishing raises the version; bids on an older version must be re-confirmed
    version = models.PositiveIntegerField(_("version"), default=1)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", validators=[currency_validator])
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    incoterm = models.CharField(_("Incoterms"), max_length=3, choices=Incoterm.choices, default=Incoterm.DAP)
    incoterm_place = models.CharField(_("Incoterms place"), max_length=200, blank=True)
    freight_paid_by = models.CharField(
        _("freight paid by"), max_length=10, choices=FreightPaidBy.choices, default=FreightPaidBy.SUPPLIER
    )
    weight_price = models.PositiveSmallIntegerField(_("price weight (%)"), default=70)
    weight_delivery = models.PositiveSmallIntegerField(_("delivery weight (%)"), default=20)
    weight_quality = models.PositiveSmallIntegerField(_("quality weight (%)"), default=10)
    all_lines_required = models.BooleanField(_("every line must be quoted"), default=True)
    show_rank = models.BooleanField(_("suppliers see their rank after a round"), default=False)
    is_public = models.BooleanField(
        _("public tender"), default=False, help_text=_("Listed on /tenders/; approved suppliers may join.")
    )
    requisitions = models.ManyToManyField(Requisition, blank=True, related_name="rfqs", verbose_name=_("requisitions"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("buyer")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("RFQ")
        verbose_name_plural = _("RFQs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_price__lte=100) & Q(weight_delivery__lte=100) & Q(weight_quality__lte=100),
                name="sourcing_rfq_weights_bounded",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def current_round(self) -> Round | None:
        return self.rounds.order_by("-number").first()


class RfqLine(LineFields):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="lines", verbose_name=_("RFQ"))
    requisition_line = models.ForeignKey(
        RequisitionLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("RFQ line")
        verbose_name_plural = _("RFQ lines")
        ordering = ["rfq", "position"]
        constraints = [models.UniqueConstraint(fields=["rfq", "position"], name="sourcing_rfq_line_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"


class RfqAttachment(models.Model):
    """A document of the RFQ (drawing, specification, the RFQ PDF) that invited suppliers may download."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("RFQ version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rfq", "id"]

    def __str__(self) -> str:
        return f"{self.rfq_id}: {self.document_id}"


class Amendment(models.Model):
    """One published change of an RFQ: a new version, what changed, and a deadline that may only move later."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="amendments")
    version = models.PositiveIntegerField(_("version"))
    summary = models.TextField(_("what changed"))
    old_deadline = models.DateTimeField(null=True, blank=True)
    new_deadline = models.DateTimeField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rfq", "version"]
        constraints = [models.UniqueConstraint(fields=["rfq", "version"], name="sourcing_amendment_version")]

    def __str__(self) -> str:
        return f"{self.rfq_id} v{self.version}"


# --- invitations and rounds ------------------------------------------------------------------------------------


class InvitationSource(models.TextChoices):
    AVL = "avl", _("Suggested by the AVL")
    OVERRIDE = "override", _("Invited despite the AVL")  # needs a written reason, shown in the comparison
    TENDER = "tender", _("Joined the public tender")


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    DECLINED = "declined", _("Declined")  # the supplier declined, with a reason
    REMOVED = "removed", _("Removed")  # the buyer withdrew the invitation before publishing


class InvitationQuerySet(ScopedQuerySet):
    def live(self):
        return self.exclude(status=InvitationStatus.REMOVED)


class Invitation(models.Model):
    """A supplier's place in an RFQ: the supplier's address for it (/supplier/rfqs/<uuid>/)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("RFQ"))
    supplier = models.ForeignKey(
        "organisations.Partner", on_delete=models.PROTECT, related_name="rfq_invitations", verbose_name=_("supplier")
    )
    source = models.CharField(_("source"), max_length=10, choices=InvitationSource.choices, default="avl")
    # the AVL's status when invited (approved / conditional / blocked / expired / not_approved) and its reasons
    avl_status = models.CharField(_("AVL status"), max_length=16, blank=True)
    avl_reasons = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(_("reason for inviting despite the AVL"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=InvitationStatus.choices, default="invited")
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # reminders sent before the current round's deadline: "48h" / "4h" keys with the round number
    reminders_sent = models.JSONField(default=list, blank=True)

    objects = InvitationQuerySet.as_manager(partner_path="supplier", company_path="rfq__company")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["rfq", "id"]
        constraints = [models.UniqueConstraint(fields=["rfq", "supplier"], name="sourcing_one_invitation_per_supplier")]

    def __str__(self) -> str:
        return f"{self.rfq.number} · {self.supplier}"


class RoundStatus(models.TextChoices):
    # not opened yet: taking bids until the deadline (the service checks the clock, not this field), then sealed
    # until the opening
    OPEN = "open", _("Not opened")
    OPENED = "opened", _("Opened")


class Round(models.Model):
    """A bidding round: the first for every invited supplier, later ones (best and final offer) for chosen ones."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    # empty for round 1 (every live invitation); the chosen suppliers for later rounds
    participants = models.ManyToManyField(Invitation, blank=True, related_name="rounds")
    note = models.TextField(_("note to the suppliers"), blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rfq", "number"]
        constraints = [models.UniqueConstraint(fields=["rfq", "number"], name="sourcing_round_number")]

    def __str__(self) -> str:
        return f"{self.rfq.number} R{self.number}"


class OpeningSignature(models.Model):
    """One of the two distinct sourcing managers who opened a round (the first one waits for the second)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="signatures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="sourcing_one_signature_per_user")]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.user_id}"


# --- bids --------------------------------------------------------------------------------------------------------


class BidStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # saved, not submitted (sealed like a submission)
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Declined")


class Bid(models.Model):
    """A supplier's bid in one round. Its content is only ever stored sealed (draft_sealed and each submission's
    sealed) until the round is opened."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="bids")
    invitation = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey("organisations.Partner", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=BidStatus.choices, default=BidStatus.DRAFT)
    draft_sealed = models.BinaryField(default=b"", blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    current = models.ForeignKey("BidSubmission", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager(partner_path="supplier")

    class Meta:
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "supplier"], name="sourcing_one_bid_per_round")]

    def __str__(self) -> str:
        return f"{self.round} · {self.supplier}"


class BidSubmission(models.Model):
    """One submitted version of a bid, immutable: the sealed content, the commitment given as the receipt."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="submissions")
    version = models.PositiveIntegerField(_("version"))
    rfq_version = models.PositiveIntegerField(_("RFQ version"))
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField()
    # SHA-256 hex over the canonical bid content plus a random nonce that is itself sealed
    commitment = models.CharField(_("commitment"), max_length=64)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # set at opening
    commitment_verified = models.BooleanField(null=True)

    objects = ScopedQuerySet.as_manager(partner_path="bid__supplier")

    class Meta:
        ordering = ["bid", "version"]
        constraints = [models.UniqueConstraint(fields=["bid", "version"], name="sourcing_submission_version")]

    def __str__(self) -> str:
        return f"{self.bid} v{self.version}"


class Envelope(models.TextChoices):
    TECHNICAL = "technical", _("Technical envelope")
    COMMERCIAL = "commercial", _("Commercial envelope")


class BidAttachment(models.Model):
    """A file of a bid, stored encrypted with the round's key; its SHA-256 enters the bid's commitment."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="attachments")
    envelope = models.CharField(_("envelope"), max_length=12, choices=Envelope.choices)
    # the name, type and content are sealed together in `sealed`; only the size is plain
    sealed = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager(partner_path="bid__supplier")

    class Meta:
        ordering = ["bid", "id"]

    def __str__(self) -> str:
        return f"{self.bid_id}: {self.envelope} ({self.size} B)"


class OpenedBidLine(models.Model):
    """A line of an opened submission, decrypted at the opening: what the comparison reads."""

    submission = models.ForeignKey(BidSubmission, on_delete=models.CASCADE, related_name="opened_lines")
    rfq_line = models.ForeignKey(RfqLine, on_delete=models.PROTECT, related_name="+")
    is_alternative = models.BooleanField(default=False)
    unit_price = models.DecimalField(**PRICE)  # in the RFQ's currency and the line's unit, before tax
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)  # percent, e.g. 13.00
    invoice_type = models.CharField(max_length=20)
    lead_time_days = models.PositiveIntegerField()
    moq = models.DecimalField(null=True, blank=True, **QUANTITY)
    price_valid_until = models.DateField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["submission", "rfq_line", "is_alternative"]

    def __str__(self) -> str:
        return f"{self.submission_id}/{self.rfq_line_id}"


# --- clarifications ------------------------------------------------------------------------------------------------


class Question(models.Model):
    """A supplier's question; the answer goes to every invited supplier without saying who asked."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="questions")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager(partner_path="invitation__supplier", company_path="rfq__company")

    class Meta:
        ordering = ["rfq", "asked_at", "id"]

    def __str__(self) -> str:
        return f"{self.rfq_id}: {self.text[:40]}"


# --- awards ------------------------------------------------------------------------------------------------------


class AwardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending", _("Awaiting approval")  # above the company's threshold
    APPROVED = "approved", _("Approved")  # letters sent, award.approved emitted
    REJECTED = "rejected", _("Rejected")  # the approver sent it back


class Award(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rfq = models.ForeignKey(Rfq, on_delete=models.PROTECT, related_name="awards")
    status = models.CharField(_("status"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.DRAFT)
    # net value in the company currency
    total = models.DecimalField(_("award value"), default=0, **AMOUNT)
    currency = models.CharField(max_length=3, validators=[currency_validator])
    reason = models.TextField(_("reason"), blank=True)
    decision_note = models.TextField(_("approver's note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager(company_path="rfq__company")

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["rfq", "-created_at"]

    def __str__(self) -> str:
        return f"{self.rfq_id}: {self.status}"


class AwardLine(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="lines")
    rfq_line = models.ForeignKey(RfqLine, on_delete=models.PROTECT, related_name="+")
    invitation = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="award_lines")
    opened_line = models.ForeignKey(OpenedBidLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(**PRICE)
    # why this supplier when it is not the best weighted score for the line
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["award", "rfq_line", "id"]

    def __str__(self) -> str:
        return f"{self.award_id}/{self.rfq_line_id}"


class AwardLetter(models.Model):
    """The award letter (winner) or regret notice (others) of an approved award, per invited supplier."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="letters")
    invitation = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="letters")
    is_winner = models.BooleanField()
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager(partner_path="invitation__supplier", company_path="award__rfq__company")

    class Meta:
        ordering = ["award", "id"]
        constraints = [models.UniqueConstraint(fields=["award", "invitation"], name="sourcing_one_letter_per_supplier")]

    def __str__(self) -> str:
        return f"{self.award_id}/{self.invitation_id}"
