"""Storing documents: checked (size, extension, sniffed content), hashed, stored, audited.

What a person uploads is refused with a clear, translated DomainError when it is empty, too large, of a type
outside the allow-list, or when its content is not what its extension says (an .exe renamed .pdf). The file is
stored under a uuid name through Django's default storage (file system, or S3-compatible via django-storages);
the person's file name is kept as data for the download only.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.errors import DomainError

from .models import Document

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
# filetype needs the first 261 bytes; more costs nothing and helps no matcher.
SNIFF_BYTES = 8 * 1024


@dataclass(frozen=True)
class AllowedType:
    content_type: str
    # how the content is checked: "magic" (filetype's signature must give content_type), "zip", "ooxml"
    # (a zip holding `member`), or "text" (UTF-8 without NUL bytes)
    check: str
    member: str = ""


ALLOWED_TYPES: dict[str, AllowedType] = {
    "pdf": AllowedType("application/pdf", "magic"),
    "png": AllowedType("image/png", "magic"),
    "jpg": AllowedType("image/jpeg", "magic"),
    "jpeg": AllowedType("image/jpeg", "magic"),
    "gif": AllowedType("image/gif", "magic"),
    "webp": AllowedType("image/webp", "magic"),
    "zip": AllowedType("application/zip", "zip"),
    "xlsx": AllowedType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml", "xl/workbook.xml"
    ),
    "docx": AllowedType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "ooxml",
        "word/document.xml",
    ),
    "csv": AllowedType("text/csv", "text"),
    "txt": AllowedType("text/plain", "text"),
}


@dataclass(frozen=True)
class Inspection:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def clean_original_name(name: str) -> str:
    """The person's file name without any path or control characters, at most 255 characters."""
    name = os.path.basename(name.replace("\\", "/")).strip()
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    if len(name) > 255:
        stem, extension = os.path.splitext(name)
        name = stem[: 255 - len(extension)] + extension
    return name or "document"


def _chunks(file: IO[bytes]):
    file.seek(0)
    while chunk := file.read(CHUNK_SIZE):
        yield chunk


def inspect_file(file: IO[bytes], name: str, *, max_bytes: int | None) -> Inspection:
    """Check the file and return what it is; DomainError (translated) when it may not be stored."""
    allowed_list = ", ".join(sorted(ALLOWED_TYPES))
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if not extension:
        raise DomainError(
            _("The file “%(name)s” has no extension. Allowed types: %(allowed)s.")
            % {"name": name, "allowed": allowed_list}
        )
    allowed = ALLOWED_TYPES.get(extension)
    if allowed is None:
        raise DomainError(
            _("Files of type “.%(extension)s” cannot be uploaded. Allowed types: %(allowed)s.")
            % {"extension": extension, "allowed": allowed_list}
        )
    if max_bytes is not None and (getattr(file, "size", None) or 0) > max_bytes:
        raise _too_large(name, max_bytes)
    # Size, hash and (for text) the UTF-8 check in one streaming pass; stop reading past the limit.
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_text = allowed.check == "text"
    size = 0
    for chunk in _chunks(file):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise _too_large(name, max_bytes)
        digest.update(chunk)
        if is_text:
            _check_text_chunk(decoder, chunk, name, final=False)
    if size == 0:
        raise DomainError(_("The file “%(name)s” is empty.") % {"name": name})
    if is_text:
        _check_text_chunk(decoder, b"", name, final=True)
    elif not _content_matches(file, allowed):
        raise DomainError(
            _("The content of “%(name)s” is not a %(extension)s file. Check that you chose the right file.")
            % {"name": name, "extension": extension.upper()}
        )
    file.seek(0)
    return Inspection(
        name=name,
        extension=extension,
        content_type=allowed.content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


def _too_large(name: str, max_bytes: int) -> DomainError:
    return DomainError(
        _("The file “%(name)s” is larger than the limit of %(limit)s.")
        % {"name": name, "limit": filesizeformat(max_bytes)}
    )


def _check_text_chunk(decoder: codecs.IncrementalDecoder, chunk: bytes, name: str, *, final: bool) -> None:
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError as error:
        message = _("“%(name)s” is not UTF-8 text. Save it as UTF-8 (e.g. “CSV UTF-8” in Excel) and upload it again.")
        raise DomainError(message % {"name": name}) from error
    if b"\x00" in chunk:
        raise DomainError(_("“%(name)s” contains binary data, not text.") % {"name": name})


def _content_matches(file: IO[bytes], allowed: AllowedType) -> bool:
    file.seek(0)
    if allowed.check == "magic":
        guessed = filetype.guess(file.read(SNIFF_BYTES))
        return guessed is not None and guessed.mime == allowed.content_type
    # zip and the Office formats built on it: read only the central directory, never decompress (no zip bomb).
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    if allowed.check == "ooxml":
        return "[Content_Types].xml" in names and allowed.member in names
    return True


def _owner_required(owner_partner: Any, owner_company: Any) -> None:
    if owner_partner is None and owner_company is None:
        raise ValueError("A document needs an owner partner or an owner company.")


def _object_reference(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(getattr(obj, "uuid", None) or obj.pk)


def _is_person(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and not getattr(actor, "is_api_client", False)


def _save(
    *,
    actor: Any,
    file: IO[bytes],
    inspection: Inspection,
    kind: str,
    owner_partner: Any,
    owner_company: Any,
    obj: models.Model | None,
    version: int,
    action: str,
    request: Any,
) -> Document:
    """Write the file, then the row and its audit event in one transaction; remove the file if that fails."""
    object_type, object_id = _object_reference(obj)
    document = Document(
        kind=kind,
        owner_partner=owner_partner,
        owner_company=owner_company,
        object_type=object_type,
        object_id=object_id,
        version=version,
        original_name=inspection.name,
        content_type=inspection.content_type,
        size=inspection.size,
        sha256=inspection.sha256,
        uploaded_by=actor if _is_person(actor) else None,
    )
    # upload_to makes the storage name (uuid + extension): the person's file name is never part of it.
    document.file.save(f"upload.{inspection.extension}", file if isinstance(file, File) else File(file), save=False)
    try:
        with transaction.atomic():
            document.save()
            audit_record(
                actor=actor,
                action=action,
                obj=document,
                partner=owner_partner,
                company=owner_company,
                after={
                    "kind": kind,
                    "file_name": inspection.name,
                    "content_type": inspection.content_type,
                    "size": inspection.size,
                    "sha256": inspection.sha256,
                    "version": version,
                    "object_type": object_type,
                    "object_id": object_id,
                },
                request=request,
            )
    except BaseException:
        document.file.storage.delete(document.file.name)
        raise
    return document


def document_store(
    *,
    actor: Any,
    uploaded_file: Any,
    kind: str,
    owner_partner: Any = None,
    owner_company: Any = None,
    obj: models.Model | None = None,
    version: int = 1,
    request: Any = None,
) -> Document:
    """Store a file a person uploaded, after checking it; DomainError (nothing stored) when it is refused."""
    _owner_required(owner_partner, owner_company)
    name = clean_original_name(uploaded_file.name or "")
    inspection = inspect_file(uploaded_file, name, max_bytes=settings.DOCUMENT_MAX_BYTES)
    return _save(
        actor=actor,
        file=uploaded_file,
        inspection=inspection,
        kind=kind,
        owner_partner=owner_partner,
        owner_company=owner_company,
        obj=obj,
        version=version,
        action="document.upload",
        request=request,
    )


def document_store_generated(
    *,
    actor: Any = None,
    content: bytes,
    file_name: str,
    kind: str,
    obj: models.Model,
    owner_partner: Any = None,
    owner_company: Any = None,
    version: int = 1,
) -> Document:
    """Store a file the system generated for `obj` (e.g. a PDF); a retry returns the existing document."""
    _owner_required(owner_partner, owner_company)
    object_type, object_id = _object_reference(obj)
    same = Document.objects.filter(kind=kind, object_type=object_type, object_id=object_id, version=version)
    existing = same.first()
    if existing is not None:
        return existing
    file = ContentFile(content)
    # Generated files are checked like uploads (a broken generator must not store garbage), without the
    # size limit, which protects against people's uploads.
    inspection = inspect_file(file, clean_original_name(file_name), max_bytes=None)
    try:
        return _save(
            actor=actor,
            file=file,
            inspection=inspection,
            kind=kind,
            owner_partner=owner_partner,
            owner_company=owner_company,
            obj=obj,
            version=version,
            action="document.generate",
            request=None,
        )
    except IntegrityError:
        # Another worker stored the same (kind, object, version) between our check and our insert.
        logger.info("generated document %s %s v%s already stored by a concurrent run", kind, object_id, version)
        return same.get()
