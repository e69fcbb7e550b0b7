"""API clients in the back office (/cms/integration/api-clients/): group administrators create them (the key is
shown once and works), rotate their keys (the old one is refused at once) and revoke them; everyone else gets a
403 page with nothing changed, and the audit log never holds a key."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from portal.api.models import ApiClient
from portal.api.scopes import KNOWN_SCOPES
from portal.api.services import api_client_create, api_client_revoke, api_client_rotate_key
from portal.audit.models import AuditEvent

INDEX_URL = "/cms/integration/api-clients/"
CREATE_URL = "/cms/integration/api-clients/new/"


def shown_key(response) -> str:
    return re.search(r'<input[^>]*id="api-key" value="([^"]+)"', response.content.decode()).group(1)


def companies(key):
    return Client().get("/api/v1/companies", headers={"Authorization": f"Bearer {key}"})


def snapshot():
    return (list(ApiClient.objects.order_by("pk").values()), AuditEvent.objects.count())


def rotate_url(client):
    return reverse("api_clients_admin:client_rotate_key", kwargs={"client_id": client.uuid})


def revoke_url(client):
    return reverse("api_clients_admin:client_revoke", kwargs={"client_id": client.uuid})


@pytest.mark.django_db
def test_the_urls():
    assert reverse("api_clients_admin:client_index") == INDEX_URL
    assert reverse("api_clients_admin:client_create") == CREATE_URL


@pytest.mark.django_db
def test_group_admin_creates_a_client_and_sees_its_key_once(cast, login_as):
    client = login_as(cast.group_admin)
    form = client.get(CREATE_URL).content.decode()
    for scope in KNOWN_SCOPES:
        assert f'type="checkbox" name="scopes" value="{scope}"' in form
    response = client.post(
        CREATE_URL, {"name": "erp-sh01-new", "company": "SH01", "scopes": ["masterdata:read", "orders:read"]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = shown_key(response)
    created = ApiClient.objects.get(name="erp-sh01-new")
    assert (created.company, created.scopes, created.revoked_at) == (
        cast.company_a,
        ["masterdata:read", "orders:read"],
        None,
    )
    assert created.key_prefix == key[:8] and created.key_hash == ApiClient.hash_key(key) != key
    # the key works: the client bound to SH01 sees its company only
    answer = companies(key)
    assert answer.status_code == 200
    assert [company["code"] for company in answer.json()] == ["SH01"]
    # never shown again; the list shows the prefix and when it was last used
    listing = client.get(INDEX_URL).content.decode()
    assert key not in listing
    assert "erp-sh01-new" in listing and f"{created.key_prefix}…" in listing
    assert "masterdata:read" in listing and "SH01" in listing
    audit = AuditEvent.objects.get(action="api_client.created")
    assert audit.after == {
        "name": "erp-sh01-new",
        "company": "SH01",
        "scopes": ["masterdata:read", "orders:read"],
        "key_prefix": created.key_prefix,
    }
    assert key not in str(audit.before) + str(audit.after) + audit.object_label
    assert created.key_hash not in str(audit.after)


@pytest.mark.django_db
def test_a_group_wide_client_and_the_form_refusals(cast, login_as):
    client = login_as(cast.group_admin)
    response = client.post(CREATE_URL, {"name": "erp-group", "company": "", "scopes": ["*"]})
    key = shown_key(response)
    assert ApiClient.objects.get(name="erp-group").company is None
    assert sorted(company["code"] for company in companies(key).json()) == ["SH01", "WH02"]
    before = snapshot()
    for data in (
        {"name": "erp-sh01", "scopes": ["*"]},  # the name is taken (the cast's client)
        {"name": "erp-x", "scopes": []},  # no scope
        {"name": "erp-x", "scopes": ["everything"]},  # an unknown scope
        {"name": "erp-x", "company": "NOPE", "scopes": ["*"]},  # no such company
    ):
        response = client.post(CREATE_URL, data)
        assert response.status_code == 200
        assert 'id="api-key"' not in response.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
def test_rotating_the_key_refuses_the_old_one_at_once(cast, login_as):
    client = login_as(cast.group_admin)
    old_key = cast.api_a.plain_key
    assert companies(old_key).status_code == 200
    confirm = client.get(rotate_url(cast.api_a))
    assert confirm.status_code == 200
    assert 'id="api-key"' not in confirm.content.decode()
    assert ApiClient.objects.get(pk=cast.api_a.pk).key_hash == cast.api_a.key_hash  # a GET changes nothing
    response = client.post(rotate_url(cast.api_a))
    assert response.status_code == 200
    new_key = shown_key(response)
    assert new_key != old_key
    assert companies(old_key).status_code == 401
    assert companies(new_key).status_code == 200
    audit = AuditEvent.objects.get(action="api_client.key_rotated")
    assert (audit.object_id, audit.company) == (str(cast.api_a.uuid), cast.company_a)
    assert audit.before == {"key_prefix": old_key[:8]} and audit.after == {"key_prefix": new_key[:8]}
    assert new_key not in str(audit.after) and old_key not in str(audit.before)


@pytest.mark.django_db
def test_revoking_refuses_the_key(cast, login_as):
    client = login_as(cast.group_admin)
    key = cast.api_a.plain_key
    assert client.get(revoke_url(cast.api_a)).status_code == 200  # the confirmation
    assert ApiClient.objects.get(pk=cast.api_a.pk).revoked_at is None
    response = client.post(revoke_url(cast.api_a))
    assert response.status_code == 302 and response["Location"] == INDEX_URL
    assert ApiClient.objects.get(pk=cast.api_a.pk).revoked_at is not None
    assert companies(key).status_code == 401
    assert companies(cast.api_b.plain_key).status_code == 200  # the others work on
    # revoking again changes nothing; a revoked client gets no new key
    client.post(revoke_url(cast.api_a))
    before = snapshot()
    response = client.post(rotate_url(cast.api_a), follow=True)
    assert 'id="api-key"' not in response.content.decode()
    assert snapshot() == before
    assert companies(key).status_code == 401
    audit = AuditEvent.objects.get(action="api_client.revoked")
    assert audit.before["name"] == "erp-sh01" and key not in str(audit.before)
    assert AuditEvent.objects.filter(action__startswith="api_client.").count() == 1


@pytest.mark.django_db
def test_other_staff_and_partners_get_403_and_nothing_changes(cast, login_as):
    before = snapshot()
    key = cast.api_a.plain_key
    for user in (cast.buyer, cast.staff_b, cast.sourcing_manager, cast.supplier_a_admin, cast.customer_c_admin):
        http = login_as(user)
        follow = user in (cast.supplier_a_admin, cast.customer_c_admin)  # Wagtail's way to its 403 page
        for method, url, data in (
            ("get", INDEX_URL, None),
            ("get", CREATE_URL, None),
            ("post", CREATE_URL, {"name": "erp-evil", "scopes": ["*"]}),
            ("get", rotate_url(cast.api_a), None),
            ("post", rotate_url(cast.api_a), None),
            ("get", revoke_url(cast.api_a), None),
            ("post", revoke_url(cast.api_a), None),
        ):
            response = getattr(http, method)(url, data, follow=follow)
            assert response.status_code == 403, f"{method} {url} as {user}"
            assert 'id="api-key"' not in response.content.decode()
    assert snapshot() == before
    assert companies(key).status_code == 200
    # anonymous: the login wall
    assert Client().get(INDEX_URL).status_code == 302


@pytest.mark.django_db
def test_the_services_are_for_group_admins_only(cast):
    before = snapshot()
    for actor in (cast.buyer, cast.staff_b, cast.supplier_a_admin, cast.outsider, cast.api_a):
        with pytest.raises(PermissionDenied):
            api_client_create(actor=actor, name="erp-evil", scopes=["*"], company=None)
        with pytest.raises(PermissionDenied):
            api_client_rotate_key(actor=actor, client=cast.api_b)
        with pytest.raises(PermissionDenied):
            api_client_revoke(actor=actor, client=cast.api_b)
    assert snapshot() == before


@pytest.mark.django_db
def test_the_menu_item_is_for_group_admins(cast, login_as):
    assert '"name": "api-clients"' in login_as(cast.group_admin).get("/cms/").content.decode()
    assert '"name": "api-clients"' not in login_as(cast.buyer).get("/cms/").content.decode()


@pytest.mark.django_db
def test_the_command_knows_the_same_scopes(cast):
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_api_client", "erp-x", "--scope", "everything")
    assert not ApiClient.objects.filter(name="erp-x").exists()
