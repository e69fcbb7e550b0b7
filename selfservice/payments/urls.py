"""Filled by the shop and ordering work (issue 7)."""

urlpatterns: list = []
