"""The back office's start page lists what waits for sourcing staff, in a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rfq.sourcing.models import Question
from tests.factories.sourcing import invitation_of, make_published_rfq, pass_deadline, submit_bid

pytestmark = pytest.mark.django_db


def _home(client):
    response = client.get("/cms/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_rounds_to_open_and_questions_to_answer(cast, login_as):
    closed = make_published_rfq(cast, title="Plate Q1")
    submit_bid(cast.supplier_a_admin, closed, cast.supplier_a, ["10", "20"])
    pass_deadline(closed)
    still_open = make_published_rfq(cast, title="Pipe Q2")
    Question.objects.create(
        rfq=still_open, invitation=invitation_of(still_open, cast.supplier_a), text="Which standard?",
        asked_by=cast.supplier_a_admin,
    )  # fmt: skip
    manager_page = _home(login_as(cast.sourcing_manager))
    assert "Round 1: bids closed, to be opened" in manager_page and closed.number in manager_page
    assert "question is unanswered" in manager_page and still_open.number in manager_page
    buyer_page = _home(login_as(cast.buyer))
    # the buyer answers questions but does not open bids
    assert closed.number not in buyer_page and still_open.number in buyer_page
    # another company's staff see none of it
    other_page = _home(login_as(cast.staff_b))
    assert closed.number not in other_page and still_open.number not in other_page


def test_the_panel_runs_a_constant_number_of_queries(cast, client, login_as):
    login_as(cast.sourcing_manager)
    make_published_rfq(cast, deadline=timezone.now() + timedelta(days=1))
    pass_deadline(make_published_rfq(cast))
    _home(client)  # the first request of a process fills Wagtail's and Django's caches
    with CaptureQueriesContext(connection) as few:
        _home(client)
    for _ in range(4):
        pass_deadline(make_published_rfq(cast))
    with CaptureQueriesContext(connection) as many:
        page = _home(client)
    assert page.count("bids closed, to be opened") == 5
    assert len(many) == len(few)
