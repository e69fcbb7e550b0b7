"""The simulated ERP's answers to order events: on order.submitted it pushes the customer's receivables and the
stock of the order's items through the API (here a stand-in that calls the API in-process), on order.confirmed it
says what it would release; its start-up push sends the demo balances."""

import logging
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client

from catalog.shop.models import ItemStock
from portal.core.registry import erp_simulator
from selfservice.orders import erp_sim
from selfservice.orders.models import CustomerBalance
from selfservice.orders.workflow import order_payload
from tests.factories import WarehouseFactory, make_api_client
from tests.factories.order_review import order_of_customer_c

pytestmark = pytest.mark.django_db


class InProcessApi:
    """PortalApi's interface (upsert, session.post, base_url, timeout) over Django's test client."""

    base_url = ""
    timeout = 5

    def __init__(self, client):
        self.client = client
        self.session = SimpleNamespace(post=self._post)

    def _post(self, url, json, headers=None, timeout=None):
        response = self.client.post(url, json, content_type="application/json", headers=headers or {})
        return SimpleNamespace(status_code=response.status_code, json=response.json, text=response.content.decode())

    def upsert(self, collection, objects):
        response = self.client.post(
            f"/api/v1/{collection}/batch", {"objects": objects}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        return response.json()["results"]


@pytest.fixture
def api(cast):
    group = make_api_client(company=None, name="ERP simulator")
    return InProcessApi(Client(headers={"Authorization": f"Bearer {group.plain_key}"}))


def test_the_handlers_are_registered():
    for topic in ("order.submitted", "order.confirmed", "order.rejected", erp_sim.PUSH_KEY):
        assert erp_simulator.get(topic) is not None


def test_a_submitted_order_is_answered_with_receivables_and_stock(cast, api, caplog):
    account = cast.customer_c.customer_accounts.get(company=cast.company_a)
    warehouse = WarehouseFactory(company=cast.company_a, code="FG01")
    order = order_of_customer_c(cast, lines=[{"quantity": "10"}, {"quantity": "4"}])
    with caplog.at_level(logging.INFO, logger="portal.erpsim"):
        erp_simulator.get("order.submitted")({"topic": "order.submitted", "data": order_payload(order)}, api)
    assert f"would create sales order for {order.number}" in caplog.text
    balance = CustomerBalance.objects.get(customer_account=account)
    assert balance.open_receivables == Decimal("0.00")  # customer C has no demo receivables
    stock = dict(ItemStock.objects.filter(warehouse=warehouse).values_list("item__code", "available"))
    first, second = order.lines.order_by("line_no")
    assert stock == {first.item.code: Decimal("15.0000"), second.item.code: Decimal("2.0000")}


def test_a_confirmed_order_would_be_released(cast, caplog):
    order = order_of_customer_c(cast)
    with caplog.at_level(logging.INFO, logger="portal.erpsim"):
        erp_sim.order_confirmed({"topic": "order.confirmed", "data": order_payload(order)}, None)
    assert f"would release {order.number} to production" in caplog.text


def test_the_start_push_sends_the_demo_balances(cast, api):
    from portal.organisations.models import CustomerAccount

    account = CustomerAccount.objects.get(partner=cast.customer_c, company=cast.company_a)
    account.erp_number = "K10001"
    account.save(update_fields=["erp_number"])
    results = erp_sim.push_balances(None, api)
    assert [result["status"] for result in results] == ["applied", "invalid"]  # there is no HK04 in the cast
    assert CustomerBalance.objects.get(customer_account=account).open_receivables == Decimal("350000.00")
