"""Back-office URLs of RFQs (names in the "sourcing_admin" namespace)."""

admin_urlpatterns: list = []
