"""The qualification URLs in the outsider sweep: supplier A's documents, categories and company A's requirement."""

from portal.core.outsider import OutsiderCase, register
from tests.qualification.factories import (
    DocumentTypeFactory,
    QualificationDocumentFactory,
    RequirementFactory,
    SuppliedCategoryFactory,
)

from .models import DocumentStatus, DocumentType, QualificationDocument, QualificationRequirement, SuppliedCategory


def _submitted(cast):
    return QualificationDocumentFactory(partner=cast.supplier_a, status=DocumentStatus.SUBMITTED)


register(
    OutsiderCase(
        url_name="qualification_document_replace",
        model=QualificationDocument,
        make=lambda cast: QualificationDocumentFactory(partner=cast.supplier_a),
        owner=lambda cast, document: cast.supplier_a_admin,
        kwargs=lambda document: {"document_id": document.uuid},
    )
)
register(
    OutsiderCase(
        url_name="qualification_category_withdraw",
        model=SuppliedCategory,
        make=lambda cast: SuppliedCategoryFactory(partner=cast.supplier_a),
        owner=lambda cast, supplied: cast.supplier_a_admin,
        kwargs=lambda supplied: {"supplied_id": supplied.uuid},
        method="post",
        owner_status=302,
    )
)
for name, method, data, status in (
    ("document_detail", "get", {}, 200),
    ("document_file", "get", {}, 200),
    ("document_accept", "post", {}, 302),
    ("document_reject", "post", {"reason": "扫描件不清晰"}, 302),
):
    register(
        OutsiderCase(
            url_name=f"qualification_admin:{name}",
            model=QualificationDocument,
            make=_submitted,
            owner=lambda cast, document: cast.sourcing_manager,
            kwargs=lambda document: {"document_id": document.uuid},
            method=method,
            data=data,
            owner_status=status,
        )
    )
register(
    OutsiderCase(
        url_name="qualification_admin:document_type_edit",
        model=DocumentType,
        make=lambda cast: DocumentTypeFactory(code="sweep_type", name="抽查类型"),
        owner=lambda cast, document_type: cast.group_admin,
        kwargs=lambda document_type: {"type_id": document_type.uuid},
        # group-wide master data: staff of another company learn nothing new, but may not change it
        expect={"staff_b": 403},
    )
)
register(
    OutsiderCase(
        url_name="qualification_admin:requirement_edit",
        model=QualificationRequirement,
        make=lambda cast: RequirementFactory(company=cast.company_a),
        owner=lambda cast, requirement: cast.sourcing_manager,
        kwargs=lambda requirement: {"requirement_id": requirement.uuid},
    )
)
register(
    OutsiderCase(
        url_name="qualification_admin:supplier_detail",
        model=QualificationDocument,
        make=lambda cast: QualificationDocumentFactory(partner=cast.supplier_a),
        owner=lambda cast, document: cast.sourcing_manager,
        kwargs=lambda document: {"partner_id": document.partner.uuid},
    )
)
