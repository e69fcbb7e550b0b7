"""The ERP simulator behind `python manage.py erp_simulator`: plays the group's ERP on 127.0.0.1.

It receives the portal's webhooks (checking each signature, deduplicating by event id), answers some of them the
way the ERP would (handlers registered per topic in the apps' `erp_sim.py` modules, see portal.core.registry),
and pushes master data through /api/v1/. It keeps what it received in a small SQLite file so that a restart does
not process an event twice.
"""
