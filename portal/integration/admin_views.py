"""The outbox and its webhook endpoints in the staff back office (/cms/integration/).

Staff see the events of their companies (group staff all of them, including group-wide events) through the
access layer; replay, skip and the endpoints are for group administrators. Another company's event or
endpoint is a 404; a member of staff who may see it but lacks the role gets a 403 page.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.errors import DomainError
from portal.organisations.access import get_object_for_user, scope_of
from portal.organisations.models import Company

from .forms import OutboxEventFilterForm, WebhookEndpointForm
from .models import OutboxEvent, OutboxStatus, WebhookEndpoint
from .services import (
    event_replay,
    event_skip,
    events_replay_dead,
    may_operate_outbox,
    webhook_endpoint_create,
    webhook_endpoint_deactivate,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)

PAGE_SIZE = 50


def _render(request, template, title, context, icon="resubmit", status=200):
    return TemplateResponse(request, template, {"page_title": title, "header_icon": icon, **context}, status=status)


def _forbidden(request):
    """A plain 403 page (Wagtail would turn a raised PermissionDenied into a redirect to the dashboard)."""
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def event_index(request):
    scope = scope_of(request.user)
    if not scope.is_staff:
        return _forbidden(request)
    companies = Company.objects.visible_to(request.user).order_by("code")
    form = OutboxEventFilterForm(request.GET or None, companies=companies)
    events = OutboxEvent.objects.visible_to(request.user).select_related("company").order_by("-id")
    if form.is_valid():
        if status := form.cleaned_data["status"]:
            events = events.filter(status=status)
        if topic := form.cleaned_data["topic"].strip():
            events = events.filter(topic__startswith=topic)
        if company := form.cleaned_data["company"]:
            events = events.filter(company=company)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("p"))
    filters = request.GET.copy()
    filters.pop("p", None)
    return _render(
        request,
        "integration/admin/event_index.html",
        _("Outbox events"),
        {
            "page": page,
            "form": form,
            "filters": filters.urlencode(),
            "may_operate": scope.is_group_admin,
            "companies": companies if scope.is_group_admin else [],
        },
    )


def event_detail(request, event_id):
    event = get_object_for_user(OutboxEvent.objects.select_related("company"), request.user, event_id)
    return _render(
        request,
        "integration/admin/event_detail.html",
        event.topic,
        {
            "event": event,
            "payload": json.dumps(event.payload, ensure_ascii=False, indent=2, sort_keys=True),
            "attempts": event.delivery_attempts.select_related("endpoint").order_by("id"),
            "may_operate": may_operate_outbox(request.user),
            "may_replay": event.status in (OutboxStatus.DEAD, OutboxStatus.SKIPPED),
            "may_skip": event.status in (OutboxStatus.DEAD, OutboxStatus.PENDING),
        },
    )


def _operate(request, event_id, service, done_message):
    event = get_object_for_user(OutboxEvent.objects.select_related("company"), request.user, event_id)
    if not may_operate_outbox(request.user):
        return _forbidden(request)
    try:
        service(event=event, actor=request.user, request=request)
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done_message)
    return redirect("integration_admin:event_detail", event_id=event.uuid)


@require_POST
def event_replay_view(request, event_id):
    return _operate(request, event_id, event_replay, _("The event will be delivered again."))


@require_POST
def event_skip_view(request, event_id):
    return _operate(request, event_id, event_skip, _("The event was skipped; later events of its object flow again."))


@require_POST
def events_replay_dead_view(request):
    if not may_operate_outbox(request.user):
        return _forbidden(request)
    company = None
    if code := request.POST.get("company", "").strip():
        company = Company.objects.filter(code=code).first()
        if company is None:
            messages.error(request, _("Choose a valid company."))
            return redirect("integration_admin:event_index")
    count = events_replay_dead(actor=request.user, company=company, request=request)
    messages.success(request, _("%(count)s dead events will be delivered again.") % {"count": count})
    return redirect("integration_admin:event_index")


def endpoint_index(request):
    if not scope_of(request.user).is_group_admin:
        return _forbidden(request)
    endpoints = WebhookEndpoint.objects.select_related("company").order_by("-is_active", "name", "id")
    return _render(
        request,
        "integration/admin/endpoint_index.html",
        _("Webhook endpoints"),
        {"endpoints": endpoints},
        icon="link",
    )


def _secret_page(request, endpoint, secret, *, rotated: bool):
    # (Wagtail's admin views are never cached: the page with the secret is not kept by the browser.)
    return _render(
        request,
        "integration/admin/endpoint_secret.html",
        endpoint.name,
        {"endpoint": endpoint, "secret": secret, "rotated": rotated},
        icon="key",
    )


def endpoint_create(request):
    if not scope_of(request.user).is_group_admin:
        return _forbidden(request)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        endpoint, secret = webhook_endpoint_create(
            actor=request.user,
            name=data["name"],
            url=data["url"],
            topics=data["topics"],
            company=data["company"],
            request=request,
        )
        # The secret is shown on this response only: it is never stored in plain text, nor in the session.
        return _secret_page(request, endpoint, secret, rotated=False)
    return _render(
        request, "integration/admin/endpoint_form.html", _("New webhook endpoint"), {"form": form}, icon="link"
    )


def endpoint_edit(request, endpoint_id):
    endpoint = get_object_for_user(WebhookEndpoint.objects.select_related("company"), request.user, endpoint_id)
    if not scope_of(request.user).is_group_admin:
        return _forbidden(request)
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "topics": ", ".join(endpoint.topics),
        "company": endpoint.company,
        "is_active": endpoint.is_active,
    }
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        webhook_endpoint_update(actor=request.user, endpoint=endpoint, **form.cleaned_data, request=request)
        messages.success(request, _("The endpoint was saved."))
        return redirect("integration_admin:endpoint_index")
    return _render(
        request,
        "integration/admin/endpoint_form.html",
        endpoint.name,
        {"form": form, "endpoint": endpoint},
        icon="link",
    )


@require_POST
def endpoint_rotate_secret(request, endpoint_id):
    endpoint = get_object_for_user(WebhookEndpoint.objects.select_related("company"), request.user, endpoint_id)
    if not scope_of(request.user).is_group_admin:
        return _forbidden(request)
    endpoint, secret = webhook_endpoint_rotate_secret(actor=request.user, endpoint=endpoint, request=request)
    return _secret_page(request, endpoint, secret, rotated=True)


@require_POST
def endpoint_deactivate(request, endpoint_id):
    endpoint = get_object_for_user(WebhookEndpoint.objects.select_related("company"), request.user, endpoint_id)
    if not scope_of(request.user).is_group_admin:
        return _forbidden(request)
    webhook_endpoint_deactivate(actor=request.user, endpoint=endpoint, request=request)
    messages.success(request, _("The endpoint was deactivated; it receives no more events."))
    return redirect("integration_admin:endpoint_index")
