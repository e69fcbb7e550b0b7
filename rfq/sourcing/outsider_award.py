"""Outsider sweep registrations (imported by rfq/sourcing/outsider.py)."""
