"""The outsider sweep (DESIGN.md §4): every URL pattern of ours that takes an object id is registered in an
app's outsider.py; its owner reaches it (the control), and each kind of outsider for its URL space gets 404
(anonymous: the login redirect; the API without a key: 401) with nothing changed."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.core.outsider import outsider_sweep
from portal.core.registry import autodiscover
from tests.conftest import login

OUR_MODULES = ("portal.", "catalog.", "rfq.", "selfservice.", "theme.")
# Every app of this project (not the installed packages): their rows must not change when an outsider knocks.
OUR_APP_LABELS = {
    app.label
    for app in apps.get_app_configs()
    if Path(app.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in Path(app.path).parts
}

autodiscover("outsider")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            child_namespace = namespace
            if entry.namespace:
                child_namespace = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, route, child_namespace)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}" if entry.name else None, entry


def _takes_object_id(entry: URLPattern) -> bool:
    return bool(getattr(entry.pattern, "converters", None)) or bool(entry.pattern.regex.groupindex)


def _is_ours(route: str, entry: URLPattern) -> bool:
    module = getattr(entry.callback, "__module__", "") or ""
    return route.startswith("api/v1/") or module.startswith(OUR_MODULES)


def id_patterns():
    found = {}
    for route, name, entry in _walk(get_resolver().url_patterns):
        if _takes_object_id(entry) and _is_ours(route, entry):
            found[name or route] = route
    return found


ID_PATTERNS = id_patterns()


def test_every_id_pattern_is_registered():
    unregistered = sorted(name for name in ID_PATTERNS if name not in outsider_sweep)
    assert unregistered == [], f"register these URL patterns in an app's outsider.py: {unregistered}"
    # and nothing registered is stale
    assert sorted(name for name, _case in outsider_sweep.items() if name not in ID_PATTERNS) == []


def _snapshot(case, obj):
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in OUR_APP_LABELS or model._meta.label in ("mfa.Authenticator",)
    }
    row = case.model.objects.filter(pk=obj.pk).values().first()
    return counts, row, len(mail.outbox)


def _request(client, case, url, *, api_key=None):
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return getattr(client, case.method)(url, data=case.data or None, headers=headers)


def _space(route: str) -> str:
    if route.startswith("api/"):
        return "api"
    if route.startswith("cms/"):
        return "cms"
    return "workspace"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(ID_PATTERNS))
def test_outsiders_get_404_and_change_nothing(url_name, cast):
    case = outsider_sweep.get(url_name)
    if case is None:
        pytest.fail(f"{url_name} is not registered for the outsider sweep")
    obj = case.make(cast)
    url = reverse(url_name, kwargs=case.kwargs(obj))
    space = _space(ID_PATTERNS[url_name])

    # (actor, expected status) for every kind of outsider of this URL space
    if space == "api":
        outsiders = [("api_b", 404), (None, 401), ("supplier_b_admin", 401)]
    elif space == "cms":
        # a partner's user is told the back office is not for them (403), with nothing revealed or changed
        outsiders = [("staff_b", 404), (None, 302), ("supplier_b_admin", 403)]
        # (anonymous: Wagtail → /cms/login/ → allauth's login page, checked below)
    else:
        outsiders = [
            ("supplier_b_admin", 404),
            ("staff_b", 404),
            ("outsider", 404),
            (None, 302),
            ("api_b", 302),
        ]
    # Group-wide data names the outsiders who may reach it (OutsiderCase.expect); anonymous only on a public page
    # that says so ({"anonymous": 200}, e.g. a public tender notice).
    outsiders = [(name, case.expect.get(name or "anonymous", expected)) for name, expected in outsiders]

    for name, expected in outsiders:
        actor = getattr(cast, name) if name else None
        client = Client()
        api_key = None
        if getattr(actor, "is_api_client", False):
            api_key = actor.plain_key
        elif actor is not None:
            login(client, actor)
        before = _snapshot(case, obj)
        response = _request(client, case, url, api_key=api_key)
        if space == "cms" and response.status_code == 302:
            response = client.get(response["Location"])  # Wagtail sends people without access to its login
        assert response.status_code == expected, f"{url_name} as {actor}: {response.status_code}"
        if expected == 302:
            assert response["Location"].startswith("/accounts/login/?next=")
        assert _snapshot(case, obj) == before, f"{url_name} as {actor} changed something"

    # The control: the owner gets through, so the denials above are not vacuous.
    owner = case.owner(cast, obj)
    client = Client()
    if getattr(owner, "is_api_client", False):
        response = _request(client, case, url, api_key=owner.plain_key)
    else:
        response = _request(login(client, owner), case, url)
    assert response.status_code == case.owner_status, f"{url_name} as owner: {response.status_code}"
