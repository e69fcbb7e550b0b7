"""The portal's URLs plus two reference pages for bench/dashboards.py:
- /bench/shell/: the empty shell: logged in, the same base layout, context processors and middleware as a
  workspace page, and no data of its own;
- /bench/bare/: a bare Django view (HttpResponse("ok")) behind the same middleware."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

SHELL = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Shell{% endblock %}{% block page_title %}Shell{% endblock %}'
    '{% block content %}<section class="card"><p>—</p></section>{% endblock %}'
)


@login_required
def shell(request):
    return HttpResponse(SHELL.render({}, request))


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/shell/", shell), path("bench/bare/", bare), *portal_urlpatterns]
