"""document_store / document_store_generated: what is refused (nothing changed), what is stored, and how."""

import hashlib
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.query import QuerySet
from django.http import Http404
from django.utils import translation

from portal.audit.models import AuditEvent
from portal.core.errors import DomainError
from portal.documents.models import Document
from portal.documents.selectors import get_document_for_user
from portal.documents.services import document_store, document_store_generated
from tests.factories.documents import PDF_BYTES, DocumentFactory

ALLOWED = "csv, docx, gif, jpeg, jpg, pdf, png, txt, webp, xlsx, zip"
ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
WINDOWS_EXE_HEADER = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
CSV_BYTES = "name,city\n甲,上海\n".encode()


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")  # what the browser claims: ignored


def zip_bytes(*members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


def store(cast, name, content, **kwargs):
    with translation.override("en"):
        return document_store(
            actor=cast.supplier_a_admin,
            uploaded_file=upload(name, content),
            kind="general",
            owner_partner=cast.supplier_a,
            **kwargs,
        )


def refused(cast, name, content, unchanged):
    with unchanged(), pytest.raises(DomainError) as raised:
        store(cast, name, content)
    return raised.value.message


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(cast, settings, unchanged):
    settings.DOCUMENT_MAX_BYTES = 16
    assert refused(cast, "notes.txt", b"x" * 17, unchanged) == (
        "The file “notes.txt” is larger than the limit of 16\xa0bytes."
    )


@pytest.mark.django_db
def test_a_file_of_exactly_the_size_limit_is_stored(cast, settings, media):
    settings.DOCUMENT_MAX_BYTES = 16
    assert store(cast, "notes.txt", b"x" * 16).size == 16


@pytest.mark.django_db
def test_an_empty_file_is_refused(cast, unchanged):
    assert refused(cast, "empty.pdf", b"", unchanged) == "The file “empty.pdf” is empty."


@pytest.mark.django_db
def test_an_extension_outside_the_allow_list_is_refused(cast, unchanged):
    assert refused(cast, "setup.exe", WINDOWS_EXE_HEADER, unchanged) == (
        f"Files of type “.exe” cannot be uploaded. Allowed types: {ALLOWED}."
    )
    assert refused(cast, "README", b"hello", unchanged) == (
        f"The file “README” has no extension. Allowed types: {ALLOWED}."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "label"),
    [
        ("invoice.pdf", ELF_HEADER, "PDF"),
        ("invoice.pdf", WINDOWS_EXE_HEADER, "PDF"),
        ("photo.jpg", PNG_BYTES, "JPG"),
        ("sheet.xlsx", zip_bytes("[Content_Types].xml", "word/document.xml"), "XLSX"),
        ("letter.docx", zip_bytes("readme.txt"), "DOCX"),
        ("archive.zip", PDF_BYTES, "ZIP"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(cast, unchanged, name, content, label):
    assert refused(cast, name, content, unchanged) == (
        f"The content of “{name}” is not a {label} file. Check that you chose the right file."
    )


@pytest.mark.django_db
def test_text_must_be_utf8_without_nul_bytes(cast, unchanged):
    assert refused(cast, "list.csv", "名称,城市\n".encode("gbk"), unchanged) == (
        "“list.csv” is not UTF-8 text. Save it as UTF-8 (e.g. “CSV UTF-8” in Excel) and upload it again."
    )
    assert refused(cast, "list.txt", b"abc\x00def", unchanged) == "“list.txt” contains binary data, not text."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("证书.PDF", PDF_BYTES, "application/pdf"),
        ("logo.png", PNG_BYTES, "image/png"),
        ("list.csv", CSV_BYTES, "text/csv"),
        ("docs.zip", zip_bytes("a.txt"), "application/zip"),
        (
            "letter.docx",
            zip_bytes("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "sheet.xlsx",
            zip_bytes("[Content_Types].xml", "xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_the_sniffed_content_type_is_stored_not_the_browsers(cast, media, name, content, content_type):
    assert store(cast, name, content).content_type == content_type


@pytest.mark.django_db
def test_a_stored_document_has_its_hash_size_uuid_name_and_audit_event(cast, media):
    document = store(cast, "C:\\fakepath\\供应商名单.csv", CSV_BYTES)
    document.refresh_from_db()
    assert document.sha256 == "270733b460f6444d5fee1f68b1c7a6ec0d5f5535c4ab7e088f7d1069bcdcf1a6"
    assert (document.size, document.original_name, document.kind, document.version) == (
        len(CSV_BYTES),
        "供应商名单.csv",
        "general",
        1,
    )
    assert (document.owner_partner, document.owner_company, document.uploaded_by) == (
        cast.supplier_a,
        None,
        cast.supplier_a_admin,
    )
    # the storage name is the uuid, never the person's file name
    assert re.fullmatch(rf"documents/\d{{4}}/\d{{2}}/{document.uuid}\.csv", document.file.name)
    assert media.files() == [document.file.name]
    assert (media.root / document.file.name).read_bytes() == CSV_BYTES
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.partner, event.object_id) == (
        "document.upload",
        cast.supplier_a_admin,
        cast.supplier_a,
        str(document.uuid),
    )
    assert event.after == {
        "kind": "general",
        "file_name": "供应商名单.csv",
        "content_type": "text/csv",
        "size": len(CSV_BYTES),
        "sha256": document.sha256,
        "version": 1,
        "object_type": "",
        "object_id": "",
    }


@pytest.mark.django_db
def test_the_hash_streams_over_many_chunks(cast, media):
    content = b"%PDF-1.7\n" + bytes(range(256)) * 1200  # about 300 KB: several 64 KB chunks
    assert store(cast, "big.pdf", content).sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.django_db
def test_a_failure_after_the_file_was_written_leaves_no_file_and_no_row(cast, unchanged, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("audit is down")

    monkeypatch.setattr("portal.documents.services.audit_record", fail)
    with unchanged(), pytest.raises(RuntimeError):
        store(cast, "ok.pdf", PDF_BYTES)


@pytest.mark.django_db
def test_a_document_needs_an_owner(cast, unchanged):
    with unchanged(), pytest.raises(ValueError):
        document_store(actor=cast.supplier_a_admin, uploaded_file=upload("a.pdf", PDF_BYTES), kind="general")


@pytest.mark.django_db
def test_who_sees_a_document(cast, media):
    partner_document = DocumentFactory(owner_partner=cast.supplier_a)
    company_document = DocumentFactory(owner_partner=None, owner_company=cast.company_a)
    assert list(Document.objects.visible_to(cast.supplier_a_sales)) == [partner_document]
    assert list(Document.objects.visible_to(cast.buyer)) == [company_document]
    assert set(Document.objects.visible_to(cast.group_admin)) == {partner_document, company_document}
    for outsider in (cast.supplier_b_admin, cast.staff_b, cast.outsider, cast.customer_c_admin):
        assert list(Document.objects.visible_to(outsider)) == []
        with pytest.raises(Http404):
            get_document_for_user(outsider, partner_document.uuid)


def generate(cast, *, version=1, content=PDF_BYTES):
    return document_store_generated(
        content=content,
        file_name="采购订单 PO-1.pdf",
        kind="purchase-order",
        obj=cast.supplier_a,
        owner_partner=cast.supplier_a,
        owner_company=cast.company_a,
        version=version,
    )


@pytest.mark.django_db
def test_a_generated_document_retried_is_the_same_document(cast, media):
    first = generate(cast)
    assert generate(cast, content=PDF_BYTES + b"% retried\n") == first
    assert (Document.objects.count(), AuditEvent.objects.count(), media.files()) == (1, 1, [first.file.name])
    assert (first.object_type, first.object_id, first.uploaded_by, first.sha256) == (
        "organisations.partner",
        str(cast.supplier_a.uuid),
        None,
        hashlib.sha256(PDF_BYTES).hexdigest(),
    )
    assert AuditEvent.objects.get().action == "document.generate"
    # a new version is a new document
    second = generate(cast, version=2)
    assert second != first
    assert Document.objects.count() == 2


@pytest.mark.django_db
def test_a_generated_document_stored_concurrently_returns_the_winner_and_leaves_no_file(cast, media, monkeypatch):
    winner = generate(cast)
    real_first = QuerySet.first
    calls = []

    def first_misses_once(queryset):
        # the other worker's row is not visible yet when this one checks
        if queryset.model is Document and not calls:
            calls.append(1)
            return None
        return real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first_misses_once)
    assert generate(cast) == winner
    assert calls == [1]
    assert (Document.objects.count(), AuditEvent.objects.count(), media.files()) == (1, 1, [winner.file.name])
