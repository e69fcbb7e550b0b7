"""A webhook receiver on 127.0.0.1 for the relay's tests and benchmark, the way a careful ERP adapter works:
it verifies every signature, deduplicates by event id and records the order it processed events in.

Modes: "up" (processes, answers 204), "slow" (processes, then answers only after `delay` seconds, so the
sender times out although the event was handled), "stall" (waits until `release()` before processing),
"status" (answers `status` without processing). Before `start()` the port is closed: the receiver is down.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from portal.integration.signing import verify_signature


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    def __init__(self, secrets: dict[str, str] | str, *, port: int | None = None):
        # path → secret ("/" for a single endpoint)
        self.secrets = {"/": secrets} if isinstance(secrets, str) else secrets
        self.port = port or free_port()
        self.mode = "up"
        self.delay = 0.0
        self.status = 204
        self.refuse_ids: set[str] = set()  # answered 400 whatever the mode
        self.lock = threading.Lock()
        self.processed: list[dict] = []  # first delivery of each event id, in processing order
        self.processed_ids: set[tuple[str, str]] = set()
        self.duplicates = 0
        self.bad_signatures = 0
        self.requests: list[tuple[str, str]] = []  # (path, event id) of every request
        self.stalled = threading.Event()  # set when a request waits in "stall" mode
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the relay's session expects

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response_only(receiver.handle(self.path, self.headers, body))
                self.send_header("Content-Length", "0")
                self.end_headers()

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def release(self) -> None:
        self._release.set()

    def handle(self, path: str, headers, body: bytes) -> int:
        secret = self.secrets.get(path)
        event_id = headers.get("Portal-Event-Id", "")
        with self.lock:
            self.requests.append((path, event_id))
        if secret is None or not verify_signature(
            secret, headers.get("Portal-Timestamp", ""), body, headers.get("Portal-Signature", "")
        ):
            with self.lock:
                self.bad_signatures += 1
            return 401
        if event_id in self.refuse_ids:
            return 400
        mode = self.mode
        if mode == "status":
            return self.status
        if mode == "stall":
            self.stalled.set()
            self._release.wait(timeout=30)
        self._process(path, event_id, body)
        if mode == "slow":
            time.sleep(self.delay)
        return 204

    def _process(self, path: str, event_id: str, body: bytes) -> None:
        document = json.loads(body)
        assert document["id"] == event_id
        with self.lock:
            if (path, event_id) in self.processed_ids:
                self.duplicates += 1
                return
            self.processed_ids.add((path, event_id))
            self.processed.append({"path": path, **document})

    def order_by_object(self) -> dict[tuple[str, str], list[str]]:
        """Event ids per object in the order this receiver processed them."""
        order: dict[tuple[str, str], list[str]] = {}
        with self.lock:
            for document in self.processed:
                key = (document["object"]["type"], document["object"]["id"])
                order.setdefault(key, []).append(document["id"])
        return order
