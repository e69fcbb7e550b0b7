"""The download URL in the outsider sweep: a document of supplier A that its administrator may fetch."""

from portal.core.outsider import OutsiderCase, register
from tests.factories.documents import DocumentFactory

from .models import Document

register(
    OutsiderCase(
        url_name="document_download",
        model=Document,
        make=lambda cast: DocumentFactory(owner_partner=cast.supplier_a),
        owner=lambda cast, document: cast.supplier_a_admin,
        kwargs=lambda document: {"document_id": document.uuid},
    )
)
