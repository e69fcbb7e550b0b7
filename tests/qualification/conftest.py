import pytest
from django.db import connection

from rfq.qualification.models import DocumentType


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def iso9001(db):
    """The seeded ISO 9001 type (the data migration made it)."""
    return DocumentType.objects.get(code="iso_9001")


@pytest.fixture(autouse=True)
def document_type_sequence(db):
    """The seeded types may have been put back by a browser test's serialized rollback without moving the id
    sequence (a --reuse-db run after browser tests): move it past them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('qualification_documenttype', 'id'), "
            "GREATEST((SELECT MAX(id) FROM qualification_documenttype), 1))"
        )
