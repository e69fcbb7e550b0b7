"""The bid as XLSX: the download (headers in the person's language, hidden line ids, drop-downs, never a last or
target price), a filled workbook uploaded back as a draft, and per-cell errors with nothing saved."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from rfq.sourcing.bidding import bid_draft_content
from rfq.sourcing.models import Bid, BidStatus, BidSubmission
from tests.conftest import login
from tests.factories.sourcing import invitation_of, make_published_rfq, submit_bid

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# columns of the sheet (1-based): A line id, B line, C item, D quantity, E unit, F need by, G site, then the offer
UNIT_PRICE, TAX_RATE, INVOICE_TYPE, LEAD_TIME, MOQ, VALID_UNTIL, COMMENT = range(8, 15)
ALT_UNIT_PRICE, ALT_TAX_RATE, ALT_INVOICE_TYPE, ALT_LEAD_TIME, ALT_MOQ, ALT_VALID_UNTIL, ALT_COMMENT = range(15, 22)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user, language="en"):
    return login(Client(HTTP_ACCEPT_LANGUAGE=language), user)


def download(client, invitation):
    response = client.get(reverse("sourcing:bid_xlsx", kwargs={"invitation_id": invitation.uuid}))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def upload(client, invitation, workbook, name="bid.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(
        reverse("sourcing:bid_xlsx_upload", kwargs={"invitation_id": invitation.uuid}),
        {"file": SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)},
    )


def fill(sheet, row, *, price, tax=13, invoice="Special VAT invoice (deductible)", lead=30, moq=None, until=None):
    sheet.cell(row=row, column=UNIT_PRICE, value=price)
    sheet.cell(row=row, column=TAX_RATE, value=tax)
    sheet.cell(row=row, column=INVOICE_TYPE, value=invoice)
    sheet.cell(row=row, column=LEAD_TIME, value=lead)
    sheet.cell(row=row, column=MOQ, value=moq)
    sheet.cell(row=row, column=VALID_UNTIL, value=until)


def state():
    return (
        list(Bid.objects.values_list("pk", "status", "draft_sealed", "draft_saved_at").order_by("pk")),
        BidSubmission.objects.count(),
    )


def test_download_has_the_lines_hidden_ids_dropdowns_and_no_staff_prices(cast):
    rfq = make_published_rfq(cast, quantities=("12.5", "3"))
    rfq.lines.update(last_price=Decimal("777.1234"), target_price=Decimal("666.4321"))
    invitation = invitation_of(rfq, cast.supplier_a)

    workbook = download(client_for(cast.supplier_a_sales), invitation)

    sheet = workbook.active
    lines = list(rfq.lines.order_by("position"))
    headers = [cell.value for cell in sheet[1]]
    assert headers[:9] == [
        "Line ID (do not change)",
        "Line",
        "Item / description",
        "Quantity",
        "Unit",
        "Need by",
        "Delivery site",
        "Unit price (net, excl. VAT)",
        "Tax rate (%)",
    ]
    assert headers[ALT_UNIT_PRICE - 1] == "Alternative: Unit price (net, excl. VAT)"
    assert sheet.column_dimensions["A"].hidden is True
    assert [sheet.cell(row=row, column=1).value for row in (2, 3)] == [str(line.uuid) for line in lines]
    assert sheet.cell(row=2, column=3).value == f"{lines[0].item.code} {lines[0].item.display_name}"
    assert Decimal(str(sheet.cell(row=2, column=4).value)) == Decimal("12.5")
    assert sheet.max_row == 3
    formulas = sorted(item.formula1 for item in sheet.data_validations.dataValidation)
    assert formulas == [
        '"13,9,6,3,1,0"',
        '"Special VAT invoice (deductible),General VAT invoice,No VAT invoice"',
    ]
    ranges = {item.formula1: str(item.sqref) for item in sheet.data_validations.dataValidation}
    assert ranges['"13,9,6,3,1,0"'] == "I2:I3 P2:P3"
    values = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    for secret in ("777.1234", "666.4321", "777", "666"):
        assert all(secret not in value for value in values)


def test_download_headers_in_chinese(cast):
    rfq = make_published_rfq(cast)
    workbook = download(client_for(cast.supplier_a_sales, "zh-hans"), invitation_of(rfq, cast.supplier_a))
    headers = [cell.value for cell in workbook.active[1]]
    with translation.override("zh-hans"):
        assert headers[UNIT_PRICE - 1] == str(translation.gettext("Unit price (net, excl. VAT)"))


def test_round_trip_saves_a_draft_that_the_form_shows(cast):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    client = client_for(cast.supplier_a_sales)
    workbook = download(client, invitation)
    sheet = workbook.active
    valid = timezone.localdate() + timedelta(days=90)
    fill(sheet, 2, price=1250.5, moq=100, until=valid)
    fill(sheet, 3, price="88", tax="9", invoice="vat_general", lead=14)
    sheet.cell(row=3, column=ALT_UNIT_PRICE, value=80)
    sheet.cell(row=3, column=ALT_TAX_RATE, value=13)
    sheet.cell(row=3, column=ALT_INVOICE_TYPE, value="No VAT invoice")
    sheet.cell(row=3, column=ALT_LEAD_TIME, value=21)
    sheet.cell(row=3, column=ALT_COMMENT, value="Made in Wuxi instead of Shanghai")

    response = upload(client, invitation, workbook)

    assert response.status_code == 302
    assert response["Location"] == reverse("sourcing:bid", kwargs={"invitation_id": invitation.uuid})
    bid = Bid.objects.get()
    assert (bid.status, BidSubmission.objects.count()) == (BidStatus.DRAFT, 0)
    content = bid_draft_content(user=cast.supplier_a_sales, bid=bid)
    first, second = rfq.lines.order_by("position")
    assert [
        (row.line, row.alternative, row.unit_price, row.tax_rate, row.invoice_type, row.lead_time_days, row.moq)
        for row in content.rows
    ] == [
        (str(first.uuid), False, Decimal("1250.5"), Decimal("13"), "vat_special", 30, Decimal("100")),
        (str(second.uuid), False, Decimal("88"), Decimal("9"), "vat_general", 14, None),
        (str(second.uuid), True, Decimal("80"), Decimal("13"), "none", 21, None),
    ]
    assert content.rows[0].price_valid_until == valid
    assert content.rows[2].comment == "Made in Wuxi instead of Shanghai"
    html = client.get(response["Location"]).content.decode()
    assert f'name="{first.uuid}.unit_price" value="1250.5"' in html
    assert f'name="{second.uuid}.alt.unit_price" value="80"' in html
    # then the supplier submits what it checked
    assert "Draft saved" in html


def test_the_download_carries_the_current_offer(cast):
    rfq = make_published_rfq(cast)
    submit_bid(cast.supplier_a_admin, rfq, cast.supplier_a, [Decimal("99.5"), 200])
    sheet = download(client_for(cast.supplier_a_sales), invitation_of(rfq, cast.supplier_a)).active
    assert float(sheet.cell(row=2, column=UNIT_PRICE).value) == 99.5
    assert sheet.cell(row=2, column=INVOICE_TYPE).value == "Special VAT invoice (deductible)"
    assert int(sheet.cell(row=3, column=LEAD_TIME).value) == 30


def test_per_cell_errors_and_nothing_saved(cast):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    client = client_for(cast.supplier_a_sales)
    workbook = download(client, invitation)
    sheet = workbook.active
    fill(sheet, 2, price=100, lead=2.5)
    fill(sheet, 3, price=-4, tax=7, until=date(2001, 1, 1))
    before = state()

    response = upload(client, invitation, workbook)

    assert response.status_code == 400
    html = response.content.decode()
    expected = [
        "Row 2, column Lead time (days): Enter the lead time as a whole number of days (0 to 3650).",
        "Row 3, column Unit price (net, excl. VAT): Enter a price greater than zero.",
        "Row 3, column Tax rate (%): Choose a VAT rate: 13, 9, 6, 3, 1 or 0 %.",
        "Row 3, column Price valid until (YYYY-MM-DD): The price must be valid until today or later.",
    ]
    positions = [html.find(message) for message in expected]
    assert -1 not in positions, [message for message in expected if message not in html]
    assert positions == sorted(positions)
    assert state() == before


def test_a_missing_line_and_a_non_numeric_price(cast):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    client = client_for(cast.supplier_a_sales)
    workbook = download(client, invitation)
    fill(workbook.active, 3, price="twelve")
    before = state()

    html = upload(client, invitation, workbook).content.decode()

    assert "Row 2, column Unit price (net, excl. VAT): This RFQ asks for a price for every line." in html
    assert "Row 3, column Unit price (net, excl. VAT): Enter the unit price as a number, e.g. 1250.50." in html
    assert state() == before


def test_a_foreign_row_and_a_wrong_file_are_refused(cast):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    client = client_for(cast.supplier_a_sales)
    workbook = download(client, invitation)
    workbook.active.cell(row=2, column=1, value="not-a-line")
    before = state()

    html = upload(client, invitation, workbook).content.decode()
    assert "Row 2: this row is not a line of the RFQ. Download the file again and keep the first column." in html

    response = client.post(
        reverse("sourcing:bid_xlsx_upload", kwargs={"invitation_id": invitation.uuid}),
        {"file": SimpleUploadedFile("bid.xlsx", b"plain text, not a workbook", content_type=XLSX)},
    )
    assert response.status_code == 400
    assert "The content of “bid.xlsx” is not a XLSX file." in response.content.decode()
    response = client.post(
        reverse("sourcing:bid_xlsx_upload", kwargs={"invitation_id": invitation.uuid}),
        {"file": SimpleUploadedFile("bid.csv", b"a,b\n", content_type="text/csv")},
    )
    assert "Upload the XLSX file you downloaded here (a .xlsx file)." in response.content.decode()
    assert state() == before


def test_upload_refused_to_finance_and_to_another_supplier(cast):
    rfq = make_published_rfq(cast)
    invitation = invitation_of(rfq, cast.supplier_a)
    workbook = download(client_for(cast.supplier_a_sales), invitation)
    fill(workbook.active, 2, price=1)
    fill(workbook.active, 3, price=1)
    before = state()
    assert upload(client_for(cast.supplier_a_finance), invitation, workbook).status_code == 403
    assert upload(client_for(cast.supplier_b_admin), invitation, workbook).status_code == 404
    assert (
        client_for(cast.supplier_a_finance)
        .get(reverse("sourcing:bid_xlsx", kwargs={"invitation_id": invitation.uuid}))
        .status_code
        == 403
    )
    assert state() == before
