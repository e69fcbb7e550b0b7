import pytest

from rfq.qualification.models import DocumentType


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def iso9001(db):
    """The seeded ISO 9001 type (the data migration made it)."""
    return DocumentType.objects.get(code="iso_9001")
