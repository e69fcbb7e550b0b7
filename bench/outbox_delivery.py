"""Outbox delivery throughput: signed webhooks from two relay workers to a local receiver, on PostgreSQL.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal .venv/bin/python bench/outbox_delivery.py \
        [--events 5000] [--objects 1000] [--workers 2] [--batch 100]

Builds a throw-away database (bench_portal_outbox), registers one group-wide endpoint that points at a fast
receiver on 127.0.0.1 (a threaded http.server with keep-alive that answers 204 and counts event ids), starts
N `manage.py outbox_relay` worker processes, then commits E events spread over O objects (the per-object order
applies: only each object's oldest pending event is claimable at a time) and measures from that commit until
every event is delivered. Appends a Markdown table to bench/results/outbox_delivery.md. The budget
(≥ 300 events/s with two workers) is for this 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_portal_outbox")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "outbox_delivery.md"
BUDGET_PER_S = 300
TIMEOUT_SECONDS = 600


class CountingReceiver:
    """Answers 204 to every POST and counts distinct event ids (and redeliveries)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen: set[str] = set()
        self.requests = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests += 1
                    receiver.seen.add(self.headers.get("Portal-Event-Id", ""))
                self.send_response_only(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def start_worker(database_name: str, batch: int) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT'] or 5432}/"
            f"{database_name}"
        ),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "outbox_relay", "--batch", str(batch)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100)
    arguments = parser.parse_args()

    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    workers: list[subprocess.Popen] = []
    try:
        from portal.integration.models import OutboxEvent, OutboxStatus, WebhookEndpoint
        from portal.organisations.models import Company

        receiver = CountingReceiver()
        company = Company.objects.create(code="SH01", name="上海钢铁", ledger_code="L1")
        endpoint = WebhookEndpoint(name="bench receiver", url=receiver.url, topics=["*"])
        endpoint.set_secret("bench-secret")
        endpoint.save()
        workers = [start_worker(test_name, arguments.batch) for _ in range(arguments.workers)]
        time.sleep(4)  # let the workers start (Django set-up) before the clock runs

        with transaction.atomic():
            OutboxEvent.objects.bulk_create(
                OutboxEvent(
                    topic="item.changed",
                    company=company,
                    object_type="catalog.item",
                    object_id=f"item-{number % arguments.objects:05d}",
                    payload={"sequence": number, "code": f"ITEM-{number:06d}", "price": "12.50", "unit": "PCS"},
                )
                for number in range(arguments.events)
            )
        started = time.perf_counter()
        pending = OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED)
        while pending.exists():
            if time.perf_counter() - started > TIMEOUT_SECONDS:
                raise SystemExit("not all events were delivered in time")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        rate = arguments.events / elapsed
        duplicates = receiver.requests - len(receiver.seen)

        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            f"\n### {stamp}: {arguments.events} events over {arguments.objects} objects, {arguments.workers} "
            f"workers, batch {arguments.batch}, {os.cpu_count()} cores\n",
            "| what | value | budget |",
            "|---|---|---|",
            f"| delivered | {len(receiver.seen)} of {arguments.events} events in {elapsed:.1f} s | |",
            f"| throughput | {rate:.0f} events/s | ≥ {BUDGET_PER_S}/s ({'ok' if rate >= BUDGET_PER_S else 'OVER'}) |",
            f"| redeliveries | {duplicates} | |",
        ]
        text = "\n".join(lines) + "\n"
        print(text)
        if not RESULTS.exists():
            RESULTS.write_text("# Outbox delivery benchmark results\n\nWritten by `bench/outbox_delivery.py`.\n")
        with RESULTS.open("a") as results:
            results.write(text)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        connection.close()
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
