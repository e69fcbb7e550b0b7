"""`python manage.py demo_data` (or its older name `demo`): load the demo data of every app, then print the demo
logins.

Each app registers its loaders in its `demo.py` with `portal.core.registry.demo_data.register(key)`; they run
in key order (the core's organisations first: "010-…"), each in its own transaction, and must be idempotent
(get_or_create / update_or_create by natural keys). A loader may return login rows (objects with email, name,
role, organisation, second_factor and language, e.g. `portal.organisations.demo.DemoLogin`) for the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from portal.core.registry import autodiscover, demo_data


def load_demo_data(log=None) -> list[Any]:
    """Run every registered loader in key order; return the login rows they report."""
    autodiscover("demo")
    logins: list[Any] = []
    with translation.override("en"):
        for key, loader in demo_data.items():
            if log:
                log(f"Loading demo data: {key}")
            with transaction.atomic():
                logins.extend(loader() or ())
    return logins


def format_logins(logins: Iterable[Any]) -> str:
    """The logins table, with how the password and the second factor work in the demo."""
    from portal.organisations.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    header = ("E-mail", "Name", "Role", "Where", "2FA", "Language")
    rows = [
        (
            login.email,
            login.name,
            login.role,
            login.organisation,
            "TOTP" if login.second_factor else "-",
            login.language,
        )
        for login in logins
    ]
    widths = [max(_width(text) for text in column) for column in zip(header, *rows, strict=False)]

    def line(cells):
        return "  ".join(_pad(text, width) for text, width in zip(cells, widths, strict=True)).rstrip()

    table = [line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)]
    bypass = getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None) if settings.DEBUG else None
    notes = [
        f"Password for every demo login: {DEMO_PASSWORD}",
        f"2FA = TOTP: add the secret {DEMO_TOTP_SECRET} to an authenticator app"
        + (f", or type the demo bypass code {bypass} (DEBUG only)." if bypass else "."),
    ]
    return "\n".join(["Demo logins", *table, "", *notes])


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if "\u2e80" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Load the demo data of every app (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when DEBUG is off. The demo logins have a published password and TOTP secret: "
            "never use this on a production database.",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. The demo logins have a published password "
                "and TOTP secret. Use --force only on a database nobody else can reach."
            )
        logins = load_demo_data(log=self.stdout.write if options["verbosity"] > 1 else None)
        self.stdout.write(format_logins(logins))
