import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.onboarding.validators import uscc_check_character
from tests.factories.documents import PDF_BYTES

PASSWORD = "Steel-Harbour-2026!"


def uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def licence(name="licence.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def signup_data(**overrides):
    data = {
        "name": "福州闽江精密机械有限公司",
        "name_en": "Fuzhou Minjiang Precision Machinery Co., Ltd.",
        "country": "CN",
        "tax_id": "91350100M000100Y43",
        "address": "福建省福州市鼓楼区五四路 88 号",
        "contact_name": "林 海",
        "phone": "+86 591 8765 4321",
        "email": "lin.hai@minjiang.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "licence": licence(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
