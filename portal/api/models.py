"""API clients: the ERP systems that call /api/v1/. Each is bound to one company or to the whole group,
holds a hashed key (shown once, at creation) and a list of scopes, and can be revoked."""

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX_LENGTH = 8


class ApiClient(models.Model):
    is_api_client = True  # tells the access layer this actor is a machine, not a person

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    company = models.ForeignKey(
        "organisations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_clients",
        verbose_name=_("company"),
        help_text=_("Leave empty for a group-wide client."),
    )
    # The first characters of the key, stored plainly to find the row; the rest is only hashed.
    key_prefix = models.CharField(max_length=KEY_PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_authenticated(self) -> bool:
        return self.is_usable

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return "*" in self.scopes or scope in self.scopes

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> tuple[str, str, str]:
        """A fresh key: (the key to show once, its prefix, its hash)."""
        key = secrets.token_urlsafe(32)
        return key, key[:KEY_PREFIX_LENGTH], cls.hash_key(key)

    @classmethod
    def authenticate(cls, key: str) -> "ApiClient | None":
        client = cls.objects.select_related("company").filter(key_prefix=key[:KEY_PREFIX_LENGTH]).first()
        if client is None or not client.is_usable:
            return None
        if not hmac.compare_digest(client.key_hash, cls.hash_key(key)):
            return None
        cls.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return client


# How long an Idempotency-Key is remembered: a retry after that is a new request.
IDEMPOTENCY_RETENTION = timedelta(hours=24)


class IdempotencyRecord(models.Model):
    """The first answer to a write that carried an `Idempotency-Key` header, replayed to the same client's
    retries of the same request. A record without a status code is a request still in flight."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    # sha256 of method, path (with query) and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_unique_per_client")]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"

    @property
    def is_in_flight(self) -> bool:
        return self.status_code is None
