"""`python manage.py demo_data`: load the demo group (companies, partners, people, content pages and whatever
every app's `demo.py` adds; idempotent) and print the demo logins. `manage.py demo` is the same command."""

from .demo import Command as DemoCommand


class Command(DemoCommand):
    pass
