"""`python manage.py ping_worker`: send one task through the broker and wait until a worker has run it.

Exits 0 and names the worker that answered, or fails after --timeout seconds. Works on any deployment
whose web and worker processes share the cache (the file cache under var/ in dev, Redis in production)."""

import secrets
import time

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from portal.core.tasks import ping, ping_key


class Command(BaseCommand):
    help = "Send a ping task to the Celery workers and wait for the answer."
    # An operational probe: it needs the broker and the cache, not a clean URL configuration.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait (default 30).")
        parser.add_argument("--token", default="", help="The token to send (default: a random one).")

    def handle(self, *args, timeout: float, token: str, **options):
        token = token or secrets.token_hex(8)
        key = ping_key(token)
        cache.delete(key)
        started = time.monotonic()
        ping.apply_async(args=[token])
        while time.monotonic() - started < timeout:
            answer = cache.get(key)
            if answer:
                elapsed = time.monotonic() - started
                worker, queue = answer["worker"], answer["queue"] or "-"
                self.stdout.write(f"pong {token} from {worker} via queue {queue} in {elapsed:.2f} s")
                return
            time.sleep(0.1)
        raise CommandError(f"No worker answered ping {token} within {timeout:g} s.")
