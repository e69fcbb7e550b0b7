"""The document types every supplier relationship starts with; staff add or deactivate types in the back office."""

from django.db import migrations

TYPES = [
    ("business_licence", "营业执照", "Business licence", False),
    ("iso_9001", "ISO 9001 质量管理体系认证", "ISO 9001", True),
    ("iso_14001", "ISO 14001 环境管理体系认证", "ISO 14001", True),
    ("iatf_16949", "IATF 16949 汽车质量管理体系认证", "IATF 16949", True),
    ("industry_permit", "行业许可证", "Industry permit", True),
    ("safety_licence", "安全生产许可证", "Safety production licence", True),
    ("bank_account_letter", "开户许可证/银行开户证明", "Bank account letter", False),
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("qualification", "DocumentType")
    for order, (code, name, name_en, has_expiry) in enumerate(TYPES):
        DocumentType.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "has_expiry": has_expiry, "sort_order": (order + 1) * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("qualification", "0001_documents_and_requirements")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
