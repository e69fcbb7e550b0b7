"""Demo data for onboarding: a supplier registration and a request to join, both waiting for a decision.
Idempotent: found by tax id and e-mail; decided rows are left as they are (the demo may have approved them)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from wagtail.users.models import UserProfile

from portal.core.registry import demo_data
from portal.documents.services import document_store_generated
from portal.organisations.demo import DEMO_PASSWORD, DemoLogin, _ensure_totp
from portal.organisations.models import Membership, Partner, PartnerStatus

from .models import JoinRequest, Registration, RegistrationKind
from .services import APPLICANT_ROLES, LICENCE_KIND
from .validators import uscc_check_character

PENDING_TAX_ID = "91350100M000100Y43"
JOIN_PARTNER_TAX_ID = "91320200MA1HK0011N"  # 江苏华晟特钢 (organisations' demo)
# A one-page PDF standing in for a scanned business licence.
LICENCE_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

assert uscc_check_character(PENDING_TAX_ID[:17]) == PENDING_TAX_ID[17]


def _applicant(email: str, family_name: str, given_name: str, phone: str):
    user, created = get_user_model().objects.get_or_create(
        email=email, defaults={"first_name": given_name, "last_name": family_name, "phone": phone}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "zh-hans"})
    return user


@demo_data.register("050-onboarding")
def load_onboarding_demo() -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    with transaction.atomic():
        applicant = _applicant("lin.hai@minjiang.example", "林", "海", "+86 591 8765 4321")
        partner, _created = Partner.objects.get_or_create(
            tax_id=PENDING_TAX_ID,
            defaults={
                "name": "福州闽江精密机械有限公司",
                "name_en": "Fuzhou Minjiang Precision Machinery Co., Ltd.",
                "country": "CN",
                "address": "福建省福州市鼓楼区五四路 88 号",
                "is_supplier": True,
                "status": PartnerStatus.PENDING,
            },
        )
        Membership.objects.get_or_create(user=applicant, partner=partner, defaults={"roles": list(APPLICANT_ROLES)})
        registration, _created = Registration.objects.get_or_create(
            partner=partner,
            defaults={
                "kind": RegistrationKind.SUPPLIER,
                "applicant": applicant,
                "contact_name": "林海",
                "phone": "+86 591 8765 4321",
            },
        )
        if registration.licence_id is None:
            registration.licence = document_store_generated(
                content=LICENCE_PDF,
                file_name="营业执照.pdf",
                kind=LICENCE_KIND,
                obj=registration,
                owner_partner=partner,
            )
            registration.save(update_fields=["licence"])
        _ensure_totp(applicant)  # the applicant is the partner's administrator: a second factor is required
        logins.append(
            DemoLogin(
                email=applicant.email,
                name=applicant.get_full_name(),
                role="applicant (registration pending)",
                organisation=partner.name_en,
                second_factor=True,
                language="zh-hans",
            )
        )

        join_partner = Partner.objects.filter(tax_id=JOIN_PARTNER_TAX_ID).first()
        if join_partner is not None:
            person = _applicant("zhou.qiang@huasheng.example", "周", "强", "+86 510 8888 0102")
            if not Membership.objects.filter(user=person, partner=join_partner).exists():
                JoinRequest.objects.get_or_create(
                    user=person,
                    partner=join_partner,
                    status="pending",
                    defaults={"contact_name": "周强", "phone": "+86 510 8888 0102"},
                )
            logins.append(
                DemoLogin(
                    email=person.email,
                    name=person.get_full_name(),
                    role="asks to join (pending)",
                    organisation=join_partner.name_en,
                    second_factor=False,
                    language="zh-hans",
                )
            )
    return logins
