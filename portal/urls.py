"""URL spaces and their owners (DESIGN.md §3). The domain apps are named here and in settings only."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from portal.api import views as api_views
from portal.api.api import api
from portal.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("", include("portal.onboarding.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/inbox/", include("portal.notifications.urls")),
    path("account/", include("portal.accounts.urls")),
    path("account/documents/", include("portal.documents.urls")),
    path("supplier/", include("rfq.urls")),
    path("customer/", include("selfservice.urls")),
    path("tenders/", include("rfq.sourcing.tender_urls")),
    # /shop/cart/ and checkout are selfservice's; the rest of /shop/ is the catalog's storefront.
    path("shop/cart/", include("selfservice.cart.urls")),
    path("shop/", include("catalog.shop.urls")),
    path("webhooks/stripe/", include("selfservice.payments.webhook_urls")),
    # The back office has no login or password pages of its own: allauth's apply, and so does MFA.
    path("cms/login/", core_views.back_office_login),
    path("cms/password_reset/", RedirectView.as_view(url="/accounts/password/reset/")),
    path("cms/", include(wagtailadmin_urls)),
    path("api/v1/", api.urls),
    path("api/schema/", RedirectView.as_view(url="/api/v1/schema/")),
    path("api/docs/", RedirectView.as_view(url="/api/v1/docs/")),
    re_path(r"^api/", api_views.not_found),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

urlpatterns += [path("", include(wagtail_urls))]
