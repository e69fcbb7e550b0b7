"""API clients (the ERP systems that call /api/v1/) in the staff back office (/cms/integration/api-clients/).

For group administrators only: anyone else of the staff gets a 403 page, before any client is looked up. The key
is shown once, on the response to its creation or rotation; it is never stored in plain text, nor in the session.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from portal.core.errors import DomainError

from .forms import ApiClientForm
from .models import ApiClient
from .scopes import KNOWN_SCOPES
from .services import api_client_create, api_client_revoke, api_client_rotate_key, may_manage_api_clients


def _render(request, template, title, context, icon="key", status=200):
    return TemplateResponse(request, template, {"page_title": title, "header_icon": icon, **context}, status=status)


def _forbidden(request):
    """A plain 403 page (Wagtail would turn a raised PermissionDenied into a redirect to the dashboard)."""
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def _client(client_id) -> ApiClient:
    return get_object_or_404(ApiClient.objects.select_related("company"), uuid=client_id)


def _key_page(request, client, key, *, rotated: bool):
    # (Wagtail's admin views are never cached: the page with the key is not kept by the browser.)
    return _render(
        request,
        "api/admin/client_key.html",
        client.name,
        {"client": client, "key": key, "rotated": rotated},
    )


def client_index(request):
    if not may_manage_api_clients(request.user):
        return _forbidden(request)
    active_first = F("revoked_at").asc(nulls_first=True)
    clients = list(ApiClient.objects.select_related("company").order_by(active_first, "name", "id"))
    for client in clients:
        client.scope_labels = [(scope, KNOWN_SCOPES.get(scope, "")) for scope in client.scopes]
    return _render(request, "api/admin/client_index.html", _("API clients"), {"clients": clients})


def client_create(request):
    if not may_manage_api_clients(request.user):
        return _forbidden(request)
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, key = api_client_create(
                actor=request.user,
                name=data["name"],
                scopes=data["scopes"],
                company=data["company"],
                request=request,
            )
        except PermissionDenied:
            return _forbidden(request)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _key_page(request, client, key, rotated=False)
    return _render(request, "api/admin/client_form.html", _("New API client"), {"form": form})


def _confirm_or_act(request, client_id, *, template, title, act):
    """GET: the confirmation page; POST: the action."""
    if not may_manage_api_clients(request.user):
        return _forbidden(request)
    client = _client(client_id)
    if request.method != "POST":
        return _render(request, template, title % {"name": client.name}, {"client": client})
    try:
        return act(client)
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("api_clients_admin:client_index")


def client_rotate_key(request, client_id):
    def rotate(client):
        client, key = api_client_rotate_key(actor=request.user, client=client, request=request)
        return _key_page(request, client, key, rotated=True)

    return _confirm_or_act(
        request,
        client_id,
        template="api/admin/client_rotate.html",
        title=_("Rotate the key of %(name)s"),
        act=rotate,
    )


def client_revoke(request, client_id):
    def revoke(client):
        api_client_revoke(actor=request.user, client=client, request=request)
        messages.success(request, _("The client was revoked; its key is refused from now on."))
        return redirect("api_clients_admin:client_index")

    return _confirm_or_act(
        request,
        client_id,
        template="api/admin/client_revoke.html",
        title=_("Revoke %(name)s"),
        act=revoke,
    )
