"""`python manage.py erp_simulator`: the group's ERP, simulated, on 127.0.0.1 (see portal.erpsim).

It listens for the portal's webhooks on http://127.0.0.1:PORT/webhooks, checks their signatures with the
endpoint secret, deduplicates them by event id (in a SQLite file under var/, so a restart does not process an
event twice), reacts to some topics through the API (e.g. assigns vendor numbers to approved partners), and
pushes the day's exchange rates through /api/v1/ at start and then every --push-every seconds.
"""

from __future__ import annotations

import signal
import threading
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.core.registry import autodiscover, erp_simulator
from portal.erpsim.client import PortalApi, PortalApiError
from portal.erpsim.masterdata import daily_rates
from portal.erpsim.server import ErpSimulator, ReceivedEvents


class Command(BaseCommand):
    help = "Play the ERP on 127.0.0.1: receive signed webhooks and push master data through /api/v1/."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=getattr(settings, "ERP_SIMULATOR_PORT", 8765))
        parser.add_argument(
            "--portal-url", default=getattr(settings, "ERP_SIMULATOR_PORTAL_URL", "") or "http://localhost:8000"
        )
        parser.add_argument("--api-key", default=getattr(settings, "ERP_SIMULATOR_API_KEY", ""))
        parser.add_argument("--secret", default=getattr(settings, "ERP_SIMULATOR_WEBHOOK_SECRET", ""))
        parser.add_argument("--state", default=str(Path(settings.VAR_DIR) / "erp_simulator" / "received.sqlite3"))
        parser.add_argument("--push-every", type=float, default=3600.0, help="seconds between pushes (default 1 h)")
        parser.add_argument("--no-push", action="store_true", help="only receive webhooks")

    def handle(self, *args, **options):
        if not options["secret"]:
            raise CommandError("The webhook secret is missing: --secret or ERP_SIMULATOR_WEBHOOK_SECRET.")
        api = PortalApi(options["portal_url"], options["api_key"]) if options["api_key"] else None
        autodiscover("erp_sim")
        simulator = ErpSimulator(
            secret=options["secret"],
            store=ReceivedEvents(options["state"]),
            api=api,
            handlers=dict(erp_simulator.items()),
        )
        try:
            host, port = simulator.start(options["host"], options["port"])
        except OSError as error:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {error}") from error
        portal_url = options["portal_url"]
        self.stdout.write(f"ERP simulator: webhooks on http://{host}:{port}/webhooks, portal at {portal_url}")
        self.stdout.flush()

        stopping = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stopping.set())
        pushing = api is not None and not options["no_push"]
        if pushing and self._wait_for_portal(options["portal_url"], stopping):
            while not stopping.is_set():
                self._push(api)
                stopping.wait(options["push_every"])
        else:
            stopping.wait()
        simulator.stop()
        self.stdout.write(f"ERP simulator stopped ({simulator.store.count()} events received).")

    def _wait_for_portal(self, url: str, stopping: threading.Event, timeout: float = 120) -> bool:
        deadline = time.monotonic() + timeout
        while not stopping.is_set() and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url.rstrip('/')}/healthz", timeout=5):
                    return True
            except urllib.error.HTTPError:
                return True  # it answers: it is up
            except OSError:
                stopping.wait(1)
        return False

    def _push(self, api: PortalApi) -> None:
        try:
            results = api.upsert("exchange-rates", daily_rates(timezone.localdate()))
        except (PortalApiError, OSError) as error:
            self.stderr.write(f"ERP simulator: pushing exchange rates failed: {error}")
            return
        applied = sum(1 for result in results if result["status"] == "applied")
        self.stdout.write(f"ERP simulator: pushed {len(results)} exchange rates ({applied} applied).")
        # The apps' own pushes ("push:<name>" in the erp_simulator registry, e.g. sourcing's requisitions).
        for name, push in erp_simulator.items():
            if not str(name).startswith("push:"):
                continue
            try:
                results = push(None, api)
            except (PortalApiError, OSError) as error:
                self.stderr.write(f"ERP simulator: {name} failed: {error}")
                continue
            self.stdout.write(f"ERP simulator: {name}: {len(results or [])} objects sent.")
        self.stdout.flush()
