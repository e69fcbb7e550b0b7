"""Request a quote: an ordering customer asks for a price of an item without one; the company's sales staff are
notified, answer it in the back office with a customer price (which then shows on the item page) or decline it.
Role matrix for every state-changing view; audit rows; numbering; the customer's list."""

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from catalog.pricing.models import PriceList, PriceListKind, PriceListLine
from catalog.shop.models import QuoteRequest, QuoteRequestStatus
from catalog.shop.services import quote_request_create
from portal.audit.models import AuditEvent
from portal.core.errors import DomainError
from portal.integration.models import OutboxEvent
from portal.notifications.models import Notification
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.shop import line, plate, price_list
from tests.shop.conftest import as_user

pytestmark = pytest.mark.django_db

NOW = "2026-11-28T02:00:00Z"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def item(shop):
    return plate("PL-Q355B-30", grade="Q355B", thickness="30", units=shop.units, category=shop.category)


@pytest.fixture
def manager(cast):
    return StaffRoleFactory(user=UserFactory(email="sm@group.test"), role="sales_manager", company=cast.company_a).user


def ask(client, item, **data):
    return client.post(f"/shop/i/{item.code}/quote/", {"quantity": "12.5", "needed_by": "2026-12-20", **data})


@time_machine.travel(NOW, tick=False)
def test_a_customer_asks_and_sales_are_told(cast, shop, item, manager):
    response = ask(as_user(cast.customer_c_admin), item, note="For project X")
    assert response.status_code == 302 and response["Location"] == "/shop/i/PL-Q355B-30/"
    request = QuoteRequest.objects.get()
    assert (request.number, request.company, request.customer, request.requested_by) == (
        "RQ-2026-00001",
        cast.company_a,
        cast.customer_c,
        cast.customer_c_admin,
    )
    assert (request.quantity, request.unit.code, request.needed_by, request.note, request.status) == (
        Decimal("12.5"),
        "t",
        date(2026, 12, 20),
        "For project X",
        QuoteRequestStatus.OPEN,
    )
    told = Notification.objects.filter(kind="shop.quote_requested")
    assert sorted(n.recipient.email for n in told) == ["sales@group.test", "sm@group.test"]
    assert told[0].url == f"/cms/quotes/{request.uuid}/"
    event = AuditEvent.objects.get(action="quote_request.created")
    assert event.after == {
        "number": "RQ-2026-00001",
        "item": "PL-Q355B-30",
        "quantity": "12.5",
        "unit": "t",
        "needed_by": "2026-12-20",
        "status": "open",
    }
    # the item page now says it waits instead of offering the form again
    page = text(as_user(cast.customer_c_admin).get("/shop/i/PL-Q355B-30/"))
    assert "You asked 上海钢铁有限公司 for a price; sales will answer soon." in page
    assert 'action="/shop/i/PL-Q355B-30/quote/"' not in page
    # and a second request is refused with a message
    again = ask(as_user(cast.customer_c_admin), item)
    assert again.status_code == 422
    assert "You already asked 上海钢铁有限公司 for a price of this item; sales will answer soon." in text(again)
    assert QuoteRequest.objects.count() == 1
    # numbers count up per year
    request.status = QuoteRequestStatus.DECLINED
    request.save()
    assert ask(as_user(cast.customer_c_admin), item).status_code == 302
    assert QuoteRequest.objects.order_by("number").last().number == "RQ-2026-00002"


@time_machine.travel(NOW, tick=False)
def test_asking_role_matrix(cast, shop, item):
    # a colleague without the sales or admin role: 403, nothing changed
    assert ask(as_user(shop.c_viewer), item).status_code == 403
    # a supplier, staff, an outsider: 404; anonymous: the login
    for user in [cast.supplier_b_admin, cast.sales, cast.outsider]:
        assert ask(as_user(user), item).status_code == 404
    anonymous = ask(Client(), item)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/?next=")
    assert QuoteRequest.objects.count() == 0 and Notification.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_bad_input_is_a_clear_message_and_changes_nothing(cast, shop, item):
    client = as_user(cast.customer_c_admin)
    cases = {
        "0": "Ensure this value is greater than or equal to 0.0001.",
        "abc": "Enter a number.",
        "1e30": "Ensure that there are no more than 16 digits in total.",
    }
    for quantity, message in cases.items():
        response = ask(client, item, quantity=quantity)
        assert response.status_code == 422 and message in text(response), quantity
    past = ask(client, item, needed_by="2026-11-27")
    assert past.status_code == 422 and "The date you need it by has passed." in text(past)
    assert ask(client, item, note="x" * 2001).status_code == 422
    assert QuoteRequest.objects.count() == 0
    # an unsellable item is not found
    item.is_sellable = False
    item.save()
    assert ask(client, item).status_code == 404


def test_the_service_refuses_a_company_the_customer_has_no_account_with(cast, shop, item):
    with translation.override("en"), pytest.raises(DomainError, match="does not sell to you yet"):
        quote_request_create(
            actor=cast.customer_c_admin,
            customer=cast.customer_c,
            company=cast.company_b,
            item=item,
            quantity=Decimal("1"),
        )


@pytest.fixture
def open_request(cast, item):
    with time_machine.travel(NOW, tick=False):
        return quote_request_create(
            actor=cast.customer_c_admin,
            customer=cast.customer_c,
            company=cast.company_a,
            item=item,
            quantity=Decimal("12.5"),
        )


def answer(client, request, **data):
    values = {"action": "answer", "unit_price": "4321.5", "tax_rate": "13", "min_quantity": "0", "valid_until": ""}
    return client.post(f"/cms/quotes/{request.uuid}/", values | data)


@time_machine.travel(NOW, tick=False)
def test_sales_answer_with_a_customer_price_that_then_shows(cast, shop, item, open_request):
    client = as_user(cast.sales)
    assert "RQ-2026-00001" in text(client.get(f"/cms/quotes/{open_request.uuid}/"))
    response = answer(client, open_request, valid_until="2027-03-31")
    assert response.status_code == 302
    open_request.refresh_from_db()
    assert (open_request.status, open_request.answered_by) == (QuoteRequestStatus.ANSWERED, cast.sales)
    price_list = PriceList.objects.get(code=f"Q-{cast.customer_c.tax_id}")
    assert (price_list.kind, price_list.customer, price_list.currency, price_list.company) == (
        PriceListKind.CUSTOMER,
        cast.customer_c,
        "CNY",
        cast.company_a,
    )
    line = PriceListLine.objects.get(price_list=price_list)
    assert open_request.price_line == line
    assert (line.unit_price, line.tax_rate, line.min_quantity, line.valid_until, line.unit.code) == (
        Decimal("4321.5"),
        Decimal("13"),
        Decimal("0"),
        date(2027, 3, 31),
        "t",
    )
    told = Notification.objects.get(kind="shop.quote_answered")
    assert (told.recipient, told.url) == (cast.customer_c_admin, "/shop/i/PL-Q355B-30/")
    assert told.params["price"] == "4321.5 CNY / t"
    assert AuditEvent.objects.filter(action="quote_request.answered").count() == 1
    assert AuditEvent.objects.filter(action="price_list.created").count() == 1
    assert OutboxEvent.objects.filter(topic="price_list.created").count() == 1
    # the price shows to C on the item page; D still has none
    assert "4,321.50 CNY net, 13 % VAT" in text(as_user(cast.customer_c_admin).get("/shop/i/PL-Q355B-30/"))
    assert "4,321.50" not in text(as_user(shop.d_admin).get("/shop/i/PL-Q355B-30/"))
    # the customer's list shows it
    quotes = text(as_user(cast.customer_c_admin).get("/shop/quotes/"))
    assert "4,321.50 CNY net per tonne, 13 % VAT · valid until 2027-03-31" in quotes
    # answering again is refused with a message
    again = answer(client, open_request)
    assert again.status_code == 422
    assert "Quote request RQ-2026-00001 is no longer open (Price given)." in text(again)
    assert "Answer with a price" not in text(again)
    assert PriceListLine.objects.get() == line


@time_machine.travel(NOW, tick=False)
def test_a_second_answer_adds_a_line_and_keeps_the_others(cast, shop, item, open_request):
    other = plate("PL-Q355B-40", grade="Q355B", thickness="40", units=shop.units, category=shop.category)
    answer(as_user(cast.sales), open_request)
    second = quote_request_create(
        actor=cast.customer_c_admin, customer=cast.customer_c, company=cast.company_a, item=other, quantity=Decimal(1)
    )
    first_line = QuoteRequest.objects.get(pk=open_request.pk).price_line
    assert answer(as_user(cast.sales), second, unit_price="99").status_code == 302
    assert QuoteRequest.objects.get(pk=open_request.pk).price_line == first_line
    assert PriceListLine.objects.filter(price_list__code=f"Q-{cast.customer_c.tax_id}").count() == 2
    assert AuditEvent.objects.filter(action="price_list.changed").count() == 1


@time_machine.travel(NOW, tick=False)
def test_sales_decline_with_a_reason(cast, shop, item, open_request, manager):
    client = as_user(manager)
    empty = client.post(f"/cms/quotes/{open_request.uuid}/", {"action": "decline", "reason": " "})
    assert empty.status_code == 422
    assert QuoteRequest.objects.get().status == QuoteRequestStatus.OPEN
    response = client.post(f"/cms/quotes/{open_request.uuid}/", {"action": "decline", "reason": "Not made any more"})
    assert response.status_code == 302
    open_request.refresh_from_db()
    assert (open_request.status, open_request.answer) == (QuoteRequestStatus.DECLINED, "Not made any more")
    told = Notification.objects.get(kind="shop.quote_declined")
    assert told.recipient == cast.customer_c_admin and told.params["reason"] == "Not made any more"
    assert AuditEvent.objects.get(action="quote_request.declined").after == {
        "status": "declined",
        "reason": "Not made any more",
    }
    assert "Not made any more" in text(as_user(cast.customer_c_admin).get("/shop/quotes/"))


@time_machine.travel(NOW, tick=False)
def test_answering_role_matrix(cast, shop, item, open_request):
    buyer = answer(as_user(cast.buyer), open_request)  # staff of the company without a sales role
    assert buyer.status_code == 403
    assert answer(as_user(cast.staff_b), open_request).status_code == 404
    partner = answer(as_user(cast.customer_c_admin), open_request)  # the back office is not for partners
    assert partner.status_code == 302 and partner["Location"].startswith("/cms/login/")
    anonymous = answer(Client(), open_request)
    assert anonymous.status_code == 302
    assert QuoteRequest.objects.get().status == QuoteRequestStatus.OPEN
    assert PriceList.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_bad_answers_change_nothing(cast, shop, item, open_request):
    client = as_user(cast.sales)
    for data, message in [
        ({"unit_price": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"tax_rate": "150"}, "Ensure this value is less than or equal to 100."),
        ({"valid_until": "2026-01-01"}, "The price must be valid at least until today."),
        ({"unit_price": "x"}, "Enter a number."),
    ]:
        response = answer(client, open_request, **data)
        assert response.status_code == 422 and message in text(response), data
    assert client.post(f"/cms/quotes/{open_request.uuid}/", {"action": "nope"}).status_code == 422
    assert QuoteRequest.objects.get().status == QuoteRequestStatus.OPEN
    assert PriceList.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_back_office_list_filters_and_constant_queries(cast, shop, item, open_request):
    def add(count):
        for number in range(count):
            other = plate(f"PL-X{QuoteRequest.objects.count()}-{number}", units=shop.units, category=shop.category)
            quote_request_create(
                actor=cast.customer_c_admin,
                customer=cast.customer_c,
                company=cast.company_a,
                item=other,
                quantity=Decimal(1),
            )

    client = as_user(cast.sales)
    client.get("/cms/quotes/")
    with CaptureQueriesContext(connection) as few:
        page = text(client.get("/cms/quotes/"))
    assert "RQ-2026-00001" in page
    add(5)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/cms/quotes/").status_code == 200
    assert len(many) == len(few)
    assert re.findall(r">(RQ-\d+-\d+)</a>", text(client.get("/cms/quotes/?q=PL-Q355B"))) == ["RQ-2026-00001"]
    assert re.findall(r">(RQ-\d+-\d+)</a>", text(client.get("/cms/quotes/?status=answered"))) == []
    # another company's staff see none of them
    assert "RQ-2026-00001" not in text(as_user(cast.staff_b).get("/cms/quotes/"))


@time_machine.travel(NOW, tick=False)
def test_customer_quote_list_constant_queries_and_only_their_own(cast, shop, item, open_request):
    client = as_user(cast.customer_c_admin)
    client.get("/shop/quotes/")
    with CaptureQueriesContext(connection) as few:
        page = text(client.get("/shop/quotes/"))
    assert "RQ-2026-00001" in page
    for number in range(4):
        other = plate(f"PL-Y{number}", units=shop.units, category=shop.category)
        quote_request_create(
            actor=cast.customer_c_admin, customer=cast.customer_c, company=cast.company_a, item=other, quantity=1
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/shop/quotes/")
    assert len(many) == len(few)
    assert "RQ-2026-00001" not in text(as_user(shop.d_admin).get("/shop/quotes/"))
    assert as_user(cast.supplier_a_admin).get("/shop/quotes/").status_code == 404
    assert Client().get("/shop/quotes/").status_code == 302


def test_list_price_lines_still_apply_with_a_price_list(cast, shop, item):
    listed = price_list(cast.company_a)
    line(listed, item, "10")
    page = text(as_user(cast.customer_c_admin).get("/shop/i/PL-Q355B-30/"))
    assert "Request a quote" not in page


@time_machine.travel(NOW, tick=False)
def test_an_item_sold_in_another_unit_of_its_dimension_gets_its_price_in_that_unit(cast, shop):
    kg_item = plate("PL-KG", units=shop.units, category=shop.category, sales_unit=shop.units["kg"])
    request = quote_request_create(
        actor=cast.customer_c_admin, customer=cast.customer_c, company=cast.company_a, item=kg_item, quantity=500
    )
    assert request.unit.code == "kg"
    assert answer(as_user(cast.sales), request, unit_price="4.35").status_code == 302
    page = text(as_user(cast.customer_c_admin).get("/shop/i/PL-KG/"))
    assert "4.35 CNY net, 13 % VAT" in page and "/ kilogram" in page


@time_machine.travel(NOW, tick=False)
def test_the_customer_withdraws_an_open_request(cast, shop, item, open_request):
    url = f"/shop/quotes/{open_request.uuid}/withdraw/"
    assert as_user(shop.c_viewer).post(url).status_code == 403  # a colleague without the role
    assert "/withdraw/" not in text(as_user(shop.c_viewer).get("/shop/quotes/"))
    for user in [shop.d_admin, cast.supplier_b_admin, cast.sales]:
        assert as_user(user).post(url).status_code == 404
    assert Client().post(url).status_code == 302
    assert QuoteRequest.objects.get().status == QuoteRequestStatus.OPEN
    client = as_user(cast.customer_c_admin)
    assert url in text(client.get("/shop/quotes/"))
    assert client.post(url).status_code == 302
    assert QuoteRequest.objects.get().status == QuoteRequestStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="quote_request.withdrawn").count() == 1
    again = client.post(url, follow=True)
    assert "Quote request RQ-2026-00001 is no longer open (Withdrawn)." in text(again)
    # sales can no longer answer it
    assert answer(as_user(cast.sales), open_request).status_code == 422


@time_machine.travel(NOW, tick=False)
def test_the_back_office_start_page_lists_waiting_requests(cast, shop, item, open_request):
    page = text(as_user(cast.sales).get("/cms/"))
    assert "Quote requests: waiting for a price" in page and f"/cms/quotes/{open_request.uuid}/" in page
    assert "Quote requests: waiting for a price" not in text(as_user(cast.buyer).get("/cms/"))
    assert "Quote requests: waiting for a price" not in text(as_user(cast.staff_b).get("/cms/"))
    answer(as_user(cast.sales), open_request)
    assert "Quote requests: waiting for a price" not in text(as_user(cast.sales).get("/cms/"))
