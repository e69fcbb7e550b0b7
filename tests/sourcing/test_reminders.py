"""Reminders before a round's deadline: 48 h and 4 h before, to invited suppliers who neither submitted nor declined,
each once however often the task runs; later rounds only for their participants."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from portal.notifications.models import Notification
from portal.organisations.models import Membership
from rfq.sourcing import notifications as kinds
from rfq.sourcing.bidding import invitation_decline
from rfq.sourcing.models import Invitation, InvitationStatus, Round
from rfq.sourcing.rfqs import reminders_send
from rfq.sourcing.tasks import REMINDERS_TASK, bid_reminders
from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from tests.factories.sourcing import invitation_of, make_published_rfq, submit_bid

pytestmark = pytest.mark.django_db


def reminded():
    return sorted(Notification.objects.filter(kind=kinds.REMINDER).values_list("recipient__email", "params__deadline"))


@pytest.fixture
def third(cast):
    """A third supplier with one sales person, who will decline."""
    supplier = PartnerFactory(name="丙供应商有限公司")
    MembershipFactory(partner=supplier, user=UserFactory(email="sales@supplier-c.test"), roles=["sales"])
    return supplier


def test_reminders_48_and_4_hours_before_once_each(cast, third):
    start = timezone.now().replace(microsecond=0)
    deadline = start + timedelta(days=5)
    with time_machine.travel(start, tick=False):
        rfq = make_published_rfq(cast, suppliers=(cast.supplier_a, cast.supplier_b, third), deadline=deadline)
        # supplier A bids, the third declines: only supplier B is reminded
        submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [100, 200])
        invitation_decline(user=third.memberships.get().user, invitation=invitation_of(rfq, third), reason="产能不足")
        assert reminders_send() == {"reminded": 0}  # five days before: nothing yet
    with time_machine.travel(deadline - timedelta(hours=47), tick=False):
        assert reminders_send() == {"reminded": 1}
        assert reminders_send() == {"reminded": 0}
    local = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    assert reminded() == [("admin@supplier-b.test", f"{local} (Asia/Shanghai)")]
    assert invitation_of(rfq, cast.supplier_b).reminders_sent == ["r1:48h"]
    with time_machine.travel(deadline - timedelta(hours=3), tick=False):
        assert reminders_send() == {"reminded": 1}
        bid_reminders.apply()  # the beat task runs the same, idempotently
    assert invitation_of(rfq, cast.supplier_b).reminders_sent == ["r1:48h", "r1:4h"]
    assert len(reminded()) == 2
    assert invitation_of(rfq, cast.supplier_a).reminders_sent == []
    assert invitation_of(rfq, third).status == InvitationStatus.DECLINED
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        assert reminders_send() == {"reminded": 0}


def test_a_stage_that_began_before_the_invitation_is_skipped(cast):
    """Published 30 hours before the deadline: the invitation itself is the 48-hour notice."""
    start = timezone.now().replace(microsecond=0)
    deadline = start + timedelta(hours=30)
    with time_machine.travel(start, tick=False):
        make_published_rfq(cast, suppliers=(cast.supplier_b,), deadline=deadline)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert reminders_send() == {"reminded": 0}
    with time_machine.travel(deadline - timedelta(hours=4), tick=False):
        assert reminders_send() == {"reminded": 1}
    assert Invitation.objects.get().reminders_sent == ["r1:4h"]


def test_later_rounds_remind_only_their_participants(cast):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        rfq = make_published_rfq(cast, deadline=start + timedelta(days=5))
        round_1 = Round.objects.get(rfq=rfq)
        round_1.status = "opened"
        round_1.save(update_fields=["status"])
        rfq.status = "published"
        rfq.save(update_fields=["status"])
        round_2 = Round.objects.create(rfq=rfq, number=2, deadline=start + timedelta(days=3))
        round_2.participants.set([invitation_of(rfq, cast.supplier_a)])
    with time_machine.travel(start + timedelta(days=3) - timedelta(hours=40), tick=False):
        assert reminders_send() == {"reminded": 1}
    assert reminded()[0][0] == "admin@supplier-a.test"
    assert sorted(Notification.objects.filter(kind=kinds.REMINDER).values_list("recipient__email", flat=True)) == [
        "admin@supplier-a.test",
        "sales@supplier-a.test",
    ]
    assert invitation_of(rfq, cast.supplier_a).reminders_sent == ["r2:48h"]
    assert invitation_of(rfq, cast.supplier_b).reminders_sent == []


def test_only_admin_and_sales_people_are_reminded(cast):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        rfq = make_published_rfq(cast, suppliers=(cast.supplier_a,), deadline=start + timedelta(days=3))
    Membership.objects.filter(user=cast.supplier_a_sales).update(is_active=False)
    with time_machine.travel(start + timedelta(days=3) - timedelta(hours=20), tick=False):
        assert reminders_send() == {"reminded": 1}
    # the finance person and the inactive sales membership hear nothing
    assert [email for email, _deadline in reminded()] == ["admin@supplier-a.test"]
    assert invitation_of(rfq, cast.supplier_a).reminders_sent == ["r1:48h"]


def test_the_task_is_on_the_beat_schedule():
    assert settings.CELERY_BEAT_SCHEDULE["sourcing-bid-reminders"] == {"task": REMINDERS_TASK, "schedule": 600.0}
