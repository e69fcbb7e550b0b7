"""The core demo data: the group's three companies (CNY, USD, EUR) with their sites and warehouses, six
suppliers and four customers with their accounts, one staff login per staff role and two or more people in
every partner. Loaded by `python manage.py demo_data` (or `demo`, and so by `make run`).

Safe to run again: every row is found by its natural key (company code, tax id, e-mail …) and brought back
to the state written here. A demo user's password is set only when the user is created, so a password
changed in the demo stays changed.

Staff and partner administrators must use a second factor (portal.accounts.middleware). Each of them gets
a TOTP authenticator with the documented secret below: add it to an authenticator app, or, while DEBUG is
on, type allauth's insecure bypass code (MFA_TOTP_INSECURE_BYPASS_CODE, 123456 in dev settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.db import transaction
from wagtail.users.models import UserProfile

from portal.core.registry import demo_data

from .models import (
    Company,
    CustomerAccount,
    Membership,
    Partner,
    PartnerRole,
    PartnerStatus,
    Site,
    StaffRole,
    StaffRoleName,
    SupplierAccount,
    Warehouse,
)

# Shared by every demo login; documented in README.md. Never used outside the demo.
DEMO_PASSWORD = "portal-demo-2026"
# Base32 TOTP secret of every demo authenticator (RFC 6238, SHA-1, 30 s, 6 digits); documented in README.md.
DEMO_TOTP_SECRET = "GROUPPORTALDEMOTOTPSECRETKEY2345"


@dataclass(frozen=True)
class DemoLogin:
    """One row of the logins table that `manage.py demo` and `make run` print. Other apps' loaders may
    return these too."""

    email: str
    name: str
    role: str
    organisation: str
    second_factor: bool
    language: str


COMPANIES = [
    # code, name, English name, currency, ledger code, time zone
    ("SH01", "上海钢铁有限公司", "Shanghai Steel Co., Ltd.", "CNY", "1000", "Asia/Shanghai"),
    ("HK04", "集团贸易（香港）有限公司", "Group Trading (Hong Kong) Ltd.", "USD", "4000", "Asia/Hong_Kong"),
    ("DE03", "集团欧洲有限公司", "Group Europe GmbH", "EUR", "3000", "Europe/Berlin"),
]

SITES = [
    # company, code, name, address
    ("SH01", "BS", "宝山工厂", "上海市宝山区富锦路 885 号"),
    ("SH01", "JD", "嘉定零部件工厂", "上海市嘉定区安亭镇墨玉路 288 号"),
    ("HK04", "KC", "葵涌物流中心", "香港新界葵涌货柜码头路 88 号"),
    ("DE03", "HAM", "Hamburg Distribution Centre", "Billstraße 120, 20539 Hamburg"),
]

WAREHOUSES = [
    # company, site, code, name
    ("SH01", "BS", "RM01", "原材料库"),
    ("SH01", "BS", "FG01", "成品库"),
    ("SH01", "JD", "PT01", "零部件库"),
    ("HK04", "KC", "HK01", "葵涌转运仓"),
    ("DE03", "HAM", "HAM1", "Hamburg Warehouse"),
]

PARTNERS = [
    # tax id (unified social credit code, GB 32100-2015 check digit), name, English name, supplier?,
    # customer?, address
    ("91320200MA1HK0011N", "江苏华晟特钢有限公司", "Jiangsu Huasheng Special Steel Co., Ltd.", True, False,
     "江苏省无锡市锡山区东港镇华晟路 1 号"),
    ("91330200MA2HL0027C", "宁波恒力紧固件有限公司", "Ningbo Hengli Fasteners Co., Ltd.", True, False,
     "浙江省宁波市北仑区大港工业城恒力路 6 号"),
    ("91320500MA1JM0042E", "苏州精工模具有限公司", "Suzhou Jinggong Precision Moulds Co., Ltd.", True, False,
     "江苏省苏州市吴中区木渎镇金枫路 218 号"),
    ("91120116MA05N0051G", "天津渤海化工原料有限公司", "Tianjin Bohai Chemical Materials Co., Ltd.", True, False,
     "天津市滨海新区临港经济区渤海十路 36 号"),
    ("91440300MA5FP0063Q", "深圳新能电子科技有限公司", "Shenzhen Xinneng Electronics Technology Co., Ltd.", True,
     False, "广东省深圳市宝安区福永街道凤凰第四工业区 5 栋"),
    ("91370200MA3RQ0074J", "青岛海川包装材料有限公司", "Qingdao Haichuan Packaging Materials Co., Ltd.", True,
     False, "山东省青岛市黄岛区珠江路 1688 号"),
    ("91440100MA3GU0035N", "广州联合汽车零部件有限公司", "Guangzhou United Auto Parts Co., Ltd.", False, True,
     "广东省广州市番禺区汽车城大道 88 号"),
    ("91500000MA60T0085E", "重庆长江重型机械有限公司", "Chongqing Changjiang Heavy Machinery Co., Ltd.", False,
     True, "重庆市江北区港城东路 9 号"),
    ("91350200MA8UW0096M", "厦门海联进出口有限公司", "Xiamen Hailian Import & Export Co., Ltd.", False, True,
     "福建省厦门市湖里区象屿路 97 号"),
    ("91510100MA6DX01074", "成都西部汽车制造有限公司", "Chengdu Western Automotive Manufacturing Co., Ltd.", False,
     True, "四川省成都市龙泉驿区汽车城大道 1 号"),
]  # fmt: skip

SUPPLIER_ACCOUNTS = [
    # tax id, company, ERP vendor number, payment terms, currency
    ("91320200MA1HK0011N", "SH01", "V10001", "月结 60 天", "CNY"),
    ("91320200MA1HK0011N", "HK04", "V40001", "60 days net", "USD"),
    ("91330200MA2HL0027C", "SH01", "V10002", "月结 30 天", "CNY"),
    ("91330200MA2HL0027C", "DE03", "V30001", "60 days net", "EUR"),
    ("91320500MA1JM0042E", "SH01", "V10003", "月结 60 天", "CNY"),
    ("91120116MA05N0051G", "SH01", "V10004", "月结 30 天", "CNY"),
    ("91440300MA5FP0063Q", "HK04", "V40002", "30 days net", "USD"),
    ("91440300MA5FP0063Q", "SH01", "V10005", "月结 60 天", "CNY"),
    ("91370200MA3RQ0074J", "SH01", "V10006", "月结 90 天", "CNY"),
]

CUSTOMER_ACCOUNTS = [
    # tax id, company, ERP customer number, payment terms, currency, credit limit
    ("91440100MA3GU0035N", "SH01", "K10001", "月结 30 天", "CNY", Decimal("2000000.00")),
    ("91440100MA3GU0035N", "HK04", "K40001", "T/T 30 days", "USD", Decimal("300000.00")),
    ("91500000MA60T0085E", "SH01", "K10002", "款到发货", "CNY", Decimal("500000.00")),
    ("91350200MA8UW0096M", "HK04", "K40002", "L/C at sight", "USD", Decimal("800000.00")),
    ("91350200MA8UW0096M", "DE03", "K30001", "30 days net", "EUR", Decimal("250000.00")),
    ("91510100MA6DX01074", "SH01", "K10003", "月结 60 天", "CNY", Decimal("3000000.00")),
]

# e-mail, family name, given name, language, time zone, what they do
STAFF = [
    ("admin@group.example", "王", "芳", "zh-hans", "Asia/Shanghai", [(None, StaffRoleName.GROUP_ADMIN)]),
    ("buyer@sh01.example", "李", "明", "zh-hans", "Asia/Shanghai", [("SH01", StaffRoleName.BUYER)]),
    ("sourcing@sh01.example", "张", "伟", "zh-hans", "Asia/Shanghai", [("SH01", StaffRoleName.SOURCING_MANAGER)]),
    # bids are opened by two sourcing managers
    ("sourcing2@sh01.example", "赵", "刚", "zh-hans", "Asia/Shanghai", [("SH01", StaffRoleName.SOURCING_MANAGER)]),
    ("sales@sh01.example", "陈", "静", "zh-hans", "Asia/Shanghai", [("SH01", StaffRoleName.SALES)]),
    ("salesmanager@sh01.example", "刘", "洋", "zh-hans", "Asia/Shanghai", [("SH01", StaffRoleName.SALES_MANAGER)]),
    ("quality@sh01.example", "杨", "帆", "zh-hans", "Asia/Shanghai", [("SH01", StaffRoleName.QUALITY)]),
    ("finance@sh01.example", "黄", "敏", "zh-hans", "Asia/Shanghai", [("SH01", StaffRoleName.FINANCE)]),
    ("sales@hk04.example", "Wong", "Kelvin", "en", "Asia/Hong_Kong", [("HK04", StaffRoleName.SALES)]),
    ("buyer@de03.example", "Becker", "Anna", "en", "Europe/Berlin", [("DE03", StaffRoleName.BUYER)]),
    ("masterdata@group.example", "周", "琳", "zh-hans", "Asia/Shanghai", [(None, StaffRoleName.MASTER_DATA)]),
]  # fmt: skip

MEMBERS = [
    # e-mail, family name, given name, language, time zone, partner's tax id, roles
    ("admin@huasheng.example", "赵", "磊", "zh-hans", "Asia/Shanghai", "91320200MA1HK0011N",
     [PartnerRole.ADMIN, PartnerRole.SALES, PartnerRole.FINANCE]),
    ("sales@huasheng.example", "孙", "丽", "zh-hans", "Asia/Shanghai", "91320200MA1HK0011N",
     [PartnerRole.SALES, PartnerRole.LOGISTICS]),
    ("admin@hengli.example", "吴", "军", "zh-hans", "Asia/Shanghai", "91330200MA2HL0027C",
     [PartnerRole.ADMIN, PartnerRole.SALES]),
    ("finance@hengli.example", "郑", "红", "zh-hans", "Asia/Shanghai", "91330200MA2HL0027C", [PartnerRole.FINANCE]),
    ("admin@jinggong.example", "钱", "进", "zh-hans", "Asia/Shanghai", "91320500MA1JM0042E",
     [PartnerRole.ADMIN, PartnerRole.FINANCE]),
    ("sales@jinggong.example", "冯", "雪", "zh-hans", "Asia/Shanghai", "91320500MA1JM0042E",
     [PartnerRole.SALES, PartnerRole.QUALITY]),
    ("admin@bohaichem.example", "何", "涛", "zh-hans", "Asia/Shanghai", "91120116MA05N0051G", [PartnerRole.ADMIN]),
    ("logistics@bohaichem.example", "高", "峰", "zh-hans", "Asia/Shanghai", "91120116MA05N0051G",
     [PartnerRole.LOGISTICS, PartnerRole.SALES]),
    ("admin@xinneng.example", "林", "婷", "zh-hans", "Asia/Shanghai", "91440300MA5FP0063Q",
     [PartnerRole.ADMIN, PartnerRole.SALES]),
    ("export@xinneng.example", "Lam", "Vivian", "en", "Asia/Shanghai", "91440300MA5FP0063Q",
     [PartnerRole.SALES, PartnerRole.LOGISTICS]),
    ("admin@haichuan.example", "罗", "斌", "zh-hans", "Asia/Shanghai", "91370200MA3RQ0074J", [PartnerRole.ADMIN]),
    ("quality@haichuan.example", "梁", "佳", "zh-hans", "Asia/Shanghai", "91370200MA3RQ0074J",
     [PartnerRole.QUALITY, PartnerRole.FINANCE]),
    ("admin@gzunited.example", "周", "强", "zh-hans", "Asia/Shanghai", "91440100MA3GU0035N",
     [PartnerRole.ADMIN, PartnerRole.SALES, PartnerRole.FINANCE, PartnerRole.QUALITY]),
    ("buyer@gzunited.example", "徐", "颖", "zh-hans", "Asia/Shanghai", "91440100MA3GU0035N",
     [PartnerRole.SALES, PartnerRole.LOGISTICS]),
    ("admin@cjheavy.example", "马", "超", "zh-hans", "Asia/Shanghai", "91500000MA60T0085E",
     [PartnerRole.ADMIN, PartnerRole.SALES]),
    ("quality@cjheavy.example", "胡", "军", "zh-hans", "Asia/Shanghai", "91500000MA60T0085E",
     [PartnerRole.QUALITY]),
    ("admin@hailian.example", "蔡", "伟", "zh-hans", "Asia/Shanghai", "91350200MA8UW0096M",
     [PartnerRole.ADMIN, PartnerRole.FINANCE]),
    ("trade@hailian.example", "Tan", "Michael", "en", "Asia/Shanghai", "91350200MA8UW0096M",
     [PartnerRole.SALES, PartnerRole.LOGISTICS]),
    ("admin@cdwestern.example", "邓", "磊", "zh-hans", "Asia/Shanghai", "91510100MA6DX01074",
     [PartnerRole.ADMIN, PartnerRole.SALES]),
    ("finance@cdwestern.example", "曹", "琳", "zh-hans", "Asia/Shanghai", "91510100MA6DX01074",
     [PartnerRole.FINANCE]),
]  # fmt: skip


def _demo_user(email: str, family_name: str, given_name: str, language: str, time_zone: str):
    """The user with a verified primary address and their language and time zone."""
    user, created = get_user_model().objects.update_or_create(
        email=email,
        defaults={"first_name": given_name, "last_name": family_name, "is_active": True},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    UserProfile.objects.update_or_create(
        user=user, defaults={"preferred_language": language, "current_time_zone": time_zone}
    )
    return user


def _ensure_totp(user) -> None:
    """One TOTP authenticator with the demo secret, stored encrypted through the MFA adapter."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


@demo_data.register("010-organisations")
def load_organisations_demo() -> list[DemoLogin]:
    """Companies, sites, warehouses, partners with their accounts, staff and partner users."""
    logins: list[DemoLogin] = []
    with transaction.atomic():
        companies = {}
        for code, name, name_en, currency, ledger_code, time_zone in COMPANIES:
            companies[code], _ = Company.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "currency": currency,
                    "ledger_code": ledger_code,
                    "time_zone": time_zone,
                    "is_active": True,
                },
            )
        sites = {}
        for company_code, code, name, address in SITES:
            sites[company_code, code], _ = Site.objects.update_or_create(
                company=companies[company_code], code=code, defaults={"name": name, "address": address}
            )
        for company_code, site_code, code, name in WAREHOUSES:
            Warehouse.objects.update_or_create(
                company=companies[company_code],
                code=code,
                defaults={"name": name, "site": sites[company_code, site_code]},
            )

        partners = {}
        for tax_id, name, name_en, is_supplier, is_customer, address in PARTNERS:
            partners[tax_id], _ = Partner.objects.update_or_create(
                tax_id=tax_id,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "is_supplier": is_supplier,
                    "is_customer": is_customer,
                    "address": address,
                    "country": "CN",
                    "status": PartnerStatus.APPROVED,
                },
            )
        for tax_id, company_code, erp_number, payment_terms, currency in SUPPLIER_ACCOUNTS:
            SupplierAccount.objects.update_or_create(
                partner=partners[tax_id],
                company=companies[company_code],
                defaults={
                    "erp_number": erp_number,
                    "payment_terms": payment_terms,
                    "currency": currency,
                    "is_active": True,
                },
            )
        for tax_id, company_code, erp_number, payment_terms, currency, credit_limit in CUSTOMER_ACCOUNTS:
            CustomerAccount.objects.update_or_create(
                partner=partners[tax_id],
                company=companies[company_code],
                defaults={
                    "erp_number": erp_number,
                    "payment_terms": payment_terms,
                    "currency": currency,
                    "credit_limit": credit_limit,
                    "is_active": True,
                },
            )

        for email, family_name, given_name, language, time_zone, roles in STAFF:
            user = _demo_user(email, family_name, given_name, language, time_zone)
            for company_code, role in roles:
                StaffRole.objects.get_or_create(
                    user=user, company=companies[company_code] if company_code else None, role=role
                )
            _ensure_totp(user)
            logins.append(
                DemoLogin(
                    email=email,
                    name=user.get_full_name(),
                    role=", ".join(str(StaffRoleName(role).label) for _, role in roles),
                    organisation=", ".join(code or "group" for code, _ in roles),
                    second_factor=True,
                    language=language,
                )
            )

        for email, family_name, given_name, language, time_zone, tax_id, roles in MEMBERS:
            user = _demo_user(email, family_name, given_name, language, time_zone)
            Membership.objects.update_or_create(
                user=user,
                partner=partners[tax_id],
                defaults={"roles": [str(role) for role in roles], "is_active": True},
            )
            needs_second_factor = PartnerRole.ADMIN in roles
            if needs_second_factor:
                _ensure_totp(user)
            logins.append(
                DemoLogin(
                    email=email,
                    name=user.get_full_name(),
                    role=", ".join(str(PartnerRole(role).label) for role in roles),
                    organisation=partners[tax_id].name_en,
                    second_factor=needs_second_factor,
                    language=language,
                )
            )
    return logins


@demo_data.register("900-erp-simulator")
def load_erp_simulator_connection() -> list:
    """The simulated ERP's API client and webhook endpoint (make run starts the simulator beside the portal)."""
    from portal.erpsim.demo import ensure_erp_simulator_connection

    ensure_erp_simulator_connection()
    return []
