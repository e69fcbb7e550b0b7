"""`manage.py outbox_relay`: the relay in the foreground, as a worker of its own (tests, benchmarks, or a
deployment that prefers a dedicated process to the Celery task)."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from portal.integration import relay

IDLE_SLEEP_SECONDS = 1.0


class Command(BaseCommand):
    help = "Deliver due outbox events as signed webhooks; poll every second when idle (--once: stop when idle)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="stop as soon as nothing is due")
        parser.add_argument("--batch", type=int, default=100, help="events claimed per round (default 100)")
        parser.add_argument(
            "--lease-seconds", type=float, default=None, help="lease per claim (default OUTBOX_LEASE_SECONDS)"
        )

    def handle(self, *args, once=False, batch=100, lease_seconds=None, **options):
        stopping = False

        def stop(_signum, _frame):
            nonlocal stopping
            stopping = True  # finish the round in hand, then leave

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        handled = 0
        while not stopping:
            close_old_connections()
            count = relay.deliver_due(batch=batch, lease_seconds=lease_seconds)
            handled += count
            if count == 0:
                if once:
                    break
                time.sleep(IDLE_SLEEP_SECONDS)
        self.stdout.write(f"outbox_relay: {handled} events handled")
