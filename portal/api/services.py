"""API clients managed by group administrators (the back office; the create_api_client command is the other
way in). Each action is audited in the transaction of its change. The key is returned to be shown once: it is
never stored in plain text (only its prefix, to find the row, and its hash) and never reaches the audit log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.organisations.access import scope_of
from portal.organisations.models import Company

from .models import ApiClient
from .scopes import normalised, unknown_scopes


def may_manage_api_clients(actor: Any) -> bool:
    return scope_of(actor).is_group_admin


def _require_group_admin(actor: Any) -> None:
    if not may_manage_api_clients(actor):
        raise PermissionDenied


def _new_key() -> tuple[str, str, str]:
    # The prefix is unique (it finds the row); a clash of 48 random bits is unlikely, but draw again if it happens.
    while True:
        key, prefix, key_hash = ApiClient.new_key()
        if not ApiClient.objects.filter(key_prefix=prefix).exists():
            return key, prefix, key_hash


def _client_facts(client: ApiClient) -> dict:
    """What the audit log keeps of a client: never the key or its hash (the prefix is shown in the list)."""
    return {
        "name": client.name,
        "company": client.company.code if client.company_id else None,
        "scopes": list(client.scopes),
        "key_prefix": client.key_prefix,
    }


def api_client_create(
    *, actor: Any, name: str, scopes: list[str], company: Company | None, request: Any = None
) -> tuple[ApiClient, str]:
    """A new API client; returns it with its key, which is shown this once."""
    _require_group_admin(actor)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the client a name."))
    if not scopes:
        raise DomainError(_("Grant at least one scope."))
    if unknown := unknown_scopes(scopes):
        raise DomainError(_("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)})
    key, prefix, key_hash = _new_key()
    with transaction.atomic():
        if ApiClient.objects.filter(name=name).exists():
            raise DomainError(_("An API client named “%(name)s” exists already.") % {"name": name})
        client = ApiClient.objects.create(
            name=name, company=company, key_prefix=prefix, key_hash=key_hash, scopes=normalised(scopes)
        )
        audit_record(
            actor=actor,
            action="api_client.created",
            obj=client,
            company=company,
            after=_client_facts(client),
            request=request,
        )
    return client, key


def api_client_rotate_key(*, actor: Any, client: ApiClient, request: Any = None) -> tuple[ApiClient, str]:
    """A new key, effective at once (the old one is refused from now on); returned to be shown this once."""
    _require_group_admin(actor)
    key, prefix, key_hash = _new_key()
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update(of=("self",)).select_related("company").get(pk=client.pk)
        if locked.revoked_at is not None:
            raise DomainError(_("A revoked client gets no new key; create a new client instead."))
        old_prefix = locked.key_prefix
        locked.key_prefix, locked.key_hash = prefix, key_hash
        locked.save(update_fields=["key_prefix", "key_hash"])
        audit_record(
            actor=actor,
            action="api_client.key_rotated",
            obj=locked,
            company=locked.company,
            before={"key_prefix": old_prefix},
            after={"key_prefix": prefix},
            request=request,
        )
    return locked, key


def api_client_revoke(*, actor: Any, client: ApiClient, request: Any = None) -> ApiClient:
    """Refuse the client's key from now on, for good (revoking a revoked client changes nothing)."""
    _require_group_admin(actor)
    with transaction.atomic():
        updated = ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated == 1:
            audit_record(
                actor=actor,
                action="api_client.revoked",
                obj=client,
                company=client.company,
                before=_client_facts(client),
                request=request,
            )
    client.refresh_from_db()
    return client
