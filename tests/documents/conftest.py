from contextlib import contextmanager

import pytest

from portal.audit.models import AuditEvent
from portal.documents.models import Document


@pytest.fixture
def media(settings, tmp_path):
    """A storage of this test's own, so that `media.files()` lists exactly what the test stored."""
    settings.MEDIA_ROOT = tmp_path / "media"

    class Media:
        root = settings.MEDIA_ROOT

        def files(self) -> list[str]:
            if not self.root.exists():
                return []
            return sorted(str(path.relative_to(self.root)) for path in self.root.rglob("*") if path.is_file())

    return Media()


@pytest.fixture
def unchanged(media):
    """`with unchanged(): ...` asserts that no document, audit event or stored file appeared or vanished."""

    @contextmanager
    def check():
        before = (Document.objects.count(), AuditEvent.objects.count(), media.files())
        yield
        assert (Document.objects.count(), AuditEvent.objects.count(), media.files()) == before

    return check
