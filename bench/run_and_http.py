"""Platform benchmark: how fast `make run`'s processes start, answer HTTP, and run a task.

    .venv/bin/python bench/run_and_http.py [--requests 400] [--concurrency 8]

Starts `manage.py serve` (gunicorn with 2 workers × 4 threads, a Celery worker with beat, SQLite in WAL mode,
the filesystem broker) in a temporary var folder, then measures, all on 127.0.0.1 only and bounded in count:
  - cold start: migrations + demo data + both processes ready (until /healthz answers),
  - HTTP: a fixed number of GETs per URL with a fixed number of threads: throughput and latency percentiles,
  - task round trip: `ping` sent through the broker until the worker's answer is in the shared cache.
Prints a Markdown table and appends it to bench/results/platform.md. Compare numbers from one run with each
other (the load generator shares the machine's cores); the budgets below are for this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results" / "platform.md"

# Budgets (p95, milliseconds, at the default concurrency) and for the cold start and the task round trip.
BUDGETS_MS = {"/healthz": 100, "/": 250, "/accounts/login/": 250}
COLD_START_BUDGET_S = 60
PING_BUDGET_MS = 500


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed_get(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return (time.perf_counter() - started) * 1000, status


def load(url: str, requests: int, concurrency: int) -> dict:
    timed_get(url)  # warm up this URL once
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(timed_get, [url] * requests))
    elapsed = time.perf_counter() - started
    latencies = sorted(latency for latency, _status in results)
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "requests_per_second": requests / elapsed,
        "p50": quantiles[49], "p95": quantiles[94], "p99": quantiles[98],
        "statuses": sorted({status for _latency, status in results}),
    }  # fmt: skip


def ping_round_trips(environment: dict, count: int) -> list[float]:
    """Send `count` pings from a Django process configured like the web server; milliseconds each."""
    script = f"""
import time, django, json
django.setup()
from django.core.cache import cache
from portal.core.tasks import ping, ping_key
times = []
for n in range({count}):
    token = f"bench{{n}}-{{time.time_ns()}}"
    started = time.perf_counter()
    ping.apply_async(args=[token])
    while cache.get(ping_key(token)) is None:
        if time.perf_counter() - started > 30:
            raise SystemExit("no answer")
        time.sleep(0.005)
    times.append((time.perf_counter() - started) * 1000)
print(json.dumps(times))
"""
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=600)
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="GETs per URL (default 400)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--pings", type=int, default=20, help="task round trips (default 20)")
    options = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    port = free_port()
    # The dev settings' own defaults: SQLite and the filesystem broker in the temporary folder.
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    environment.update(DJANGO_SETTINGS_MODULE="portal.settings.dev", PORTAL_VAR_DIR=str(var_dir))
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)], cwd=BASE_DIR, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    rows = []
    try:
        started = time.perf_counter()
        while True:
            try:
                if timed_get(f"http://127.0.0.1:{port}/healthz")[1] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.perf_counter() - started > 300:
                raise SystemExit("serve did not start")
            time.sleep(0.2)
        cold_start = time.perf_counter() - started
        time.sleep(2)  # let the Celery worker finish starting as well

        for path in BUDGETS_MS:
            result = load(f"http://127.0.0.1:{port}{path}", options.requests, options.concurrency)
            rows.append((path, result))
        pings = ping_round_trips(environment, options.pings)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(var_dir, ignore_errors=True)

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {now}: {options.requests} GETs per URL, {options.concurrency} threads, {os.cpu_count()} cores",
        "",
        "| what | req/s | p50 ms | p95 ms | p99 ms | budget p95 ms | status codes |",
        "|---|---|---|---|---|---|---|",
    ]
    for path, result in rows:
        verdict = "ok" if result["p95"] <= BUDGETS_MS[path] else "OVER"
        lines.append(
            f"| GET {path} | {result['requests_per_second']:.0f} | {result['p50']:.1f} | "
            f"{result['p95']:.1f} | {result['p99']:.1f} | {BUDGETS_MS[path]} ({verdict}) | "
            f"{result['statuses']} |"
        )
    ping_p95 = statistics.quantiles(pings, n=20)[18]
    lines += [
        f"| task round trip (ping) | | {statistics.median(pings):.0f} | {ping_p95:.0f} | | {PING_BUDGET_MS} "
        f"({'ok' if ping_p95 <= PING_BUDGET_MS else 'OVER'}) | |",
        f"| cold start (migrate, demo, ready) | | {cold_start * 1000:.0f} | | | {COLD_START_BUDGET_S * 1000} "
        f"({'ok' if cold_start <= COLD_START_BUDGET_S else 'OVER'}) | |",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if not RESULTS.exists():
        RESULTS.write_text("# Platform benchmark results\n\nWritten by `bench/run_and_http.py`; newest last.\n\n")
    with RESULTS.open("a") as results:
        results.write(report + "\n")


if __name__ == "__main__":
    main()
