"""`make run`'s processes for real: the serve command on a free port with its own var folder (SQLite, the
filesystem broker, the file cache), /healthz, one task through the real worker and beat, then SIGTERM to the
process group and nothing left running. Plus /healthz's answers in the test settings, up and down."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache

from portal.core.tasks import ping, ping_key

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes_with_environment(marker: bytes) -> list[int]:
    """Every process whose environment holds `marker` (children inherit it: serve, gunicorn, Celery, beat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if marker in environment.split(b"\0"):
            found.append(int(entry.name))
    return found


class OutputReader(threading.Thread):
    """Collects a child's output lines, so the test can wait for one without blocking on the pipe."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []

    def run(self):
        for line in self.stream:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return True
            time.sleep(0.2)
        return False

    @property
    def text(self) -> str:
        return "".join(self.lines)


@pytest.fixture
def serve_environment(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        # The dev settings must pick their own defaults: SQLite and the filesystem broker under tmp_path.
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "TEST_DATABASE_NAME", "PORT"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "PORTAL_VAR_DIR": str(tmp_path / "var"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


def test_serve_runs_web_worker_and_beat_and_stops_on_sigterm(serve_environment, tmp_path):
    port = free_port()
    var_dir = tmp_path / "var"
    marker = f"PORTAL_VAR_DIR={var_dir}".encode()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=BASE_DIR,
        env=serve_environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as under make
    )
    output = OutputReader(process.stdout)
    output.start()
    try:
        assert output.wait_for("The portal is running at", timeout=180), output.text[-5000:]
        assert f"The portal is running at http://localhost:{port}/" in output.text
        assert "admin@group.example" in output.text
        assert "Password for every demo login: portal-demo-2026" in output.text
        assert (var_dir / "portal.sqlite3").is_file()

        with urllib.request.urlopen(f"http://localhost:{port}/healthz", timeout=10) as response:
            assert response.status == 200
            health = json.loads(response.read())
        assert health["status"] == "ok"
        assert {name: check["status"] for name, check in health["checks"].items()} == {
            "database": "ok",
            "broker": "ok",
            "storage": "ok",
        }

        # One task round trip through the filesystem broker and the real worker, read back from its cache.
        token = f"smoke{port}"
        pinged = subprocess.run(
            [sys.executable, "manage.py", "ping_worker", "--token", token, "--timeout", "60"],
            cwd=BASE_DIR,
            env=serve_environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert pinged.returncode == 0, pinged.stdout + pinged.stderr
        assert pinged.stdout.startswith(f"pong {token} from portal@{socket.gethostname()} via queue celery in ")
        worker_cache = FileBasedCache(str(var_dir / "cache"), {})
        assert worker_cache.get(ping_key(token)) == {
            "worker": f"portal@{socket.gethostname()}",
            "queue": "celery",
            "eager": False,
        }
        # kombu's filesystem transport keeps its exchange tables under var/broker/control, not in the tree.
        assert (var_dir / "broker" / "control").is_dir()
        assert not (BASE_DIR / "control").exists()

        # The simulated ERP beside the portal: the demo's item master reached it as signed webhooks through the
        # outbox relay, and its exchange-rate push came in through /api/v1/.
        erp_url = f"http://127.0.0.1:{port + 765}"
        received = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not received:
            with urllib.request.urlopen(f"{erp_url}/events", timeout=10) as response:
                received = [event["topic"] for event in json.loads(response.read())]
            time.sleep(1)
        assert "item.created" in received, output.text[-3000:]
        assert "ERP simulator: pushed 3 exchange rates (3 applied)." in output.text, output.text[-3000:]

        children = [pid for pid in processes_with_environment(marker) if pid != process.pid]
        # gunicorn master + 2 workers, Celery main + 2 pool processes + beat, the ERP simulator
        assert len(children) >= 7, output.text[-3000:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            returncode = process.wait(timeout=60)
        finally:
            leftovers = processes_with_environment(marker)
            for pid in leftovers:
                os.kill(pid, signal.SIGKILL)
    output.join(timeout=10)
    assert returncode == 0, output.text[-3000:]
    assert "Stopped: web server, worker and beat have exited." in output.text
    assert leftovers == []


def test_healthz_reports_every_check(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "broker": "ok",
        "storage": "ok",
    }
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_healthz_is_503_when_the_broker_is_down(client, db, settings, monkeypatch):
    # Nothing listens on port 9 (discard) here: the broker check must fail, the others stay up.
    # Celery prefers the environment variable to the setting (make test exports it), so drop both.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "checks": {
            "database": {"status": "ok", "ms": response.json()["checks"]["database"]["ms"]},
            "broker": {"status": "down"},
            "storage": {"status": "ok", "ms": response.json()["checks"]["storage"]["ms"]},
        },
    }


def test_ping_runs_eagerly_in_unit_tests():
    ping.delay("eager-token")

    # Celery's eager mode names the machine as the worker; no queue was involved.
    assert cache.get(ping_key("eager-token")) == {"worker": socket.gethostname(), "queue": "", "eager": True}


def test_serve_refuses_a_port_that_is_taken(serve_environment):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = subprocess.run(
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=BASE_DIR, env=serve_environment, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    assert result.returncode == 1
    assert f"Port {port} on localhost is taken. Use another one: PORT=8001 make run" in result.stderr
