"""Documents with a real stored file whose size and SHA-256 match its content."""

import hashlib

import factory
from django.core.files.base import ContentFile

from portal.documents.models import Document

from . import PartnerFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    class Params:
        content = PDF_BYTES

    kind = "general"
    owner_partner = factory.SubFactory(PartnerFactory)
    original_name = "质量证书.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda document: len(document.content))
    sha256 = factory.LazyAttribute(lambda document: hashlib.sha256(document.content).hexdigest())
    # the storage name comes from the model's upload_to (uuid), the name here only gives the extension
    file = factory.LazyAttribute(lambda document: ContentFile(document.content, name="factory.pdf"))
