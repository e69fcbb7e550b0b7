"""Bid submissions arriving at a steady rate up to the deadline, through the real HTTP bid form, on PostgreSQL.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal .venv/bin/python bench/bench_bid_submissions.py \
        [--mode http|service] [--rate 20] [--seconds 30] [--late 20] [--workers 4] [--threads 4]

Builds a throw-away database (bench_bid_submissions) with one published RFQ of three item lines and one invited
supplier per bid (each with a sales user whose session has passed a second factor), starts gunicorn on 127.0.0.1
(`--workers` processes × `--threads` threads, the test settings) and warms each supplier's session with a GET of its
bid form (as a supplier opens the form before submitting; it also sets the CSRF cookie). Then the round's deadline is
set `--seconds` ahead and a client fires one submission (POST …/bid/ with action=submit) per distinct supplier at
`--rate` per second until the deadline, each in its own thread (open loop: arrivals do not wait for answers),
followed by `--late` submissions in the second after the deadline, which must be refused. `--mode service` skips the
server and calls parse_bid + bid_submit in threads of this process with the same arrival pattern (no HTTP, no
middleware), to tell the service's share from the web stack's.

Afterwards it counts in the database: every accepted submission stored and stamped before the deadline, none at or
after it, none of the late ones stored. Reports latency percentiles of the on-time submissions and bids/s, and appends
a Markdown table to bench/results/bid_submissions.md. Budget: every on-time bid stored, none after, p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_bid_submissions")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "bid_submissions.md"
BUDGET_P95_MS = 300
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(count: int) -> SimpleNamespace:
    """One published RFQ of company SH01 with three item lines and `count` invited suppliers, each with a sales user
    and a session that passed password and second factor (as tests/conftest.login builds it)."""
    from allauth.account.internal.flows.login import record_authentication
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from portal.organisations.models import Membership, Partner, PartnerStatus
    from rfq.sourcing.models import Invitation, Rfq, RfqLine, RfqStatus, Round
    from tests.factories import CompanyFactory, StaffRoleFactory, UserFactory
    from tests.factories.catalog import ItemFactory

    company = CompanyFactory(code="SH01", name="上海钢铁有限公司")
    buyer = StaffRoleFactory(user=UserFactory(email="buyer@bench.test"), role="buyer", company=company).user
    rfq = Rfq.objects.create(
        company=company,
        number="RFQ-BENCH-0001",
        title="投标压力测试",
        status=RfqStatus.PUBLISHED,
        published_at=timezone.now(),
        created_by=buyer,
    )
    lines = []
    for position in range(1, 4):
        item = ItemFactory()
        lines.append(
            RfqLine.objects.create(rfq=rfq, position=position, item=item, quantity=Decimal("100"), unit=item.base_unit)
        )
    round = Round.objects.create(rfq=rfq, number=1, deadline=timezone.now() + timedelta(days=1))

    partners = Partner.objects.bulk_create(
        Partner(
            name=f"压测供应商{n:04d}有限公司",
            tax_id=f"91310000BENCH{n:05d}",
            is_supplier=True,
            status=PartnerStatus.APPROVED,
        )
        for n in range(count)
    )
    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"sales{n:04d}@supplier.bench.test", password="!unusable") for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(partner=partner, user=user, roles=["sales"]) for partner, user in zip(partners, users, strict=True)
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(rfq=rfq, supplier=partner, avl_status="approved", invited_by=buyer) for partner in partners
    )
    backend = settings.AUTHENTICATION_BACKENDS[0]
    sessions = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        request = SimpleNamespace(session=session)
        record_authentication(request, user, "password", email=user.email)
        record_authentication(request, user, "mfa", type="totp")
        session.save()
        sessions.append(session.session_key)
    return SimpleNamespace(rfq=rfq, round=round, lines=lines, invitations=invitations, users=users, sessions=sessions)


def offer(lines, index: int) -> list[dict[str, str]]:
    """The supplier's offer: a price, 13 % special VAT invoice and a lead time per line (varied per supplier)."""
    return [
        {
            "line": str(line.uuid),
            "unit_price": f"{100 + position * 10 + (index % 97) / 100:.2f}",
            "tax_rate": "13",
            "invoice_type": "vat_special",
            "lead_time_days": str(20 + index % 30),
            "moq": "",
            "price_valid_until": "",
            "comment": "",
        }
        for position, line in enumerate(lines)
    ]


def form_body(lines, index: int, token: str) -> dict[str, str]:
    """The bid form as the browser posts it (fields named "<line uuid>.<field>")."""
    body = {"csrfmiddlewaretoken": token, "action": "submit", "comment": ""}
    for row in offer(lines, index):
        body |= {f"{row['line']}.{key}": value for key, value in row.items() if key != "line"}
    return body


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}:"
    url += f"{settings['PORT'] or 5432}/{settings['NAME']}"
    environment = os.environ | {"DJANGO_SETTINGS_MODULE": "portal.settings.test", "DATABASE_URL": url}
    command = [
        str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread", "--timeout", "60",
        "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=BASE_DIR, env=environment, start_new_session=True)
    started = time.monotonic()
    while time.monotonic() - started < 60:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def percentile(values: list[float], share: int) -> float:
    return statistics.quantiles(values, n=100)[share - 1] if len(values) > 1 else (values[0] if values else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=20.0, help="submissions per second (default 20)")
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds of arrivals up to the deadline")
    parser.add_argument("--late", type=int, default=20, help="submissions in the second after the deadline")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--mode",
        choices=("http", "service"),
        default="http",
        help="http: POST the bid form to gunicorn (default); service: call bid_submit in threads of this process",
    )
    options = parser.parse_args()
    on_time = int(options.rate * options.seconds)
    count = on_time + options.late

    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    server = None
    try:
        from django.urls import reverse
        from django.utils import timezone

        from portal.core.errors import DomainError
        from rfq.sourcing.bidding import bid_submit, parse_bid
        from rfq.sourcing.models import BidSubmission, Round

        built_at = time.perf_counter()
        data = build(count)
        print(f"built {count} suppliers and their sessions in {time.perf_counter() - built_at:.1f} s")
        load_before = os.getloadavg()
        if options.mode == "http":
            port = free_port()
            server = start_server(port, options.workers, options.threads)
            base = f"http://127.0.0.1:{port}"
            bid_urls = [base + reverse("sourcing:bid", kwargs={"invitation_id": i.uuid}) for i in data.invitations]
            clients: list[requests.Session] = []
            tokens: list[str] = []

            def warm(index: int) -> tuple[requests.Session, str]:
                client = requests.Session()
                client.cookies.set("sessionid", data.sessions[index], domain="127.0.0.1")
                response = client.get(bid_urls[index], timeout=60, allow_redirects=False)
                found = CSRF_FIELD.search(response.content)
                if response.status_code != 200 or found is None:
                    raise SystemExit(f"the bid form did not load: HTTP {response.status_code} {response.url}")
                return client, found.group(1).decode()

            warmed_at = time.perf_counter()
            with ThreadPoolExecutor(max_workers=8) as pool:
                for client, token in pool.map(warm, range(count)):
                    clients.append(client)
                    tokens.append(token)
            print(f"warmed {count} sessions (GET of the bid form) in {time.perf_counter() - warmed_at:.1f} s")

        # The arrival schedule: `on_time` evenly up to the deadline (the last 1/rate before it), then the late ones.
        lead_in = 2.0
        deadline = timezone.now() + timedelta(seconds=lead_in + options.seconds)
        Round.objects.filter(pk=data.round.pk).update(deadline=deadline)
        interval = 1 / options.rate
        schedule = [deadline - timedelta(seconds=options.seconds - i * interval) for i in range(on_time)]
        late_gap = 1 / max(options.late, 1)
        schedule += [deadline + timedelta(seconds=(k + 0.5) * late_gap) for k in range(options.late)]

        outcomes: list[dict] = [{} for _ in range(count)]

        def post(index: int) -> tuple[object, bool]:
            response = clients[index].post(
                bid_urls[index], data=form_body(data.lines, index, tokens[index]), allow_redirects=False, timeout=60
            )
            location = response.headers.get("Location", "")
            return response.status_code, response.status_code == 302 and "/receipts/" in location

        def submit(index: int) -> tuple[object, bool]:
            # what the view does with the form: parse it, then the service (one connection per thread)
            try:
                content = parse_bid(data.rfq, offer(data.lines, index))
                bid_submit(user=data.users[index], invitation=data.invitations[index], content=content)
            except DomainError:
                return "refused", False
            finally:
                connection.close()
            return "accepted", True

        def fire(index: int) -> None:
            sent = timezone.now()
            started = time.perf_counter()
            try:
                status, accepted = (post if options.mode == "http" else submit)(index)
            except requests.RequestException as error:
                status, accepted = f"error {error.__class__.__name__}", False
            outcomes[index] = {
                "sent": sent,
                "ms": (time.perf_counter() - started) * 1000,
                "status": status,
                "accepted": accepted,
                "done": timezone.now(),
            }

        pool = ThreadPoolExecutor(max_workers=128)
        for index, instant in enumerate(schedule):
            delay = (instant - timezone.now()).total_seconds()
            if delay > 0:
                time.sleep(delay)
            pool.submit(fire, index)
        pool.shutdown(wait=True)

        # The counts, from the database.
        stored = dict(
            BidSubmission.objects.filter(bid__round=data.round).values_list("bid__invitation_id", "submitted_at")
        )
        sent_before = [i for i in range(count) if outcomes[i]["sent"] < deadline]
        accepted = [i for i in range(count) if outcomes[i]["accepted"]]
        refused = [i for i in range(count) if not outcomes[i]["accepted"]]
        stored_ids = set(stored)
        accepted_ids = {data.invitations[i].pk for i in accepted}
        after = sum(1 for stamp in stored.values() if stamp >= deadline)
        late_stored = sum(1 for i in range(on_time, count) if data.invitations[i].pk in stored_ids)
        refused_before = [i for i in refused if i in sent_before]
        latencies = [outcomes[i]["ms"] for i in sent_before]
        first_sent = min(outcomes[i]["sent"] for i in accepted) if accepted else deadline
        last_done = max(outcomes[i]["done"] for i in accepted) if accepted else deadline
        bids_per_s = len(accepted) / max((last_done - first_sent).total_seconds(), 1e-9)
        p50, p95, p99 = (percentile(latencies, share) for share in (50, 95, 99))
        statuses: dict[str, int] = {}
        for outcome in outcomes:
            statuses[str(outcome["status"])] = statuses.get(str(outcome["status"]), 0) + 1

        all_stored = accepted_ids == stored_ids and not refused_before
        verdict = "ok" if all_stored and after == 0 and late_stored == 0 and p95 < BUDGET_P95_MS else "OVER"
        summary = (
            f"sent before the deadline {len(sent_before)}, accepted {len(accepted)}, stored {len(stored)}, "
            f"refused {len(refused)} (of them sent before the deadline: {len(refused_before)}), "
            f"stored at/after the deadline {after}, late ones stored {late_stored}; "
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, max {max(latencies):.0f} ms; "
            f"{bids_per_s:.1f} bids/s; statuses {statuses}"
        )
        print(summary)
        for i in refused_before[:5]:
            print(f"  refused though sent {(deadline - outcomes[i]['sent']).total_seconds() * 1000:.0f} ms early")

        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        load_after = os.getloadavg()
        if options.mode == "http":
            path = f"HTTP bid form, gunicorn {options.workers}×{options.threads} (gthread)"
        else:
            path = "bid_submit called in threads of one process (no HTTP)"
        table = "\n".join(
            [
                f"\n### {stamp}: {on_time} submissions at {options.rate:g}/s for {options.seconds:g} s up to the "
                f"deadline + {options.late} late; {path}; PostgreSQL; {os.cpu_count()} cores, load average "
                f"{load_before[0]:.1f} before, {load_after[0]:.1f} after\n",
                "| sent before deadline | accepted = stored | stored after deadline | late stored | p50 ms | p95 ms "
                "| p99 ms | max ms | bids/s | budget |",
                "|---|---|---|---|---|---|---|---|---|---|",
                f"| {len(sent_before)} | {len(accepted)} = {len(stored)} | {after} | {late_stored} of "
                f"{options.late} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {max(latencies):.0f} | {bids_per_s:.1f} "
                f"| every on-time bid stored, none after, p95 < {BUDGET_P95_MS} ms: {verdict} |",
                "",
            ]
        )
        if not RESULTS.exists():
            RESULTS.write_text(
                "# Bid submissions up to the deadline\n\nProduced by `bench/bench_bid_submissions.py`; newest run "
                "last.\n"
            )
        with RESULTS.open("a") as results:
            results.write(table)
        print(table)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        connection.close()
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
