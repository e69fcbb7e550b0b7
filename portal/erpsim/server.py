"""The webhook receiver of the simulated ERP: verify, deduplicate, record, then answer in the background."""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from portal.integration.signing import verify_signature

logger = logging.getLogger("portal.erpsim")

MAX_BODY_BYTES = 5 * 1024 * 1024
Handler = Callable[[dict[str, Any], Any], None]


class ReceivedEvents:
    """Every event id the ERP has processed, in a SQLite file (or in memory): the receiver's dedupe table."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS received (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT UNIQUE NOT NULL,"
            " topic TEXT NOT NULL, object_id TEXT, received_at TEXT NOT NULL, body TEXT NOT NULL)"
        )

    def add(self, event: dict[str, Any], body: bytes) -> bool:
        """Record the event; False when its id was seen before (a redelivery)."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO received (event_id, topic, object_id, received_at, body) VALUES (?, ?, ?, ?, ?)",
                (
                    event["id"],
                    event.get("topic", ""),
                    (event.get("object") or {}).get("id", ""),
                    datetime.now(UTC).isoformat(),
                    body.decode(),
                ),
            )
            return cursor.rowcount == 1

    def all(self, topic: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            query = "SELECT event_id, topic, object_id, received_at, body FROM received"
            if topic:
                rows = self._db.execute(query + " WHERE topic = ? ORDER BY seq", (topic,))
            else:
                rows = self._db.execute(query + " ORDER BY seq")
            return [
                {"id": row[0], "topic": row[1], "object_id": row[2], "received_at": row[3], "event": json.loads(row[4])}
                for row in rows.fetchall()
            ]

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM received").fetchone()[0]


class ErpSimulator:
    """Receives webhooks on POST /webhooks; GET /events lists what it received, GET /healthz says it is up.

    `handlers` maps a topic to `handler(event, api)`; they run one at a time on a background thread after the
    webhook was acknowledged (a slow ERP reaction must not make the portal's delivery time out)."""

    def __init__(
        self,
        *,
        secret: str,
        store: ReceivedEvents | None = None,
        api: Any = None,
        handlers: dict[str, Handler] | None = None,
        tolerance: int = 300,
    ) -> None:
        self.secret = secret
        self.store = store or ReceivedEvents()
        self.api = api
        self.handlers = handlers or {}
        self.tolerance = tolerance
        self.rejected = 0
        self.errors: list[str] = []
        self._jobs: queue.Queue = queue.Queue()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # The receiving side ------------------------------------------------------------------------------

    def receive(self, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        """What the receiver answers to one POST: (HTTP status, JSON body)."""
        if not verify_signature(
            self.secret,
            headers.get("Portal-Timestamp", ""),
            body,
            headers.get("Portal-Signature", ""),
            tolerance=self.tolerance,
        ):
            self.rejected += 1
            return HTTPStatus.UNAUTHORIZED, {"error": "bad signature or timestamp"}
        try:
            event = json.loads(body)
            event_id = event["id"]
        except (ValueError, KeyError, TypeError):
            return HTTPStatus.BAD_REQUEST, {"error": "not an event"}
        if headers.get("Portal-Event-Id") not in (None, event_id):
            return HTTPStatus.BAD_REQUEST, {"error": "event id header and body disagree"}
        if not self.store.add(event, body):
            return HTTPStatus.OK, {"id": event_id, "duplicate": True}
        handler = self.handlers.get(event.get("topic"))
        if handler is not None:
            self._jobs.put((handler, event))
        return HTTPStatus.OK, {"id": event_id, "duplicate": False}

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            handler, event = job
            try:
                handler(event, self.api)
            except Exception as error:  # a failing reaction is reported, the receiver goes on
                logger.exception("ERP simulator: handling %s %s failed", event.get("topic"), event.get("id"))
                self.errors.append(f"{event.get('topic')} {event.get('id')}: {error}")
            finally:
                self._jobs.task_done()

    def drain(self) -> None:
        """Wait until every queued reaction ran (tests)."""
        self._jobs.join()

    # The HTTP server ---------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        simulator = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, payload: Any) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 — http.server's naming
                if self.path.rstrip("/") != "/webhooks":
                    self._answer(HTTPStatus.NOT_FOUND, {"error": "not found"})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY_BYTES:
                    self._answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "too large"})
                    return
                status, payload = simulator.receive(self.headers, self.rfile.read(length))
                self._answer(status, payload)

            def do_GET(self) -> None:  # noqa: N802
                if self.path.startswith("/healthz"):
                    self._answer(HTTPStatus.OK, {"status": "ok", "received": simulator.store.count()})
                elif self.path.startswith("/events"):
                    self._answer(HTTPStatus.OK, simulator.store.all())
                else:
                    self._answer(HTTPStatus.NOT_FOUND, {"error": "not found"})

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                logger.info("%s " + format, self.address_string(), *args)

        self._server = ThreadingHTTPServer((host, port), RequestHandler)
        self._server.daemon_threads = True
        for target in (self._server.serve_forever, self._work):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self._server.server_address[:2]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
