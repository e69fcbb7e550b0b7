"""Demo AVL entries: a group-wide approval, a conditional one, a block with its reason and one that expires soon,
so the back-office list, its filters and the supplier's page have something to show. Running it again changes
nothing (entries are brought back to what is written here)."""

from __future__ import annotations

from datetime import timedelta

from catalog.models import Category
from portal.core.registry import demo_data
from portal.organisations.models import Company, Partner

from .decision import company_today
from .models import ApprovedSupplier, AvlStatus

ENTRIES = [
    # supplier's tax id, company (None: group-wide), category, status, days valid (None: no end), reason
    ("91320200MA1HK0011N", None, "STEEL", AvlStatus.APPROVED, None, ""),
    ("91330200MA2HL0027C", "SH01", "STEEL-PLATE", AvlStatus.CONDITIONAL, 180, "首件检验合格前，每批来料 100% 检验。"),
    ("91320500MA1JM0042E", "SH01", "FASTENER", AvlStatus.BLOCKED, None, "连续两批交付延误超过 10 天，待提交整改报告。"),
    ("91120116MA05N0051G", "SH01", "ELECTRICAL", AvlStatus.APPROVED, 20, ""),
]


@demo_data.register("070-avl")
def load_avl_demo() -> list:
    companies = {company.code: company for company in Company.objects.all()}
    categories = {category.code: category for category in Category.objects.all()}
    partners = {partner.tax_id: partner for partner in Partner.objects.filter(is_supplier=True)}
    for tax_id, company_code, category_code, status, days, reason in ENTRIES:
        company = companies.get(company_code) if company_code else None
        if tax_id not in partners or category_code not in categories or (company_code and company is None):
            continue
        ApprovedSupplier.objects.update_or_create(
            company=company,
            category=categories[category_code],
            partner=partners[tax_id],
            defaults={
                "status": status,
                "reason": reason,
                "valid_until": company_today(company) + timedelta(days=days) if days else None,
            },
        )
    return []
