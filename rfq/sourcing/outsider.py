"""Outsider sweep registrations of sourcing (imported by the sweep test only): one module per area."""

from . import outsider_api, outsider_award, outsider_buyer, outsider_supplier  # noqa: F401
