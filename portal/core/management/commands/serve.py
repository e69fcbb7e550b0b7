"""`python manage.py serve`: the supervisor behind `make run`.

Prepares the embedded default (folders under var/, migrations, static files when DEBUG is off, demo data),
then starts the web server (gunicorn, bound to localhost only) and a Celery worker with beat (`-B`) as
children, prints the URL and the demo logins, and waits. SIGINT (Ctrl-C) or SIGTERM, to this process or its
process group, stops everything: each child gets SIGTERM, stragglers get SIGKILL after a grace period, and
the children's own process groups (gunicorn workers, Celery pool and beat) are swept, so nothing is left.
If a child dies on its own, the others are stopped too and the command fails.

Each child runs in its own session (process group), so a terminal's Ctrl-C reaches only this supervisor,
which then stops the children in order; and each child gets SIGTERM from the kernel if the supervisor itself
is killed (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from .demo import format_logins, load_demo_data

PR_SET_PDEATHSIG = 1
READY_TIMEOUT_SECONDS = 120


def _die_with_parent() -> None:
    """Runs in the child between fork and exec: SIGTERM when the supervisor dies, however it dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def _can_bind(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError:
        return False
    return True


def _group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Command(BaseCommand):
    help = (
        "Set up and run the portal: web server on localhost, a Celery worker with beat and the ERP simulator"
        " (make run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes (default 2)")
        parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes (default 2)")
        parser.add_argument(
            "--grace",
            type=float,
            default=15.0,
            help="Seconds the children get to stop before SIGKILL (default 15).",
        )
        parser.add_argument("--no-setup", action="store_true", help="Skip migrations, static files and demo data.")
        parser.add_argument("--no-demo", action="store_true", help="Skip loading the demo data.")

    def handle(self, *args, **options):
        self.port: int = options["port"]
        self.grace: float = options["grace"]
        self.stopping = threading.Event()
        self.signals_received = 0
        self.children: dict[str, subprocess.Popen] = {}
        var_dir = Path(settings.VAR_DIR)

        binds = [host for host in ("127.0.0.1", "::1") if _can_bind(host, self.port)]
        if "127.0.0.1" not in binds:
            raise CommandError(f"Port {self.port} on localhost is taken. Use another one: PORT=8001 make run")

        self._prepare_folders(var_dir)
        # The simulated ERP listens beside the portal (8000 → 8765), so a second portal on 8001 gets its own.
        self.erp_port = self.port + 765
        run_erp = settings.DEBUG and bool(getattr(settings, "ERP_SIMULATOR_WEBHOOK_SECRET", ""))
        if run_erp and not _can_bind("127.0.0.1", self.erp_port):
            self.stderr.write(f"Port {self.erp_port} is taken: the ERP simulator does not start.")
            run_erp = False
        settings.ERP_SIMULATOR_PORT = self.erp_port
        logins = []
        if not options["no_setup"]:
            logins = self._set_up(load_demo=not options["no_demo"])
        # The children open their own connections; ours must not be shared with them.
        connections.close_all()

        for signal_number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signal_number, self._on_signal)
        exit_reason = None
        try:
            self._start("web", self._web_command(binds, options["web_workers"]))
            self._start("worker", self._worker_command(var_dir, options["concurrency"]))
            if run_erp:
                self._start("erp", self._erp_command())
            exit_reason = self._wait_until_ready()
            if exit_reason is None:
                self._announce(logins)
                exit_reason = self._supervise()
        finally:
            self._stop_children()
        if exit_reason and exit_reason != "signal":
            raise CommandError(exit_reason)
        self.stdout.write("Stopped: web server, worker and beat have exited.")

    # Preparation ---------------------------------------------------------------------------------------

    def _prepare_folders(self, var_dir: Path) -> None:
        folders = [var_dir, var_dir / "cache", Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)]
        transport_options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if transport_options.get(key):
                folders.append(Path(transport_options[key]))
        if getattr(settings, "EMAIL_FILE_PATH", None):
            folders.append(Path(settings.EMAIL_FILE_PATH))
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)

    def _set_up(self, *, load_demo: bool) -> list:
        self.stdout.write("Applying database migrations …")
        call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG:
            # With DEBUG on, WhiteNoise serves the files straight from the apps (WHITENOISE_USE_FINDERS).
            self.stdout.write("Collecting static files …")
            call_command("collectstatic", interactive=False, verbosity=0)
        if not load_demo:
            return []
        self.stdout.write("Loading demo data …")
        return load_demo_data()

    # Children ------------------------------------------------------------------------------------------

    def _web_command(self, binds: list[str], workers: int) -> list[str]:
        addresses = [f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}" for host in binds]
        return [
            sys.executable, "-m", "gunicorn", "portal.wsgi:application",
            *(argument for address in addresses for argument in ("--bind", address)),
            "--workers", str(workers), "--threads", "4",
            "--graceful-timeout", str(max(1, int(self.grace) - 5)), "--timeout", "60",
            "--access-logfile", "-", "--log-level", "info",
            # gunicorn's control socket is in $HOME: two instances (make run, the smoke test) would clash.
            "--no-control-socket",
        ]  # fmt: skip

    def _worker_command(self, var_dir: Path, concurrency: int) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "-B",
            "--hostname", "portal@%h", "--loglevel", "INFO", "--concurrency", str(concurrency),
            "--schedule", str(var_dir / "celerybeat-schedule"),
            # The filesystem broker has no fan-out worth waiting for: no gossip, no mingle at start.
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip

    def _erp_command(self) -> list[str]:
        return [
            sys.executable, "manage.py", "erp_simulator",
            "--port", str(self.erp_port), "--portal-url", f"http://127.0.0.1:{self.port}",
        ]  # fmt: skip

    def _start(self, name: str, command: list[str]) -> None:
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.children[name] = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509  (no threads run yet in this process)
        )
        self.stdout.write(f"Started {name} (pid {self.children[name].pid}): {' '.join(command[1:6])} …")

    def _dead_child(self) -> str | None:
        for name, child in self.children.items():
            if child.poll() is not None:
                return f"The {name} process exited with status {child.returncode}."
        return None

    def _wait_until_ready(self) -> str | None:
        """Wait until the web server answers /healthz (any HTTP answer means it is up)."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        url = f"http://127.0.0.1:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.stopping.is_set():
                return "signal"
            if dead := self._dead_child():
                return dead
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    response.read()
                return None
            except urllib.error.HTTPError as error:
                self.stderr.write(f"/healthz answered {error.code}: {error.read()[:200]!r}")
                return None
            except (urllib.error.URLError, OSError):
                self.stopping.wait(0.5)
        return f"The web server did not answer {url} within {READY_TIMEOUT_SECONDS} s."

    def _announce(self, logins: list) -> None:
        lines = [
            "",
            "=" * 72,
            f"The portal is running at http://localhost:{self.port}/",
            f"Back office: http://localhost:{self.port}/cms/    Health: http://localhost:{self.port}/healthz",
            f"ERP simulator: webhooks received at http://127.0.0.1:{self.erp_port}/events",
            "Press Ctrl-C to stop the web server, the worker and beat.",
            "=" * 72,
        ]
        if logins:
            lines += ["", format_logins(logins), ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _supervise(self) -> str:
        while not self.stopping.wait(0.5):
            if dead := self._dead_child():
                return dead
        return "signal"

    def _on_signal(self, signal_number, frame) -> None:
        self.signals_received += 1
        if self.signals_received == 1:
            self.stdout.write(f"\nReceived {signal.Signals(signal_number).name}: stopping …")
        else:
            # A second Ctrl-C: no more waiting.
            for child in self.children.values():
                self._kill_group(child.pid, signal.SIGKILL)
        self.stopping.set()

    def _stop_children(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                try:
                    child.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + self.grace
        for name, child in self.children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {name} process did not stop within {self.grace:g} s: killing it.")
        # Whatever is left in the children's groups (workers, pool processes, beat) goes now.
        for child in self.children.values():
            self._kill_group(child.pid, signal.SIGKILL)
        for child in self.children.values():
            child.wait()
            sweep_deadline = time.monotonic() + 10
            while _group_exists(child.pid) and time.monotonic() < sweep_deadline:
                time.sleep(0.1)

    @staticmethod
    def _kill_group(pgid: int, signal_number: int) -> None:
        try:
            os.killpg(pgid, signal_number)
        except (ProcessLookupError, PermissionError):
            pass
