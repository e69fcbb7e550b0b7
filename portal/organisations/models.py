"""The group and the world around it: companies (legal entities), their sites and warehouses,
partners (suppliers and customers, group-wide) with their per-company accounts, and who belongs where."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.integration.models import SyncedFromErp

from .access import ScopedQuerySet

currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. CNY."))


class Company(SyncedFromErp):
    """One legal entity of the group, with its own ledger, currency and time zone."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", validators=[currency_validator])
    ledger_code = models.CharField(_("ledger code"), max_length=40, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager(company_path="pk")

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Site(SyncedFromErp):
    """A plant or office of a company; goods are delivered to sites."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="sites", verbose_name=_("company"))
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["company__code", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="site_code_unique_per_company")]

    def __str__(self) -> str:
        return f"{self.company.code} · {self.name}"


class Warehouse(SyncedFromErp):
    """A stock location of a company (多库存地)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="warehouses", verbose_name=_("company"))
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="warehouses",
        verbose_name=_("site"),
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["company__code", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="warehouse_code_unique_per_company")]

    def __str__(self) -> str:
        return f"{self.company.code} · {self.name}"


class PartnerStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")  # registered or imported, not yet allowed to trade
    APPROVED = "approved", _("Approved")  # may trade with the group's companies
    BLOCKED = "blocked", _("Blocked")  # may not log in to the partner's workspace or trade


# Which status may follow which; anything else is refused by partner_set_status.
PARTNER_TRANSITIONS: dict[str, set[str]] = {
    PartnerStatus.PENDING: {PartnerStatus.APPROVED, PartnerStatus.BLOCKED},
    PartnerStatus.APPROVED: {PartnerStatus.BLOCKED},
    PartnerStatus.BLOCKED: {PartnerStatus.APPROVED},
}


class Partner(SyncedFromErp):
    """An external organisation, one record for the whole group (核心资源集中管控)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    tax_id = models.CharField(
        _("tax id / unified social credit code"),
        max_length=40,
        unique=True,
        help_text=_("The unified social credit code (统一社会信用代码) or, abroad, the VAT or tax number."),
    )
    country = models.CharField(_("country"), max_length=2, default="CN")
    address = models.TextField(_("address"), blank=True)
    is_supplier = models.BooleanField(_("supplier"), default=False)
    is_customer = models.BooleanField(_("customer"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.PENDING)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager(
        partner_path="pk",
        company_paths=("supplier_accounts__company", "customer_accounts__company"),
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(is_supplier=True) | Q(is_customer=True), name="partner_has_a_side")
        ]

    def __str__(self) -> str:
        return self.name


class SupplierAccount(SyncedFromErp):
    """A partner as supplier of one company: the ERP's vendor number and the terms agreed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="supplier_accounts", verbose_name=_("partner")
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="supplier_accounts", verbose_name=_("company")
    )
    erp_number = models.CharField(_("ERP vendor number"), max_length=40, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=100, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", validators=[currency_validator])
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager(partner_path="partner", company_path="company")

    class Meta:
        verbose_name = _("supplier account")
        verbose_name_plural = _("supplier accounts")
        constraints = [
            models.UniqueConstraint(fields=["partner", "company"], name="supplier_account_unique"),
            models.UniqueConstraint(
                fields=["company", "erp_number"],
                condition=~Q(erp_number=""),
                name="supplier_erp_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} @ {self.company.code}"


class CustomerAccount(SyncedFromErp):
    """A partner as customer of one company: the ERP's customer number, terms and credit limit."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="customer_accounts", verbose_name=_("partner")
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="customer_accounts", verbose_name=_("company")
    )
    erp_number = models.CharField(_("ERP customer number"), max_length=40, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=100, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", validators=[currency_validator])
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=20,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager(partner_path="partner", company_path="company")

    class Meta:
        verbose_name = _("customer account")
        verbose_name_plural = _("customer accounts")
        constraints = [
            models.UniqueConstraint(fields=["partner", "company"], name="customer_account_unique"),
            models.UniqueConstraint(
                fields=["company", "erp_number"],
                condition=~Q(erp_number=""),
                name="customer_erp_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} @ {self.company.code}"


class PartnerRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")  # manages colleagues and the partner's details
    SALES = "sales", _("Sales")  # bids, PO acknowledgement, customer orders
    LOGISTICS = "logistics", _("Logistics")  # shipping notices, deliveries
    FINANCE = "finance", _("Finance")  # statements, invoices
    QUALITY = "quality", _("Quality")  # quality claims


class Membership(models.Model):
    """A person's place in a partner, with the roles they hold there."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("partner")
    )
    # A list of PartnerRole values; a short JSON list works the same on SQLite and PostgreSQL.
    roles = models.JSONField(_("roles"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager(
        partner_path="partner",
        company_paths=(
            "partner__supplier_accounts__company",
            "partner__customer_accounts__company",
        ),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["partner__name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "partner"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner}"

    def has_role(self, *roles: str) -> bool:
        return self.is_active and any(role in self.roles for role in roles)


class StaffRoleName(models.TextChoices):
    BUYER = "buyer", _("Buyer")  # RFQs, purchase orders
    SOURCING_MANAGER = "sourcing_manager", _("Sourcing manager")  # bid opening, awards, supplier approval
    SALES = "sales", _("Sales")  # customer orders
    SALES_MANAGER = "sales_manager", _("Sales manager")  # order review, credit overrides
    QUALITY = "quality", _("Quality engineer")  # quality claims, supplier qualification
    FINANCE = "finance", _("Finance")  # settlements, invoices, payments
    MASTER_DATA = "master_data", _("Master data steward")  # item master, categories, units (物品标准化)
    GROUP_ADMIN = "group_admin", _("Group administrator")  # people, companies, partners, MFA resets


class StaffRole(models.Model):
    """A role of an employee, in one company or (company empty) for the whole group."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles", verbose_name=_("user")
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("company"),
        help_text=_("Leave empty for a group-wide role."),
    )
    role = models.CharField(_("role"), max_length=32, choices=StaffRoleName.choices)

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        ordering = ["user__email", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "company", "role"], name="staff_role_unique_per_company"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(company__isnull=True),
                name="staff_role_unique_group_wide",
            ),
        ]

    def __str__(self) -> str:
        where = self.company.code if self.company_id else _("group")
        return f"{self.user} · {self.get_role_display()} · {where}"


class AddressKind(models.TextChoices):
    SHIP_TO = "ship_to", _("Ship-to")  # where goods for the partner are delivered
    BILL_TO = "bill_to", _("Bill-to")  # where invoices go
    PICKUP = "pickup", _("Pick-up")  # where a supplier's goods are collected


class PartnerAddress(SyncedFromErp):
    """A postal address of a partner (ship-to, bill-to, pick-up), keyed by the ERP's address code."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="addresses", verbose_name=_("partner"))
    # Empty: valid for every company of the group; else only for orders with this company.
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_addresses",
        verbose_name=_("company"),
    )
    code = models.CharField(_("address code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=AddressKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("E.g. the plant or receiving dock."))
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province / state"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    street = models.CharField(_("street address"), max_length=300)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager(
        partner_path="partner",
        company_paths=("partner__supplier_accounts__company", "partner__customer_accounts__company"),
    )

    class Meta:
        verbose_name = _("partner address")
        verbose_name_plural = _("partner addresses")
        ordering = ["partner__name", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["partner", "code"], name="partner_address_code_unique")]

    def __str__(self) -> str:
        return " ".join(part for part in (self.province, self.city, self.district, self.street) if part)


class InvoicingDetails(SyncedFromErp):
    """开票信息: what goes on a VAT invoice issued to the partner (title, tax id, registered address and phone,
    bank and account)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.OneToOneField(
        Partner, on_delete=models.PROTECT, related_name="invoicing_details", verbose_name=_("partner")
    )
    invoice_title = models.CharField(_("invoice title"), max_length=200)
    tax_id = models.CharField(_("tax id"), max_length=40)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=60, blank=True)

    objects = ScopedQuerySet.as_manager(
        partner_path="partner",
        company_paths=("partner__supplier_accounts__company", "partner__customer_accounts__company"),
    )

    class Meta:
        verbose_name = _("invoicing details")
        verbose_name_plural = _("invoicing details")

    def __str__(self) -> str:
        return self.invoice_title


class ExchangeRate(SyncedFromErp):
    """How many units of `quote` currency one unit of `base` is worth on a day, as booked by a company's ERP
    (or, company empty, the group's reference rate)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange_rates",
        verbose_name=_("company"),
    )
    base = models.CharField(_("from currency"), max_length=3, validators=[currency_validator])
    quote = models.CharField(_("to currency"), max_length=3, validators=[currency_validator])
    valid_on = models.DateField(_("valid on"))
    rate = models.DecimalField(
        _("rate"), max_digits=20, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))]
    )

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-valid_on", "base", "quote"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "base", "quote", "valid_on"],
                condition=Q(company__isnull=False),
                name="exchange_rate_unique_per_company",
            ),
            models.UniqueConstraint(
                fields=["base", "quote", "valid_on"],
                condition=Q(company__isnull=True),
                name="exchange_rate_unique_group",
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} ({self.valid_on})"
