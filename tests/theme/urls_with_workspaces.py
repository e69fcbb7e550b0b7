"""The portal's URLs plus stand-ins for workspaces that later issues build, so the navigation tests can see
the links the layout offers once those URL spaces exist (it hides links to spaces that have no view yet)."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def workspace_stand_in(request):
    return HttpResponse("workspace")


urlpatterns = [
    path("supplier/", workspace_stand_in),
    path("customer/", workspace_stand_in),
    path("shop/", workspace_stand_in),
    *portal_urlpatterns,
]
