"""Qualification factories: document types (the seeded ones are reused by code), requirements, documents."""

import datetime as dt

import factory

from rfq.qualification.models import (
    DocumentStatus,
    DocumentType,
    QualificationDocument,
    QualificationRequirement,
    SuppliedCategory,
)
from tests.factories import PartnerFactory
from tests.factories.catalog import CategoryFactory
from tests.factories.documents import DocumentFactory


class DocumentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentType
        django_get_or_create = ("code",)

    code = "iso_9001"
    name = "ISO 9001 质量管理体系认证"
    name_en = "ISO 9001"
    has_expiry = True


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualificationRequirement

    document_type = factory.SubFactory(DocumentTypeFactory)
    category = None
    company = None


class SuppliedCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuppliedCategory

    partner = factory.SubFactory(PartnerFactory)
    category = factory.SubFactory(CategoryFactory)


class QualificationDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualificationDocument

    partner = factory.SubFactory(PartnerFactory)
    document_type = factory.SubFactory(DocumentTypeFactory)
    issuing_body = "中国质量认证中心"
    number = factory.Sequence(lambda n: f"CQC-{n:05d}")
    issued_on = dt.date(2024, 1, 1)
    expires_on = dt.date(2026, 12, 31)
    status = DocumentStatus.ACCEPTED
    file = factory.LazyAttribute(lambda document: DocumentFactory(owner_partner=document.partner, kind="certificate"))
