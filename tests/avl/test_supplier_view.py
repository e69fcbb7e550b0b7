"""/supplier/approvals/: the supplier sees its own entries only, with what to do about a block."""

from datetime import date

import pytest

from catalog.models import Category
from rfq.avl.demo import load_avl_demo
from rfq.avl.models import ApprovedSupplier, AvlStatus
from rfq.avl.panels import ApprovalsPanel
from tests.conftest import login
from tests.factories import CompanyFactory, PartnerFactory

pytestmark = pytest.mark.django_db
URL = "/supplier/approvals/"


def test_every_member_sees_only_its_own_rows_with_what_to_do(client, cast, tree, entry):
    entry(cast.supplier_a, tree.plate, cast.company_a, AvlStatus.BLOCKED, reason="Renew the ISO 9001 certificate")
    entry(cast.supplier_a, tree.fasteners, None, AvlStatus.CONDITIONAL, reason="First article inspection")
    entry(cast.supplier_a, tree.steel, cast.company_a, valid_until=date(2020, 1, 1))
    entry(cast.supplier_b, tree.plate, cast.company_b, AvlStatus.BLOCKED, reason="Secret of B")
    for member in (cast.supplier_a_admin, cast.supplier_a_sales, cast.supplier_a_finance):
        login(client, member)
        response = client.get(URL)
        assert response.status_code == 200
        content = response.content.decode()
        assert "Renew the ISO 9001 certificate" in content
        assert "First article inspection" in content
        assert "Secret of B" not in content
        decisions = {row[0].category.code: row[1] for row in response.context["rows"]}
        assert decisions["STEEL-PLATE"].status == "blocked"
        assert decisions["FAST"].conditional
        assert decisions["STEEL"].status == "expired"


def test_companies_without_an_entry_are_not_yet_approved(client, cast, tree):
    login(client, cast.supplier_a_sales)
    response = client.get(URL)
    assert [account.company for account in response.context["waiting"]] == [cast.company_a]


def test_gate_reasons_are_shown(client, cast, tree, entry, gate):
    entry(cast.supplier_a, tree.plate, cast.company_a)
    gate(["Upload a valid business licence"])
    login(client, cast.supplier_a_sales)
    assert "Upload a valid business licence" in client.get(URL).content.decode()


@pytest.mark.parametrize("who", ["buyer", "outsider", "customer_c_admin"])
def test_non_suppliers_get_404(client, cast, who):
    login(client, getattr(cast, who))
    assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_log_in(client, cast):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_dashboard_card_counts_what_holds_the_supplier_back(client, cast, tree, entry):
    entry(cast.supplier_a, tree.plate, cast.company_a, AvlStatus.BLOCKED, reason="Cracks")
    entry(cast.supplier_a, tree.steel, None, valid_until=date(2020, 1, 1))
    entry(cast.supplier_a, tree.fasteners, None)
    entry(cast.supplier_b, tree.fasteners, cast.company_b, AvlStatus.BLOCKED, reason="B")
    login(client, cast.supplier_a_sales)
    response = client.get("/supplier/")
    assert URL in response.content.decode()
    assert ApprovalsPanel().get_context(response.wsgi_request) == {"held_back": 2}


def test_no_dashboard_card_when_nothing_holds_the_supplier_back(client, cast, tree, entry):
    entry(cast.supplier_a, tree.fasteners, None)
    login(client, cast.supplier_a_sales)
    assert URL not in client.get("/supplier/").content.decode()


def test_the_demo_entries_load_twice_to_the_same_rows(db, tree):
    CompanyFactory(code="SH01")
    for code in ("FASTENER", "ELECTRICAL"):
        Category.objects.create(code=code, name=code)
    for tax_id in ("91320200MA1HK0011N", "91330200MA2HL0027C", "91320500MA1JM0042E", "91120116MA05N0051G"):
        PartnerFactory(tax_id=tax_id)
    load_avl_demo()
    fields = ("status", "valid_until", "reason", "company_id")
    first = list(ApprovedSupplier.objects.order_by("pk").values(*fields))
    load_avl_demo()
    assert list(ApprovedSupplier.objects.order_by("pk").values(*fields)) == first
    assert len(first) == 4
