"""Panels on the customer workspace (/customer/): orders to confirm, deliveries, claims and statements register
their "My tasks" panel here with `workspace = "customer"` (see rfq/panels.py for the pattern)."""
