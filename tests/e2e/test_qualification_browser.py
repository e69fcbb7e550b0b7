"""Browser test of the document renewal loop: a supplier administrator sees that a mandatory certificate expires
soon and uploads the renewal; a quality engineer of the group accepts it in the back office; the supplier sees
the renewal accepted and the old certificate superseded."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from rfq.qualification.models import DocumentStatus, DocumentType, QualificationDocument, QualificationRequirement
from tests.e2e.helpers import fits, log_in
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    PartnerFactory,
    StaffRoleFactory,
    SupplierAccountFactory,
    UserFactory,
)
from tests.factories.documents import PDF_BYTES
from tests.qualification.factories import QualificationDocumentFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shots(page, screenshot, name):
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        assert fits(page), (name, width)
        screenshot(page, f"qualification-{name}-{width}")


def test_supplier_renews_an_expiring_certificate_and_staff_accept_it(
    page, browser, browser_context_args, base_url_localhost, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = base_url_localhost
    company = CompanyFactory(code="SH01", name="上海钢铁有限公司", name_en="Shanghai Steel Co.")
    partner = PartnerFactory(name="甲供应商有限公司", name_en="Supplier A Ltd.")
    SupplierAccountFactory(partner=partner, company=company)
    admin = MembershipFactory(
        user=UserFactory(email="admin@supplier-a.test", first_name="磊", last_name="赵"),
        roles=["admin"],
        partner=partner,
    ).user
    TOTP.activate(admin, SECRET)
    quality = StaffRoleFactory(user=UserFactory(email="quality@group.test"), role="quality", company=company).user
    TOTP.activate(quality, SECRET)
    iso9001, _created = DocumentType.objects.get_or_create(
        code="iso_9001", defaults={"name": "ISO 9001 质量管理体系认证", "name_en": "ISO 9001", "has_expiry": True}
    )
    QualificationRequirement.objects.create(document_type=iso9001, company=company)
    today = timezone.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    old = QualificationDocumentFactory(
        partner=partner,
        document_type=iso9001,
        number="CQC-2023-0815",
        issued_on=today - dt.timedelta(days=3 * 365),
        expires_on=today + dt.timedelta(days=20),
    )
    scan = tmp_path / "ISO9001-2029.pdf"
    scan.write_bytes(PDF_BYTES)

    # The administrator sees the certificate expiring soon.
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, admin.email, totp_secret=SECRET, next_path="/supplier/qualification/")
    page.wait_for_url(re.compile(r".*/supplier/qualification/$"))
    row = page.locator(f"tr[data-document='{old.uuid}']")
    assert row.locator(".badge-warn").count() == 1
    shots(page, screenshot, "expiring")

    # … and uploads the renewal.
    row.locator("a[href$='/replace/']").click()
    page.wait_for_url(re.compile(r".*/replace/$"))
    page.fill("input[name=number]", "CQC-2026-1201")
    page.fill("input[name=issued_on]", today.isoformat())
    page.fill("input[name=expires_on]", (today + dt.timedelta(days=3 * 365)).isoformat())
    page.set_input_files("input[name=file]", str(scan))
    shots(page, screenshot, "renewal-form")
    page.locator("form:has([name=number]) [type=submit]").click()
    page.wait_for_url(re.compile(r".*/supplier/qualification/$"))
    renewal = QualificationDocument.objects.get(number="CQC-2026-1201")
    assert (renewal.status, renewal.replaces_id) == (DocumentStatus.SUBMITTED, old.pk)
    assert page.locator(f"tr[data-document='{renewal.uuid}'] .badge-info").count() == 1
    shots(page, screenshot, "renewal-submitted")

    # A quality engineer of the company accepts it in the back office.
    staff_context = browser.new_context(**browser_context_args)
    staff = staff_context.new_page()
    staff.set_viewport_size({"width": 1280, "height": 800})
    log_in(staff, base, quality.email, totp_secret=SECRET, next_path="/cms/qualification/")
    staff.wait_for_url(re.compile(r".*/cms/qualification/$"))
    screenshot(staff, "qualification-review-queue-1280")
    staff.locator(f"a[href$='/cms/qualification/documents/{renewal.uuid}/']").click()
    staff.wait_for_url(re.compile(rf".*/cms/qualification/documents/{renewal.uuid}/$"))
    for width in (1280, 360):
        staff.set_viewport_size({"width": width, "height": 800})
        screenshot(staff, f"qualification-review-detail-{width}")
    staff.set_viewport_size({"width": 1280, "height": 800})
    staff.locator("form[action$='/accept/'] [type=submit]").click()
    staff.wait_for_url(re.compile(r".*/cms/qualification/$"))
    renewal.refresh_from_db()
    old.refresh_from_db()
    assert (renewal.status, old.status) == (DocumentStatus.ACCEPTED, DocumentStatus.SUPERSEDED)
    staff_context.close()

    # The supplier sees the renewal accepted.
    page.reload()
    assert page.locator(f"tr[data-document='{renewal.uuid}'] .badge-ok").count() == 1
    assert page.locator(f"tr[data-document='{old.uuid}'] .badge-warn").count() == 0
    shots(page, screenshot, "renewal-accepted")
