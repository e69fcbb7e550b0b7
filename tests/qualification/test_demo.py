import pytest

from catalog.demo import load_catalog_demo
from portal.organisations.demo import load_organisations_demo
from portal.organisations.models import Company, Partner
from rfq.qualification.demo import load_qualification_demo
from rfq.qualification.models import QualificationDocument
from rfq.qualification.services import supplier_gaps

pytestmark = pytest.mark.django_db


def test_demo_has_an_expiring_certificate_and_one_waiting_for_review_and_is_idempotent(media):
    load_organisations_demo()
    load_catalog_demo()
    load_qualification_demo()
    load_qualification_demo()
    assert QualificationDocument.objects.count() == 4
    assert QualificationDocument.objects.filter(status="submitted").count() == 1
    supplier = Partner.objects.get(tax_id="91320200MA1HK0011N")
    assert supplier_gaps(supplier) == []  # in force, expiring in 20 days
    assert Company.objects.filter(code="SH01").exists()
