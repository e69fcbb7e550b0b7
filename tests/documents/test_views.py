"""The documents page and the download: who gets what, with which headers; denials change nothing."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from portal.audit.models import AuditEvent
from portal.documents.models import Document
from tests.conftest import login
from tests.factories.documents import PDF_BYTES, DocumentFactory

ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def english(user) -> Client:
    return login(Client(headers={"Accept-Language": "en"}), user)


@pytest.fixture
def document(cast, media):
    return DocumentFactory(owner_partner=cast.supplier_a, original_name="质量证书.pdf")


def url(document) -> str:
    return f"/account/documents/{document.uuid}/"


@pytest.mark.django_db
def test_the_owner_downloads_the_exact_bytes_as_an_attachment(cast, document, login_as):
    response = login_as(cast.supplier_a_admin).get(url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert {
        name: response[name]
        for name in (
            "Content-Type",
            "Content-Disposition",
            "Content-Length",
            "X-Content-Type-Options",
            "Cache-Control",
        )
    } == {
        "Content-Type": "application/pdf",
        # RFC 5987/6266: the Chinese name travels as UTF-8, percent-encoded
        "Content-Disposition": "attachment; filename*=utf-8''%E8%B4%A8%E9%87%8F%E8%AF%81%E4%B9%A6.pdf",
        "Content-Length": str(len(PDF_BYTES)),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }


@pytest.mark.django_db
def test_an_ascii_name_is_a_plain_filename(cast, media, login_as):
    document = DocumentFactory(owner_partner=cast.supplier_a, original_name='report "Q1".pdf')
    response = login_as(cast.supplier_a_sales).get(url(document))
    assert response["Content-Disposition"] == 'attachment; filename="report \\"Q1\\".pdf"'


@pytest.mark.django_db
def test_staff_of_the_owner_company_and_group_staff_download(cast, media, login_as):
    document = DocumentFactory(owner_partner=None, owner_company=cast.company_a)
    assert login_as(cast.buyer).get(url(document)).status_code == 200
    assert english(cast.group_admin).get(url(document)).status_code == 200
    assert english(cast.staff_b).get(url(document)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["supplier_b_admin", "staff_b", "buyer", "outsider", "customer_c_admin"])
def test_others_get_404_and_nothing_changes(cast, document, unchanged, who):
    # the buyer of company A too: the document belongs to supplier A alone, not to company A
    with unchanged():
        response = english(getattr(cast, who)).get(url(document))
    assert response.status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(cast, document, client, unchanged):
    with unchanged():
        response = client.get(url(document))
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url(document)}")


@pytest.mark.django_db
def test_a_missing_file_is_404_not_500(cast, document, login_as):
    document.file.storage.delete(document.file.name)
    assert login_as(cast.supplier_a_admin).get(url(document)).status_code == 404


@pytest.mark.django_db
def test_media_is_not_served_at_any_url(cast, document, login_as):
    client = login_as(cast.supplier_a_admin)
    assert client.get(settings.MEDIA_URL + document.file.name).status_code == 404
    assert client.get("/media/" + document.file.name).status_code == 404


@pytest.mark.django_db
def test_the_list_shows_the_active_partners_documents_and_the_upload_form_to_admins(cast, media):
    mine = DocumentFactory(owner_partner=cast.supplier_a, original_name="营业执照.pdf", kind="certificate")
    DocumentFactory(owner_partner=cast.supplier_b, original_name="not-mine.pdf")
    page = english(cast.supplier_a_admin).get("/account/documents/").content.decode()
    assert (
        f'href="/account/documents/{mine.uuid}/"' in page,
        "营业执照.pdf" in page,
        "not-mine.pdf" in page,
    ) == (
        True,
        True,
        False,
    )
    assert ('enctype="multipart/form-data"' in page, "Certificate" in page) == (True, True)
    page = english(cast.supplier_a_sales).get("/account/documents/").content.decode()
    assert ("营业执照.pdf" in page, 'enctype="multipart/form-data"' in page) == (True, False)
    assert "Only your organisation's administrators can upload documents." in page


@pytest.mark.django_db
def test_the_list_is_404_for_people_who_act_for_no_partner_and_login_for_anonymous(cast, media, client):
    DocumentFactory(owner_partner=None, owner_company=cast.company_a)
    assert english(cast.buyer).get("/account/documents/").status_code == 404
    assert english(cast.outsider).get("/account/documents/").status_code == 404
    response = client.get("/account/documents/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/account/documents/")


def post(client, name="证书.pdf", content=PDF_BYTES, kind="certificate"):
    return client.post("/account/documents/", {"kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
def test_an_admin_uploads_a_document(cast, media):
    client = english(cast.supplier_a_admin)
    response = post(client)
    assert (response.status_code, response["Location"]) == (302, "/account/documents/")
    document = Document.objects.get()
    assert (document.kind, document.original_name, document.owner_partner, document.uploaded_by) == (
        "certificate",
        "证书.pdf",
        cast.supplier_a,
        cast.supplier_a_admin,
    )
    assert media.files() == [document.file.name]
    event = AuditEvent.objects.get()
    assert (event.action, event.ip_address) == ("document.upload", "127.0.0.1")
    assert "“证书.pdf” was uploaded." in client.get("/account/documents/").content.decode()


@pytest.mark.django_db
def test_a_refused_upload_shows_the_reason_and_changes_nothing(cast, unchanged):
    client = english(cast.supplier_a_admin)
    with unchanged():
        response = post(client, name="invoice.pdf", content=ELF_HEADER)
    assert response.status_code == 200
    assert (
        "The content of “invoice.pdf” is not a PDF file. Check that you chose the right file."
        in response.content.decode()
    )
    with unchanged():
        response = post(client, kind="payslip")
    assert response.status_code == 200
    assert "Select a valid choice. payslip is not one of the available choices." in response.content.decode()


@pytest.mark.django_db
def test_a_member_without_the_admin_role_gets_403_and_nothing_changes(cast, unchanged):
    with unchanged():
        response = post(english(cast.supplier_a_sales))
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["buyer", "group_admin", "outsider"])
def test_people_who_act_for_no_partner_cannot_upload(cast, unchanged, who):
    with unchanged():
        response = post(english(getattr(cast, who)))
    assert response.status_code == 404


@pytest.mark.django_db
def test_anonymous_upload_is_sent_to_login(cast, client, unchanged):
    with unchanged():
        response = post(client)
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/account/documents/")


@pytest.mark.django_db
def test_the_list_runs_a_constant_number_of_queries(cast, media, django_assert_num_queries):
    client = english(cast.supplier_a_admin)
    DocumentFactory(owner_partner=cast.supplier_a, uploaded_by=cast.supplier_a_admin)
    client.get("/account/documents/")  # warm what only a first request loads
    # 10 queries whatever the number of documents: session, user, UserProfile (language and zone), the
    # user's scope (memberships, staff roles), the active membership with its partner, the base layout's
    # partner switcher and unread-notification count; and the page's own two: COUNT(*) for the paginator and
    # one page of documents joined with their uploader (no query per row).
    with django_assert_num_queries(10):
        client.get("/account/documents/")
    for number in range(30):
        DocumentFactory(owner_partner=cast.supplier_a, uploaded_by=cast.supplier_a_sales, original_name=f"{number}.pdf")
    with django_assert_num_queries(10):
        response = client.get("/account/documents/")
    assert response.content.decode().count('href="/account/documents/') == 31
