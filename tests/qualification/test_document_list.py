"""The back office's list of every supplier's qualification documents: filters, who sees what, constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from rfq.qualification.models import DocumentStatus, DocumentType
from rfq.qualification.services import local_today, supplier_zone
from tests.conftest import login
from tests.factories import PartnerFactory, StaffRoleFactory, SupplierAccountFactory, UserFactory
from tests.qualification.factories import QualificationDocumentFactory

pytestmark = pytest.mark.django_db

URL = "/cms/qualification/documents/"


@pytest.fixture(autouse=True)
def english(media):
    with translation.override("en"):
        yield


def client_of(user):
    return login(Client(HTTP_ACCEPT_LANGUAGE="en"), user) if user is not None else Client()


def numbers(user, **params):
    response = client_of(user).get(URL, params)
    assert response.status_code == 200
    return [document.number for document, _expired in response.context["rows"]]


@pytest.fixture
def documents(cast, iso9001):
    """Documents of supplier A (company A) and supplier B (company B), expiring relative to the supplier's day."""
    today = local_today(supplier_zone(cast.supplier_a))
    licence = DocumentType.objects.get(code="business_licence")

    def make(number, partner, status, expires_in, document_type=iso9001):
        expires_on = None if expires_in is None else today + dt.timedelta(days=expires_in)
        return QualificationDocumentFactory(
            number=number,
            partner=partner,
            document_type=document_type,
            status=status,
            issued_on=today - dt.timedelta(days=800),
            expires_on=expires_on,
        )

    # made in this order: the newest first is E, D, C, B, A
    make("A-expired", cast.supplier_a, DocumentStatus.ACCEPTED, -10)
    make("A-soon", cast.supplier_a, DocumentStatus.SUBMITTED, 10)
    make("A-later", cast.supplier_a, DocumentStatus.REJECTED, 100)
    make("A-licence", cast.supplier_a, DocumentStatus.SUPERSEDED, None, licence)
    make("B-today", cast.supplier_b, DocumentStatus.ACCEPTED, 0)
    return today


def test_filters_give_exact_rows(cast, documents):
    admin = cast.group_admin
    assert numbers(admin) == ["B-today", "A-licence", "A-later", "A-soon", "A-expired"]
    assert numbers(admin, order="expiring") == ["A-expired", "B-today", "A-soon", "A-later", "A-licence"]
    # supplier by name (Chinese or English) or tax id
    assert numbers(admin, q="甲供应商") == ["A-licence", "A-later", "A-soon", "A-expired"]
    assert numbers(admin, q="supplier b") == ["B-today"]
    assert numbers(admin, q=cast.supplier_b.tax_id) == ["B-today"]
    assert numbers(admin, q="nobody") == []
    licence = DocumentType.objects.get(code="business_licence")
    assert numbers(admin, document_type=licence.pk) == ["A-licence"]
    assert numbers(admin, status="submitted") == ["A-soon"]
    assert numbers(admin, status="accepted") == ["B-today", "A-expired"]
    assert numbers(admin, status="rejected") == ["A-later"]
    assert numbers(admin, status="superseded") == ["A-licence"]
    # expires within N days: from today (valid through its expiry day) up to today + N
    assert numbers(admin, expires_within=0) == ["B-today"]
    assert numbers(admin, expires_within=10, order="expiring") == ["B-today", "A-soon"]
    assert numbers(admin, expires_within=9) == ["B-today"]
    assert numbers(admin, expires_within=365, order="expiring") == ["B-today", "A-soon", "A-later"]
    assert numbers(admin, expired="on") == ["A-expired"]
    assert numbers(admin, expired="on", status="accepted", q="甲") == ["A-expired"]
    # the row is marked expired and links to the document page
    response = client_of(admin).get(URL, {"expired": "on"})
    [(document, expired)] = response.context["rows"]
    assert expired is True
    assert f"/cms/qualification/documents/{document.uuid}/" in response.content.decode()


def test_invalid_filters_are_shown_and_the_list_is_unfiltered(cast, documents):
    response = client_of(cast.group_admin).get(URL, {"expires_within": "-3", "status": "bogus"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"expires_within", "status"}
    assert len(response.context["rows"]) == 5


def test_who_sees_what(cast, documents):
    # a buyer without a reviewing role: the 403 page; staff without a role at all too
    assert client_of(cast.buyer).get(URL).status_code == 403
    assert client_of(cast.staff_b).get(URL).status_code == 403
    assert client_of(cast.supplier_a_admin).get(URL).status_code in (302, 403)
    # company A's sourcing manager sees only company A's supplier
    assert numbers(cast.sourcing_manager) == ["A-licence", "A-later", "A-soon", "A-expired"]
    # a quality reviewer of company B sees company B's supplier, never company A's, whatever the filter
    reviewer_b = UserFactory(email="quality@wuhan.group.test")
    quality_b = StaffRoleFactory(user=reviewer_b, role="quality", company=cast.company_b)
    assert numbers(quality_b.user) == ["B-today"]
    assert numbers(quality_b.user, q="甲供应商") == []
    assert numbers(quality_b.user, q=cast.supplier_a.tax_id) == []
    assert numbers(quality_b.user, expired="on") == []


def test_a_supplier_with_accounts_at_two_companies_is_listed_once(cast, documents):
    SupplierAccountFactory(partner=cast.supplier_b, company=cast.company_a)
    assert numbers(cast.sourcing_manager).count("B-today") == 1
    assert numbers(cast.group_admin).count("B-today") == 1


def test_anonymous_is_sent_to_the_login(cast):
    response = Client().get(URL)
    assert response.status_code == 302
    # the back office's own login page (Wagtail), back to the list afterwards
    assert response["Location"] == "/cms/login/?next=/cms/qualification/documents/"


def test_the_review_queue_links_to_the_list(cast):
    assert URL in client_of(cast.sourcing_manager).get("/cms/qualification/").content.decode()


@pytest.mark.parametrize("params", [{}, {"order": "expiring", "expires_within": "400", "q": "供应商"}])
def test_the_list_runs_a_constant_number_of_queries(cast, iso9001, params):
    licence = DocumentType.objects.get(code="business_licence")

    def add(count):
        for index in range(count):
            partner = PartnerFactory(name=f"丁供应商{index}")
            SupplierAccountFactory(partner=partner, company=cast.company_a)
            QualificationDocumentFactory(
                partner=partner,
                document_type=iso9001 if index % 2 else licence,
                status=DocumentStatus.SUBMITTED if index % 3 else DocumentStatus.ACCEPTED,
                reviewed_by=cast.sourcing_manager,
                expires_on=local_today(supplier_zone(partner)) + dt.timedelta(days=index),
                issued_on=dt.date(2020, 1, 1),
            )

    def count(expected):
        client = client_of(cast.sourcing_manager)
        client.get(URL, params)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, params)
        assert response.status_code == 200
        assert len(response.context["rows"]) == expected
        return len(queries)

    add(2)
    few = count(2)
    add(18)
    assert count(20) == few
