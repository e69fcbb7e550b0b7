"""The portal's URLs without the storefront (/shop/ and /shop/cart/): the layout must leave out links to a URL
space that has no view."""

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [pattern for pattern in portal_urlpatterns if not str(pattern.pattern).startswith("shop/")]
