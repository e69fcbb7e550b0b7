"""Awards: the quantity split and its reasons, the award's value, the approval threshold, four eyes, letters and
regret notices made once, `award.approved` emitted once, and who may do what in the back office."""

import json
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.core.errors import DomainError
from portal.documents.models import Document
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from rfq.sourcing import notifications as kinds
from rfq.sourcing.award_letters import LETTER_KIND, REGRET_KIND, award_letters_render
from rfq.sourcing.awards import (
    allocation_key,
    approval_threshold,
    award_approve,
    award_create,
    award_reject,
    award_submit,
)
from rfq.sourcing.comparison import comparison_matrix
from rfq.sourcing.models import Award, AwardLetter, AwardLine, AwardStatus, RfqStatus, SourcingPolicy
from rfq.sourcing.payloads import award_payload
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.sourcing import opened_rfq as opened_by_ceremony
from tests.sourcing.comparison_data import open_round, worked_example

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def example(cast):
    """The worked example (see comparison_data): line 1 (2 t) best scored by C, line 2 (10 pcs) by A."""
    rfq, round, invitations, supplier_c = worked_example(cast)
    plate, machining = rfq.lines.order_by("position")
    return {
        "rfq": rfq,
        "plate": plate,
        "machining": machining,
        "a": invitations[cast.supplier_a],
        "b": invitations[cast.supplier_b],
        "c": invitations.get(supplier_c) or rfq.invitations.get(supplier=supplier_c),
    }


def best_split(example):
    return [
        {"rfq_line": example["plate"], "invitation": example["c"], "quantity": D("2")},
        {"rfq_line": example["machining"], "invitation": example["a"], "quantity": D("10")},
    ]


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


# --- creating ------------------------------------------------------------------------------------------------------


def test_award_to_the_best_needs_no_reason_and_has_its_value(cast, example):
    award = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    # net of VAT in the company currency at the comparison's rate 7: C 950 × 2 × 7 + A 40 × 10 × 7
    assert (award.status, award.total, award.currency, award.created_by) == (
        AwardStatus.DRAFT,
        D("16100.00"),
        "CNY",
        cast.buyer,
    )
    lines = [
        (line.rfq_line.position, line.invitation.supplier.name, line.quantity, line.unit_price, line.reason)
        for line in award.lines.order_by("rfq_line__position")
    ]
    assert lines == [
        (1, "丙供应商有限公司", D("2.0000"), D("950.0000"), ""),
        (2, cast.supplier_a.name, D("10.0000"), D("40.0000"), ""),
    ]
    assert list(AuditEvent.objects.filter(action="award.created").values_list("after", flat=True)) == [
        {"rfq": example["rfq"].number, "round": 1, "lines": 2, "status": "draft"}
    ]


def test_split_must_add_up_and_each_share_be_positive(cast, example):
    plate = example["plate"]
    errors = _errors(
        lambda: award_create(
            user=cast.buyer,
            rfq=example["rfq"],
            allocations=[
                {"rfq_line": plate, "invitation": example["c"], "quantity": D("1.5")},
                {"rfq_line": plate, "invitation": example["a"], "quantity": D("0.4"), "reason": "second source"},
                {"rfq_line": example["machining"], "invitation": example["b"], "quantity": D("0"), "reason": "x"},
            ],
        )
    )
    assert errors == {
        str(plate.uuid): ["The quantities add up to 1.9 t; the line asks for 2 t."],
        f"{allocation_key(example['machining'], example['b'])}.quantity": ["Enter a quantity greater than zero."],
    }
    assert Award.objects.count() == 0


def test_quantities_with_more_places_than_stored_are_refused(cast, example):
    plate = example["plate"]
    split = [
        {"rfq_line": plate, "invitation": example["c"], "quantity": D("1.23455")},
        {"rfq_line": plate, "invitation": example["a"], "quantity": D("0.76545"), "reason": "second source"},
    ]
    errors = _errors(lambda: award_create(user=cast.buyer, rfq=example["rfq"], allocations=split))
    assert errors == {
        f"{allocation_key(plate, example['c'])}.quantity": ["Use at most four decimal places."],
        f"{allocation_key(plate, example['a'])}.quantity": ["Use at most four decimal places."],
    }


def test_reason_required_when_not_the_best_score(cast, example):
    plate = example["plate"]
    split = [
        {"rfq_line": plate, "invitation": example["c"], "quantity": D("1.5")},
        {"rfq_line": plate, "invitation": example["b"], "quantity": D("0.5")},
    ]
    errors = _errors(lambda: award_create(user=cast.buyer, rfq=example["rfq"], allocations=split))
    assert errors == {
        f"{allocation_key(plate, example['b'])}.reason": [
            "This offer does not have the line's best score: give the reason for choosing it."
        ]
    }
    split[1]["reason"] = "  Second source for supply security  "
    award = award_create(user=cast.buyer, rfq=example["rfq"], allocations=split)
    # B 900 × 0.5 × 7 = 3150, C 950 × 1.5 × 7 = 9975
    assert award.total == D("13125.00")
    assert award.lines.get(invitation=example["b"]).reason == "Second source for supply security"


def test_only_offers_of_the_opened_round_and_alternatives_need_a_reason(cast, example):
    machining = example["machining"]
    errors = _errors(
        lambda: award_create(
            user=cast.buyer,
            rfq=example["rfq"],
            allocations=[
                {"rfq_line": machining, "invitation": example["c"], "quantity": D("10"), "reason": "cheap"},
                {"rfq_line": example["plate"], "invitation": example["c"], "quantity": D("2"), "alternative": True},
            ],
        )
    )
    assert errors == {
        f"{allocation_key(machining, example['c'])}.quantity": ["This supplier did not quote this line in round 1."],
        f"{allocation_key(example['plate'], example['c'], True)}.reason": [
            "An alternative offer departs from the request: give the reason for choosing it."
        ],
    }
    assert _errors(lambda: award_create(user=cast.buyer, rfq=example["rfq"], allocations=[])) == {
        "__all__": ["Award at least one line: enter a quantity for a supplier."]
    }


def test_only_managers_of_the_company_create(cast, example):
    for user in (cast.sales, cast.staff_b, cast.supplier_a_admin):
        with pytest.raises(PermissionDenied):
            award_create(user=user, rfq=example["rfq"], allocations=best_split(example))
    assert Award.objects.count() == 0


def test_an_rfq_not_opened_cannot_be_awarded(cast, example):
    type(example["rfq"]).objects.filter(pk=example["rfq"].pk).update(status=RfqStatus.CLOSED)
    with pytest.raises(DomainError):
        award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))


# --- threshold and approval ----------------------------------------------------------------------------------------


def test_threshold_defaults_to_the_model(cast):
    assert approval_threshold(cast.company_a) == D("100000")
    SourcingPolicy.objects.create(company=cast.company_a, award_approval_threshold=D("16100.00"))
    assert approval_threshold(cast.company_a) == D("16100.00")


def test_below_the_threshold_approved_at_once(cast, example, django_capture_on_commit_callbacks):
    # equal to the threshold is not above it
    SourcingPolicy.objects.create(company=cast.company_a, award_approval_threshold=D("16100.00"))
    award = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    with django_capture_on_commit_callbacks(execute=True):
        award = award_submit(user=cast.buyer, award=award)
    award.refresh_from_db()
    example["rfq"].refresh_from_db()
    assert (award.status, award.approved_by, example["rfq"].status) == (
        AwardStatus.APPROVED,
        cast.buyer,
        RfqStatus.AWARDED,
    )
    assert Notification.objects.filter(kind=kinds.AWARD_PENDING).count() == 0
    assert AwardLetter.objects.filter(award=award).count() == 3


def test_above_the_threshold_waits_for_another_manager(cast, example, django_capture_on_commit_callbacks):
    SourcingPolicy.objects.create(company=cast.company_a, award_approval_threshold=D("10000"))
    other_manager = StaffRoleFactory(user=UserFactory(), role="sourcing_manager", company=cast.company_a).user
    award = award_create(user=cast.sourcing_manager, rfq=example["rfq"], allocations=best_split(example))
    award = award_submit(user=cast.sourcing_manager, award=award)
    assert award.status == AwardStatus.PENDING_APPROVAL
    # the managers other than the proposer are asked
    assert list(Notification.objects.filter(kind=kinds.AWARD_PENDING).values_list("recipient", "params")) == [
        (
            other_manager.pk,
            {
                "rfq": example["rfq"].number,
                "title": example["rfq"].title,
                "company": cast.company_a.name,
                "actor": cast.sourcing_manager.get_full_name(),
                "amount": "16,100.00 CNY",
            },
        )
    ]
    assert Notification.objects.get(kind=kinds.AWARD_PENDING).url == f"/cms/sourcing/awards/{award.uuid}/"
    # the proposer may not approve it; a buyer may not approve at all
    with pytest.raises(DomainError):
        award_approve(user=cast.sourcing_manager, award=award)
    with pytest.raises(PermissionDenied):
        award_approve(user=cast.buyer, award=award)
    assert Award.objects.get(pk=award.pk).status == AwardStatus.PENDING_APPROVAL
    assert OutboxEvent.objects.filter(topic="award.approved").count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        award_approve(user=other_manager, award=award, note="Fine")
    award.refresh_from_db()
    assert (award.status, award.approved_by, award.decision_note) == (AwardStatus.APPROVED, other_manager, "Fine")


def _approved(cast, example, django_capture_on_commit_callbacks):
    SourcingPolicy.objects.create(company=cast.company_a, award_approval_threshold=D("10000"))
    award = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    award_submit(user=cast.buyer, award=award)
    with django_capture_on_commit_callbacks(execute=True):
        award_approve(user=cast.sourcing_manager, award=award)
    award.refresh_from_db()
    return award


def test_letters_and_regret_notices_made_once(cast, example, django_capture_on_commit_callbacks):
    award = _approved(cast, example, django_capture_on_commit_callbacks)
    letters = {
        letter.invitation_id: (letter.is_winner, letter.document.kind, letter.document.owner_partner_id)
        for letter in AwardLetter.objects.filter(award=award).select_related("document")
    }
    assert letters == {
        example["a"].pk: (True, LETTER_KIND, cast.supplier_a.pk),
        example["b"].pk: (False, REGRET_KIND, cast.supplier_b.pk),
        example["c"].pk: (True, LETTER_KIND, example["c"].supplier_id),
    }
    assert {document.owner_company_id for document in Document.objects.all()} == {cast.company_a.pk}
    assert all(document.content_type == "application/pdf" for document in Document.objects.all())
    counts = (AwardLetter.objects.count(), Document.objects.count(), OutboxEvent.objects.count())
    # a retry of the rendering and of the approval create nothing new
    assert award_letters_render(award) == []
    with pytest.raises(DomainError):
        award_approve(user=cast.sourcing_manager, award=award)
    assert (AwardLetter.objects.count(), Document.objects.count(), OutboxEvent.objects.count()) == counts
    # winners are told they won, the others that they did not
    notified = sorted(
        Notification.objects.filter(kind__in=(kinds.AWARDED, kinds.REGRET)).values_list("kind", "partner")
    )
    assert notified == sorted(
        [
            (kinds.AWARDED, cast.supplier_a.pk),
            (kinds.AWARDED, cast.supplier_a.pk),  # supplier A's administrator and its sales person
            (kinds.REGRET, cast.supplier_b.pk),
        ]
    )
    assert Notification.objects.get(kind=kinds.REGRET).url == f"/supplier/rfqs/{example['b'].uuid}/"


def test_award_approved_emitted_once_with_the_payload(cast, example, django_capture_on_commit_callbacks):
    award = _approved(cast, example, django_capture_on_commit_callbacks)
    events = list(OutboxEvent.objects.filter(topic="award.approved"))
    assert len(events) == 1
    event = events[0]
    assert (event.company_id, event.object_type, event.object_id) == (
        cast.company_a.pk,
        "sourcing.award",
        str(award.uuid),
    )
    assert event.payload == json.loads(json.dumps(award_payload(award), cls=DjangoJSONEncoder))
    assert (event.payload["id"], event.payload["total"], event.payload["total_currency"]) == (
        str(award.uuid),
        "16100.00",
        "CNY",
    )
    assert [
        (line["rfq_line"], line["supplier"]["name"], line["quantity"], line["unit"], line["unit_price"])
        for line in event.payload["lines"]
    ] == [(1, "丙供应商有限公司", "2.0000", "t", "950.0000"), (2, cast.supplier_a.name, "10.0000", "pcs", "40.0000")]


def test_reject_needs_a_reason_and_tells_the_buyer(cast, example):
    SourcingPolicy.objects.create(company=cast.company_a, award_approval_threshold=D("10000"))
    award = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    award_submit(user=cast.buyer, award=award)
    assert _errors(lambda: award_reject(user=cast.sourcing_manager, award=award, note="  ")) == {
        "note": ["Give a reason: the buyer reads it."]
    }
    award_reject(user=cast.sourcing_manager, award=award, note="Split line 1")
    award.refresh_from_db()
    assert (award.status, award.decision_note) == (AwardStatus.REJECTED, "Split line 1")
    assert list(Notification.objects.filter(kind=kinds.AWARD_REJECTED).values_list("recipient", flat=True)) == [
        cast.buyer.pk
    ]
    example["rfq"].refresh_from_db()
    assert example["rfq"].status == RfqStatus.OPENED
    # a new award may follow
    second = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    assert award_submit(user=cast.buyer, award=second).status == AwardStatus.PENDING_APPROVAL


def test_an_award_of_an_earlier_round_cannot_be_submitted(cast, example):
    award = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    open_round(example["rfq"], number=2)
    with pytest.raises(DomainError) as raised:
        award_submit(user=cast.buyer, award=award)
    assert (
        raised.value.message
        == "Round 2 was opened after this award was made: make the award again from its comparison."
    )
    assert Award.objects.get(pk=award.pk).status == AwardStatus.DRAFT


def test_one_award_at_a_time(cast, example):
    SourcingPolicy.objects.create(company=cast.company_a, award_approval_threshold=D("10000"))
    first = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    second = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    award_submit(user=cast.buyer, award=first)
    with pytest.raises(DomainError):
        award_submit(user=cast.buyer, award=second)
    assert Award.objects.get(pk=second.pk).status == AwardStatus.DRAFT


# --- the back office -----------------------------------------------------------------------------------------------


def _form_data(example, **overrides):
    data = {
        f"q-{allocation_key(example['plate'], example['c'])}": "2",
        f"q-{allocation_key(example['machining'], example['a'])}": "10",
    }
    data.update(overrides)
    return data


def _snapshot():
    return (
        Award.objects.count(),
        AwardLine.objects.count(),
        list(Award.objects.values_list("status", flat=True)),
        OutboxEvent.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_award_form_prefills_the_best_and_shows_errors_next_to_fields(cast, example, login_as):
    client = login_as(cast.buyer)
    url = reverse("sourcing_admin:award_create", kwargs={"rfq_id": example["rfq"].uuid})
    html = client.get(url).content.decode()
    assert f'name="q-{allocation_key(example["plate"], example["c"])}" value="2"' in html
    assert f'name="q-{allocation_key(example["plate"], example["a"])}" value=""' in html
    key_b = allocation_key(example["plate"], example["b"])
    response = client.post(
        url,
        _form_data(example, **{f"q-{allocation_key(example['plate'], example['c'])}": "1.5", f"q-{key_b}": "0.5"}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="r-{key_b}-error">This offer does not have the line' in html
    response = client.post(url, _form_data(example, **{f"q-{key_b}": "abc"}), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert f'id="q-{key_b}-error">Enter a number, e.g. 12.5.' in response.content.decode()
    assert Award.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"), [("buyer", 302), ("sales", 403), ("staff_b", 404), ("sourcing_manager", 302)]
)
def test_who_may_create_an_award(cast, example, login_as, who, status):
    url = reverse("sourcing_admin:award_create", kwargs={"rfq_id": example["rfq"].uuid})
    before = _snapshot()
    response = login_as(getattr(cast, who)).post(url, _form_data(example))
    assert response.status_code == status
    if status == 302:
        award = Award.objects.get()
        assert response["Location"] == reverse("sourcing_admin:award_detail", kwargs={"award_id": award.uuid})
    else:
        assert _snapshot() == before


def test_anonymous_cannot_create(cast, example, client):
    url = reverse("sourcing_admin:award_create", kwargs={"rfq_id": example["rfq"].uuid})
    before = _snapshot()
    response = client.post(url, _form_data(example))
    assert response.status_code == 302 and "login" in response["Location"]
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("who", "status", "result"),
    [
        ("sourcing_manager", 302, AwardStatus.APPROVED),
        ("buyer", 403, AwardStatus.PENDING_APPROVAL),
        ("sales", 403, AwardStatus.PENDING_APPROVAL),
        ("staff_b", 404, AwardStatus.PENDING_APPROVAL),
        (None, 302, AwardStatus.PENDING_APPROVAL),
    ],
)
def test_who_may_approve(cast, example, login_as, client, who, status, result):
    SourcingPolicy.objects.create(company=cast.company_a, award_approval_threshold=D("10000"))
    award = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    award_submit(user=cast.buyer, award=award)
    before = _snapshot()
    browser = login_as(getattr(cast, who)) if who else client
    response = browser.post(reverse("sourcing_admin:award_approve", kwargs={"award_id": award.uuid}))
    assert response.status_code == status
    assert Award.objects.get(pk=award.pk).status == result
    if result == AwardStatus.PENDING_APPROVAL:
        assert _snapshot() == before


@pytest.mark.parametrize(("who", "status"), [("sales", 403), ("staff_b", 404), ("buyer", 403)])
def test_who_may_reject(cast, example, login_as, who, status):
    SourcingPolicy.objects.create(company=cast.company_a, award_approval_threshold=D("10000"))
    award = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    award_submit(user=cast.buyer, award=award)
    before = _snapshot()
    response = login_as(getattr(cast, who)).post(
        reverse("sourcing_admin:award_reject", kwargs={"award_id": award.uuid}), {"note": "no"}
    )
    assert response.status_code == status
    assert _snapshot() == before


@pytest.mark.parametrize(("who", "status"), [("buyer", 302), ("sales", 403), ("staff_b", 404)])
def test_who_may_submit(cast, example, login_as, who, status):
    award = award_create(user=cast.buyer, rfq=example["rfq"], allocations=best_split(example))
    before = _snapshot()
    response = login_as(getattr(cast, who)).post(
        reverse("sourcing_admin:award_submit", kwargs={"award_id": award.uuid})
    )
    assert response.status_code == status
    if status != 302:
        assert _snapshot() == before
    else:
        assert Award.objects.get(pk=award.pk).status == AwardStatus.APPROVED


def test_award_page_and_letter_download(cast, example, login_as, django_capture_on_commit_callbacks):
    award = _approved(cast, example, django_capture_on_commit_callbacks)
    client = login_as(cast.buyer)
    page = client.get(
        reverse("sourcing_admin:award_detail", kwargs={"award_id": award.uuid}), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "16,100.00 CNY" in html and "Notice of non-award (PDF)" in html
    letter = AwardLetter.objects.get(award=award, invitation=example["b"])
    response = client.get(
        reverse("sourcing_admin:award_letter", kwargs={"award_id": award.uuid, "letter_id": letter.uuid})
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (
        login_as(cast.staff_b).get(reverse("sourcing_admin:award_detail", kwargs={"award_id": award.uuid})).status_code
        == 404
    )


def test_through_the_real_opening(cast, django_capture_on_commit_callbacks):
    """Bids submitted and opened by the real services (tests/factories/sourcing.py): the matrix reads what the
    opening wrote, and an award on it is approved at once under the default threshold."""
    opened = opened_by_ceremony(cast, {cast.supplier_a: [50, 60], cast.supplier_b: [55, 58]})
    matrix = comparison_matrix(opened.rfq)
    # A: 10 × 50 + 10 × 60 = 1100; B: 10 × 55 + 10 × 58 = 1130 → B's price score 100 × 1100 / 1130 = 97.35
    assert [(column.supplier, column.total, column.score, column.rank) for column in matrix.suppliers] == [
        (cast.supplier_a, D("1100.00"), D("100.00"), 1),
        (cast.supplier_b, D("1130.00"), D("98.14"), 2),
    ]
    first, second = matrix.lines
    a, b = (column.invitation for column in matrix.suppliers)
    award = award_create(
        user=cast.buyer,
        rfq=opened.rfq,
        allocations=[
            {"rfq_line": first.line, "invitation": a, "quantity": D("10")},
            {"rfq_line": second.line, "invitation": b, "quantity": D("10")},
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        award = award_submit(user=cast.buyer, award=award)
    assert (award.status, award.total) == (AwardStatus.APPROVED, D("1080.00"))
    assert sorted(AwardLetter.objects.filter(award=award).values_list("is_winner", flat=True)) == [True, True]
    assert OutboxEvent.objects.filter(topic="award.approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_at_once_approve_once(cast):
    """The RFQ row is locked FOR UPDATE: of two approvals racing, one wins and the other finds it decided."""
    rfq, round, invitations, supplier_c = worked_example(cast)
    plate, machining = rfq.lines.order_by("position")
    SourcingPolicy.objects.create(company=cast.company_a, award_approval_threshold=D("10000"))
    award = award_create(
        user=cast.buyer,
        rfq=rfq,
        allocations=[
            {"rfq_line": plate, "invitation": invitations[supplier_c], "quantity": D("2")},
            {"rfq_line": machining, "invitation": invitations[cast.supplier_a], "quantity": D("10")},
        ],
    )
    award_submit(user=cast.buyer, award=award)
    other = StaffRoleFactory(user=UserFactory(), role="sourcing_manager", company=cast.company_a).user
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            barrier.wait(timeout=10)
            award_approve(user=user, award=Award.objects.get(pk=award.pk))
            outcomes.append("approved")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in (cast.sourcing_manager, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["approved", "refused"]
    assert OutboxEvent.objects.filter(topic="award.approved").count() == 1
    assert AwardLetter.objects.filter(award=award).count() == 3
