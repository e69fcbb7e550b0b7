"""Workspace dashboards under load: /supplier/ and /customer/ against the empty shell and a bare view.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal .venv/bin/python bench/dashboards.py \
        [--rounds 7] [--duration 4] [--connections 8] [--notifications 500] [--colleagues 40]

Builds a throw-away PostgreSQL database (bench_dashboards, dropped at the end) with three companies and one
partner that is both supplier and customer, trading with all three, with C colleagues and N notifications for
the benchmarked person; logs that person in through Django (a real session row) and sends its cookie. Starts
gunicorn (2 sync workers, persistent database connections: bench/dashboard_settings.py) on 127.0.0.1 and
measures each page with `wrk` (apt-get install wrk; 2 threads, C connections, D seconds, after a warm-up), the
pages taking turns for R rounds so that other load on the machine hits them alike; the median round counts:
  - GET /supplier/ and GET /customer/, the dashboards,
  - GET /bench/shell/: the empty shell (same base layout, middleware and login, no data: bench/shell_urls.py),
  - GET /bench/bare/: a bare Django view, HttpResponse("ok"), for reference.
Reports requests/s and p50/p95 (of the median round), the ratios dashboard/shell and shell/bare (the median of
the rounds' ratios: a round's pages run seconds apart, so load from elsewhere on the machine cancels out), and each
page's SQL query count.
Budget: each dashboard ≥ 60% of the shell's throughput. Appends to bench/results/dashboards.md.
Loopback only, bounded in time. The load generator shares this machine's cores: compare within one run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_dashboards")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "dashboards.md"
BUDGET_RATIO = 0.60
PAGES = ["/supplier/", "/customer/", "/bench/shell/", "/bench/bare/"]
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("P50_US %d\\nP95_US %d\\nNON2XX %d\\n",
    latency:percentile(50), latency:percentile(95), summary.errors.status))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(notifications: int, colleagues: int):
    """The data, and the benchmarked person's session cookie."""
    from portal.notifications.kinds import notification_kinds, register_kind
    from portal.notifications.models import Notification
    from portal.organisations.models import Membership
    from tests.conftest import login
    from tests.factories import (
        CompanyFactory,
        CustomerAccountFactory,
        MembershipFactory,
        PartnerFactory,
        SupplierAccountFactory,
        UserFactory,
    )

    if "bench.dashboard" not in notification_kinds:
        register_kind("bench.dashboard", title="RFQ %(number)s is open", body="Answer by %(date)s.")
    partner = PartnerFactory(name="甲供应商有限公司", name_en="Supplier A Ltd.", is_supplier=True, is_customer=True)
    for code in ("SH01", "WH02", "DE03"):
        company = CompanyFactory(code=code)
        SupplierAccountFactory(partner=partner, company=company)
        CustomerAccountFactory(partner=partner, company=company)
    user = MembershipFactory(partner=partner, user=UserFactory(email="sales@supplier-a.test"), roles=["sales"]).user
    Membership.objects.bulk_create(
        Membership(partner=partner, user=UserFactory(email=f"colleague{n}@supplier-a.test"), roles=["logistics"])
        for n in range(colleagues)
    )
    Notification.objects.bulk_create(
        Notification(recipient=user, kind="bench.dashboard", params={"number": n, "date": "2026-12-01"}, url="/")
        for n in range(notifications)
    )
    client = login(Client(), user)
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def query_counts(client) -> dict[str, int]:
    from django.test.utils import override_settings

    counts = {}
    with override_settings(ROOT_URLCONF="bench.shell_urls"):
        for page in PAGES:
            client.get(page)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            counts[page] = len(queries)
    return counts


def check(url: str, cookie: str) -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:  # a redirect to the login page would show here
        if response.status != 200 or response.url != url:
            raise SystemExit(f"{url}: {response.status} {response.url}")


def wrk(url: str, cookie: str, *, duration: int, connections: int, script: Path) -> dict:
    base = ["wrk", "-t2", f"-c{connections}", "-s", str(script), "-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*base, f"-d{duration}s", url], check=True, capture_output=True, text=True, timeout=duration + 60
    ).stdout
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": int(re.search(r"P50_US (\d+)", output).group(1)) / 1000,
        "p95": int(re.search(r"P95_US (\d+)", output).group(1)) / 1000,
        "errors": int(re.search(r"NON2XX (\d+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }


def median_round(samples: list[dict]) -> dict:
    """The round with the median throughput, with every round's throughput for the record."""
    ordered = sorted(samples, key=lambda sample: sample["requests_per_second"])
    middle = dict(ordered[len(ordered) // 2])
    middle["all"] = [round(sample["requests_per_second"]) for sample in samples]
    middle["errors"] = sum(sample["errors"] for sample in samples)
    middle["requests"] = sum(sample["requests"] for sample in samples)
    return middle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="rounds over all pages (default 7)")
    parser.add_argument("--duration", type=int, default=4, help="seconds of load per page and round (default 4)")
    parser.add_argument("--connections", type=int, default=8, help="open connections (default 8)")
    parser.add_argument("--notifications", type=int, default=500, help="the person's notifications (default 500)")
    parser.add_argument("--colleagues", type=int, default=40, help="colleagues in the partner (default 40)")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    setup_test_environment()
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    server = None
    workdir = Path(tempfile.mkdtemp(prefix="bench-dashboards-"))
    try:
        client, session_key = build(options.notifications, options.colleagues)
        counts = query_counts(client)
        connection.close()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.LANGUAGE_COOKIE_NAME}=zh-hans"
        script = workdir / "report.lua"
        script.write_text(WRK_REPORT)

        port = free_port()
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.dashboard_settings"}
        environment["BENCH_DATABASE_NAME"] = database
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application", "--chdir", str(BASE_DIR),
                "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
            ],
            cwd=BASE_DIR, env=environment, start_new_session=True,
        )  # fmt: skip
        base_url = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        while True:
            try:
                check(f"{base_url}/bench/bare/", cookie)
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - started > 60:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        for page in PAGES:
            check(base_url + page, cookie)
        for page in PAGES:  # warm-up: every worker has compiled its templates and opened its connection
            wrk(base_url + page, cookie, duration=2, connections=options.connections, script=script)
        rounds: dict[str, list[dict]] = {page: [] for page in PAGES}
        for _round in range(options.rounds):
            for page in PAGES:
                rounds[page].append(
                    wrk(
                        base_url + page,
                        cookie,
                        duration=options.duration,
                        connections=options.connections,
                        script=script,
                    )
                )
        results = {page: median_round(samples) for page, samples in rounds.items()}
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
        connection.creation.destroy_test_db(database, verbosity=0)

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {now}: gunicorn 2 sync workers, PostgreSQL (persistent connections), wrk 2 threads × "
        f"{options.connections} connections, {options.rounds} rounds × {options.duration} s per page (median round), "
        f"{options.notifications} notifications, "
        f"{options.colleagues + 1} colleagues, 3 companies, {os.cpu_count()} cores",
        "",
        "| page | req/s | each round | p50 ms | p95 ms | SQL queries | ratio to shell | budget | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for page, result in results.items():
        # the median of each round's ratio: the pages of one round ran seconds apart, under the same other load
        ratio = statistics.median(
            sample["requests_per_second"] / shell_sample["requests_per_second"]
            for sample, shell_sample in zip(rounds[page], rounds["/bench/shell/"], strict=True)
        )
        budget = ""
        if page in ("/supplier/", "/customer/"):
            budget = f"≥ {BUDGET_RATIO:.0%} ({'ok' if ratio >= BUDGET_RATIO else 'OVER'})"
        lines.append(
            f"| GET {page} | {result['requests_per_second']:.0f} | {result['all']} | {result['p50']:.1f} | "
            f"{result['p95']:.1f} | "
            f"{counts[page]} | {ratio:.0%} | {budget} | {result['errors']} of {result['requests']} |"
        )
    shell_to_bare = statistics.median(
        shell_sample["requests_per_second"] / bare_sample["requests_per_second"]
        for shell_sample, bare_sample in zip(rounds["/bench/shell/"], rounds["/bench/bare/"], strict=True)
    )
    lines += ["", f"Shell / bare view: {shell_to_bare:.0%} (the cost of the layout, session and login).", ""]
    report = "\n".join(lines)
    print(report)
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Workspace dashboards benchmark results\n\nWritten by `bench/dashboards.py`; newest last.\n\n"
        )
    with RESULTS.open("a") as results_file:
        results_file.write(report + "\n")


if __name__ == "__main__":
    main()
