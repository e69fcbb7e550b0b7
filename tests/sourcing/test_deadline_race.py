"""Submissions racing the deadline on PostgreSQL, with real time and real row locks.

Many suppliers (one thread each, its own connection) submit again and again from shortly before the deadline until
shortly after it, while two sourcing managers sign the opening concurrently as soon as the deadline has passed.
The service holds the RFQ row FOR SHARE while it checks the clock and stores a submission; the opening takes it
FOR UPDATE. So: every accepted submission is stamped before the deadline, every refusal names the deadline (or the
opening that followed it), nothing is stored at or after the deadline, and the opening sees every accepted bid —
each supplier's last accepted version, none lost.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from portal.core.errors import DomainError
from rfq.sourcing.bidding import bid_submit, parse_bid
from rfq.sourcing.models import Bid, BidSubmission, OpenedBidLine, RoundStatus
from rfq.sourcing.opening import round_open_sign
from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from tests.factories.sourcing import (
    fresh_mfa_request,
    invitation_of,
    make_published_rfq,
    offer_rows,
    second_sourcing_manager,
)

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are PostgreSQL's")

SUPPLIERS = 20
LEAD_IN = timedelta(seconds=2)  # from the start signal to the deadline
WINDOW = 0.8  # seconds each supplier keeps submitting before and after the deadline
REFUSALS = ("The deadline for bids passed at", "The bids of this round were opened.")


def _sleep_until(instant):
    delay = (instant - timezone.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)


@pytest.mark.django_db(transaction=True)
def test_no_bid_after_the_deadline_is_accepted_and_none_before_it_is_lost(cast):
    suppliers = [PartnerFactory(name=f"赛跑供应商{n}") for n in range(SUPPLIERS)]
    bidders = {
        supplier.pk: MembershipFactory(partner=supplier, user=UserFactory(), roles=["sales"]).user
        for supplier in suppliers
    }
    rfq = make_published_rfq(cast, suppliers=tuple(suppliers), lines=1)
    contents = {
        supplier.pk: parse_bid(rfq, offer_rows(rfq, [f"{100 + index}.25"])) for index, supplier in enumerate(suppliers)
    }
    invitations = {supplier.pk: invitation_of(rfq, supplier) for supplier in suppliers}
    second = second_sourcing_manager(rfq.company)
    openers = [(cast.sourcing_manager, fresh_mfa_request(cast.sourcing_manager)), (second, fresh_mfa_request(second))]

    round = rfq.rounds.get()
    deadline = timezone.now() + LEAD_IN
    round.deadline = deadline
    round.save(update_fields=["deadline"])

    accepted: list[tuple[int, int, object, object, object]] = []  # supplier, submission, called, stamped, returned
    refused: list[tuple[int, str, object, object]] = []  # supplier, message, called, returned
    failures: list[str] = []
    opening: list[tuple[object, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(SUPPLIERS + len(openers))

    def supplier_thread(supplier_id: int) -> None:
        translation.activate("en")  # each thread starts in the default language; the messages are read below
        try:
            start.wait()
            _sleep_until(deadline - timedelta(seconds=WINDOW))
            while timezone.now() < deadline + timedelta(seconds=WINDOW):
                called = timezone.now()
                try:
                    submission = bid_submit(
                        user=bidders[supplier_id], invitation=invitations[supplier_id], content=contents[supplier_id]
                    )
                except DomainError as error:
                    with lock:
                        refused.append((supplier_id, str(error.message), called, timezone.now()))
                else:
                    with lock:
                        accepted.append((supplier_id, submission.pk, called, submission.submitted_at, timezone.now()))
                time.sleep(0.01)
        except Exception as error:  # noqa: BLE001 — any other outcome fails the test below
            failures.append(f"supplier {supplier_id}: {error!r}")
        finally:
            connection.close()

    def opener_thread(user, request) -> None:
        try:
            start.wait()
            _sleep_until(deadline)
            while True:
                try:
                    opened = round_open_sign(user=user, round=round, request=request)
                except DomainError as error:
                    if "stay sealed until the deadline" in str(error.message):
                        time.sleep(0.005)  # a hair early: the service said so; try again
                        continue
                    raise
                with lock:
                    opening.append((timezone.now(), opened.status))
                return
        except Exception as error:  # noqa: BLE001
            failures.append(f"opener {user}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=supplier_thread, args=(supplier.pk,)) for supplier in suppliers]
    threads += [threading.Thread(target=opener_thread, args=opener) for opener in openers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []

    # The race really happened on both sides of the deadline.
    opened_at = max(at for at, _status in opening) if opening else None
    print(
        f"{len(accepted)} accepted, {len(refused)} refused; the last accepted call returned "
        f"{max(row[4] for row in accepted) - deadline} after the deadline, the opening {opened_at - deadline}"
    )
    # (On a busy machine one submission may take most of the window: at least one of each is what is certain.)
    assert accepted and refused
    assert len({supplier for supplier, *_ in accepted} | {supplier for supplier, *_ in refused}) == SUPPLIERS
    # Accepted: stamped while the service call ran, and before the deadline.
    for _supplier, _pk, called, stamped, returned in accepted:
        assert called <= stamped <= returned
        assert stamped < deadline
    # Refused: only once the deadline had passed, and saying so.
    for _supplier, message, _called, returned in refused:
        assert returned >= deadline
        assert message.startswith(REFUSALS), message
    # Nothing at or after the deadline was stored; everything accepted was.
    stored = BidSubmission.objects.filter(bid__round=round)
    assert stored.filter(submitted_at__gte=deadline).count() == 0
    assert sorted(stored.values_list("pk", flat=True)) == sorted(pk for _s, pk, *_ in accepted)

    # The two openers: one signed first, the other opened — after every accepted submission was in.
    round.refresh_from_db()
    assert sorted(status for _at, status in opening) == [RoundStatus.OPEN, RoundStatus.OPENED]
    assert round.status == RoundStatus.OPENED
    last_accepted = {}
    for supplier_id, pk, *_times in sorted(accepted, key=lambda row: row[3]):
        last_accepted[supplier_id] = pk
    currents = dict(Bid.objects.filter(round=round).values_list("supplier_id", "current_id"))
    assert currents == last_accepted
    opened = set(OpenedBidLine.objects.filter(submission__bid__round=round).values_list("submission_id", flat=True))
    assert opened == set(last_accepted.values())
    assert len(opened) == len({supplier_id for supplier_id, *_ in accepted})
