"""Back-office URLs of comparison and awards (names in the "sourcing_admin" namespace)."""

award_urlpatterns: list = []
