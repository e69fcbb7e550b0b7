"""Browser test of sourcing's main flow (issue 6): the buyer invites from the AVL and publishes; supplier A bids in the
form (an error first, then a revision), supplier B fills the downloaded XLSX and uploads it, supplier D bids too;
supplier C had the form open when the deadline passed and is refused; two sourcing managers open the round, each
right after their second factor; the buyer compares, splits line 1 between A and B and awards; D, who won nothing,
reads the regret notice. Screenshots at 1280 and 360 px; no page scrolls sideways."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone
from openpyxl import load_workbook

from rfq.avl.models import ApprovedSupplier, AvlStatus
from rfq.sourcing.bidding import bid_submit, parse_bid
from rfq.sourcing.models import (
    Award,
    AwardLetter,
    AwardStatus,
    BidSubmission,
    Invitation,
    OpenedBidLine,
    Rfq,
    RfqLine,
    RfqStatus,
    Round,
    RoundStatus,
    SourcingPolicy,
)
from tests.e2e.helpers import fits, log_in
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    PartnerFactory,
    StaffRoleFactory,
    SupplierAccountFactory,
    UserFactory,
)
from tests.factories.catalog import CategoryFactory, ItemFactory, UnitFactory
from tests.factories.sourcing import offer_rows

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shots(page, screenshot, name):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)
        assert fits(page), (name, width)
        screenshot(page, f"sourcing-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def actor(browser, base, email, *, totp=False, next_path=""):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, email, totp_secret=SECRET if totp else None, next_path=next_path)
    page.wait_for_load_state()
    return page


def fill_offer(page, line, price, lead_time="20"):
    page.fill(f'[name="{line.uuid}.unit_price"]', price)
    page.select_option(f'[name="{line.uuid}.tax_rate"]', "13")
    page.select_option(f'[name="{line.uuid}.invoice_type"]', "vat_special")
    page.fill(f'[name="{line.uuid}.lead_time_days"]', lead_time)


def test_publish_bid_open_compare_award(browser, base_url_localhost, screenshot):
    base = base_url_localhost
    company = CompanyFactory(code="SH01", name="上海钢铁有限公司", name_en="Shanghai Steel Co.")
    SourcingPolicy.objects.create(company=company, award_approval_threshold=Decimal("10000000"))
    plate = CategoryFactory(code="STEEL-PLATE", name="钢板", name_en="Steel plate")
    tonne = UnitFactory(code="t", name="吨", name_en="tonne", dimension="mass", factor=Decimal("1000"))
    items = [
        ItemFactory(code="PL-Q235B-10", name="热轧钢板 Q235B 10mm", category=plate, base_unit=tonne),
        ItemFactory(code="PL-Q345B-20", name="热轧钢板 Q345B 20mm", category=plate, base_unit=tonne),
    ]
    suppliers, bidders = {}, {}
    for key, name in (
        ("a", "甲钢铁有限公司"),
        ("b", "乙钢铁有限公司"),
        ("c", "丙钢铁有限公司"),
        ("d", "丁钢铁有限公司"),
    ):
        partner = PartnerFactory(name=name, name_en=f"Steel {key.upper()} Ltd.")
        SupplierAccountFactory(partner=partner, company=company)
        ApprovedSupplier.objects.create(company=company, category=plate, partner=partner, status=AvlStatus.APPROVED)
        suppliers[key] = partner
        bidders[key] = MembershipFactory(
            partner=partner, user=UserFactory(email=f"sales@{key}.test"), roles=["sales"]
        ).user
    buyer = StaffRoleFactory(user=UserFactory(email="buyer@group.test"), role="buyer", company=company).user
    managers = [
        StaffRoleFactory(
            user=UserFactory(email=f"sourcing{n}@group.test"), role="sourcing_manager", company=company
        ).user
        for n in (1, 2)
    ]
    for person in (buyer, *managers):
        TOTP.activate(person, SECRET)
    rfq = Rfq.objects.create(
        company=company, number="RFQ-2026-00042", title="一季度热轧钢板", created_by=buyer, currency="CNY"
    )
    lines = [
        RfqLine.objects.create(
            rfq=rfq, position=n, item=item, quantity=Decimal("10"), unit=tonne,
            need_by=timezone.localdate() + timedelta(days=60), last_price=Decimal("4500"), target_price=Decimal("4300"),
        )
        for n, item in enumerate(items, start=1)
    ]  # fmt: skip

    # The buyer invites the four suppliers the AVL suggests and publishes with tomorrow's deadline.
    staff = actor(browser, base, buyer.email, totp=True, next_path=f"/cms/sourcing/{rfq.uuid}/invitations/")
    staff.goto(f"{base}/cms/sourcing/{rfq.uuid}/invitations/")
    for _ in range(4):
        staff.locator('form:has(input[name="supplier"][type="hidden"]) button').first.click()
        staff.wait_for_load_state()
    assert Invitation.objects.filter(rfq=rfq).count() == 4
    shots(staff, screenshot, "invitations")
    staff.goto(f"{base}/cms/sourcing/{rfq.uuid}/publish/")
    tomorrow = timezone.localdate() + timedelta(days=1)
    staff.fill('[name="deadline_0"]', tomorrow.isoformat())
    staff.fill('[name="deadline_1"]', "10:00")
    staff.locator("main form button[type=submit]").last.click()
    staff.wait_for_load_state()
    rfq.refresh_from_db()
    assert rfq.status == RfqStatus.PUBLISHED
    round = Round.objects.get(rfq=rfq)
    invitation = {key: Invitation.objects.get(rfq=rfq, supplier=partner) for key, partner in suppliers.items()}

    # Supplier A: a negative price is refused next to the field, nothing saved; then a bid and a revision.
    page_a = actor(browser, base, bidders["a"].email)
    page_a.goto(f"{base}/supplier/rfqs/")
    shots(page_a, screenshot, "inbox")
    assert "4500" not in page_a.content() and "4300" not in page_a.content()
    page_a.goto(f"{base}/supplier/rfqs/{invitation['a'].uuid}/bid/")
    fill_offer(page_a, lines[0], "-5")
    fill_offer(page_a, lines[1], "4390")
    page_a.click('button[name="action"][value="submit"]')
    page_a.wait_for_load_state()
    assert page_a.locator(f'[id="f-{lines[0].uuid}.unit_price-error"]').count() == 1
    assert not BidSubmission.objects.exists()
    shots(page_a, screenshot, "bid-error")
    fill_offer(page_a, lines[0], "4280")
    page_a.click('button[name="action"][value="submit"]')
    page_a.wait_for_url(re.compile(r".*/receipts/"))
    first = BidSubmission.objects.get(bid__supplier=suppliers["a"])
    assert first.commitment in page_a.content()
    shots(page_a, screenshot, "receipt")
    page_a.goto(f"{base}/supplier/rfqs/{invitation['a'].uuid}/bid/")
    page_a.fill(f'[name="{lines[0].uuid}.unit_price"]', "4250")
    page_a.click('button[name="action"][value="submit"]')
    page_a.wait_for_url(re.compile(r".*/receipts/"))
    assert list(BidSubmission.objects.filter(bid__supplier=suppliers["a"]).values_list("version", flat=True)) == [1, 2]

    # Supplier B fills the lines offline and uploads the XLSX; it comes back as a draft to submit.
    page_b = actor(browser, base, bidders["b"].email)
    page_b.goto(f"{base}/supplier/rfqs/{invitation['b'].uuid}/bid/")
    with page_b.expect_download() as download:
        page_b.locator(f'a[href$="/{invitation["b"].uuid}/bid/xlsx/"]').click()
    workbook = load_workbook(BytesIO(download.value.path().read_bytes()))
    sheet = workbook.active
    for row, price in ((2, 4300), (3, 4350)):
        sheet.cell(row=row, column=8, value=price)
        sheet.cell(row=row, column=9, value=13)
        sheet.cell(row=row, column=10, value="vat_special")
        sheet.cell(row=row, column=11, value=15)
    filled = BytesIO()
    workbook.save(filled)
    page_b.locator('input[name="file"][accept=".xlsx"]').set_input_files(
        {
            "name": "bid.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": filled.getvalue(),
        }
    )
    page_b.locator('form[action$="/bid/xlsx/upload/"] button[type=submit]').click()
    page_b.wait_for_load_state()
    assert page_b.locator(f'[name="{lines[0].uuid}.unit_price"]').input_value() == "4300"
    page_b.click('button[name="action"][value="submit"]')
    page_b.wait_for_url(re.compile(r".*/receipts/"))

    # Supplier D bids (through the service: no need to see the form a third time).
    bid_submit(
        user=bidders["d"],
        invitation=invitation["d"],
        content=parse_bid(rfq, offer_rows(rfq, ["4600", "4700"], lead_time=40)),
    )

    # Supplier C has the form open and filled when the deadline passes: refused, with the reason.
    page_c = actor(browser, base, bidders["c"].email)
    page_c.goto(f"{base}/supplier/rfqs/{invitation['c'].uuid}/bid/")
    fill_offer(page_c, lines[0], "4000")
    fill_offer(page_c, lines[1], "4000")
    Round.objects.filter(pk=round.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    page_c.click('button[name="action"][value="submit"]')
    page_c.wait_for_load_state()
    assert re.search(r"截止|deadline", page_c.content())
    assert not BidSubmission.objects.filter(bid__supplier=suppliers["c"]).exists()
    shots(page_c, screenshot, "late")

    # Two sourcing managers open the round.
    opening_path = f"/cms/sourcing/{rfq.uuid}/rounds/{round.uuid}/opening/"
    first_manager = actor(browser, base, managers[0].email, totp=True, next_path=opening_path)
    first_manager.goto(f"{base}{opening_path}")
    first_manager.locator('form[action$="/open/"] button[type=submit]').click()
    first_manager.wait_for_load_state()
    round.refresh_from_db()
    assert round.status == RoundStatus.OPEN and round.signatures.count() == 1
    shots(first_manager, screenshot, "opening-first")
    second_manager = actor(browser, base, managers[1].email, totp=True, next_path=opening_path)
    second_manager.goto(f"{base}{opening_path}")
    second_manager.locator('form[action$="/open/"] button[type=submit]').click()
    second_manager.wait_for_load_state()
    round.refresh_from_db()
    assert round.status == RoundStatus.OPENED
    assert OpenedBidLine.objects.count() == 6  # A (its second version), B and D; nothing of C

    # The buyer compares and splits line 1 between A (6 t) and B (4 t); line 2 to A.
    staff.goto(f"{base}/cms/sourcing/{rfq.uuid}/comparison/")
    assert "4,250" in staff.content() or "4250" in staff.content()
    shots(staff, screenshot, "comparison")
    staff.goto(f"{base}/cms/sourcing/{rfq.uuid}/award/")
    line1, line2 = lines
    plan = {(line1.pk, "a"): "6", (line1.pk, "b"): "4", (line2.pk, "a"): "10"}
    for line in lines:
        for key in ("a", "b", "d"):
            field = staff.locator(f'[name="q-{line.uuid}.{invitation[key].uuid}"]')
            if field.count():
                field.fill(plan.get((line.pk, key), ""))
    # whoever is not the line's best score needs a reason; give one to everyone awarded
    for line, key in ((line1, "a"), (line1, "b"), (line2, "a")):
        staff.fill(f'[name="r-{line.uuid}.{invitation[key].uuid}"]', "分批供货，保证供应安全")
    shots(staff, screenshot, "award-form")
    staff.locator("main form button[type=submit]").first.click()
    staff.wait_for_load_state()
    award = Award.objects.get(rfq=rfq)
    assert sorted(
        (line.rfq_line.position, line.invitation.supplier.name, line.quantity) for line in award.lines.all()
    ) == [
        (1, "乙钢铁有限公司", Decimal("4")),
        (1, "甲钢铁有限公司", Decimal("6")),
        (2, "甲钢铁有限公司", Decimal("10")),
    ]
    staff.locator('form[action$="/submit/"] button[type=submit]').click()
    staff.wait_for_load_state()
    award.refresh_from_db()
    assert award.status == AwardStatus.APPROVED
    assert sorted(AwardLetter.objects.values_list("invitation__supplier__name", "is_winner")) == [
        ("丁钢铁有限公司", False), ("乙钢铁有限公司", True), ("甲钢铁有限公司", True),
    ]  # fmt: skip

    # D reads the regret notice on its RFQ page.
    page_d = actor(browser, base, bidders["d"].email)
    page_d.goto(f"{base}/supplier/rfqs/{invitation['d'].uuid}/")
    letter = AwardLetter.objects.get(invitation=invitation["d"])
    link = page_d.locator(f'a[href$="/letters/{letter.uuid}/"]')
    assert link.count() == 1
    shots(page_d, screenshot, "regret")
    for page in (staff, page_a, page_b, page_c, first_manager, second_manager, page_d):
        page.context.close()
