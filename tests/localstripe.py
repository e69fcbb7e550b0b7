"""localstripe (https://github.com/adrienverge/localstripe) on 127.0.0.1 for tests: a fake Stripe API, its webhooks
and its Stripe.js stand-in (`<base>/js.stripe.com/v3/`), so stripe-python talks HTTP without the internet.

    server = start_localstripe()      # a child process on a free port, with an empty store
    server.url                        # "http://127.0.0.1:<port>" (settings.STRIPE_API_BASE)
    server.js_url                     # "<url>/js.stripe.com/v3/" (settings.STRIPE_JS_URL)
    server.add_webhook("portal", url, secret)   # localstripe signs and POSTs its events there
    server.reset()                    # forget every object and webhook (between tests)
    server.stop()

Two changes to localstripe, made in the child only:
- its store is pickled to the shared /tmp/localstripe.pickle after every write (and read back at start): each of
  our servers keeps its own file in a private temporary directory instead and starts empty;
- its stand-in of `stripe.confirmCardPayment` only completes a 3-D Secure challenge (`_authenticate` on a
  PaymentIntent in `requires_action`). Real Stripe.js pays a PaymentIntent that has no payment method yet with the
  card typed into the Card Element; here `_authenticate` does the same with a test card, so the browser flow of the
  pay page works: the stand-in asks "Complete authentication?"; "Complete" charges a good card (4242…) and sends
  `payment_intent.succeeded` to the registered webhooks, "Fail" a declined one (4000…0341): the page shows
  "Your card was declined." and `payment_intent.payment_failed` is sent.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

# Runs in the child: `python -c CHILD <state dir>`; prints the port it listens on, then serves.
CHILD = r"""
import os, pickle, socket, sys
from aiohttp import web
from localstripe import resources
from localstripe.server import app

state = os.path.join(sys.argv[1], "localstripe.pickle")

def dump_to_disk(self=None):
    with open(state, "wb") as f:
        pickle.dump(dict(resources.store), f, protocol=pickle.HIGHEST_PROTOCOL)

resources.Store.dump_to_disk = lambda self: dump_to_disk()
resources.Store.try_load_from_disk = lambda self: None
resources.store.clear()

_authenticate = resources.PaymentIntent._api_authenticate.__func__

def authenticate(cls, id, client_secret=None, success=False, **kwargs):
    pi = cls._api_retrieve(id) if isinstance(id, str) and id.startswith("pi_") else None
    if pi is not None and client_secret == pi.client_secret and pi.status == "requires_payment_method":
        success = resources.try_convert_to_bool(success)
        number = "4242424242424242" if success is True else "4000000000000341"  # the latter is declined
        card = resources.PaymentMethod(
            type="card", card={"number": number, "exp_month": 12, "exp_year": 2099, "cvc": "123"}
        )
        pi.payment_method = card.id
        # a decline sends payment_intent.payment_failed (and leaves the PaymentIntent payable), as Stripe does
        pi._confirm(on_failure_now=pi._report_async_failure)
        if pi.status != "succeeded":
            raise resources.UserError(402, "Your card was declined.", {"code": "card_declined"})
        return pi
    return _authenticate(cls, id, client_secret=client_secret, success=success, **kwargs)

resources.PaymentIntent._api_authenticate = classmethod(authenticate)
# The route was bound to the original at import: bind it to ours.
from localstripe import server as server_module
for route in list(app.router.routes()):
    info = route.resource.get_info() if route.resource is not None else {}
    if info.get("formatter", "").endswith("/_authenticate"):
        route._handler = server_module.api_extra(resources.PaymentIntent._api_authenticate, info["formatter"])

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # nothing more to say: never block on a pipe nobody reads


def exit_with_parent(parent=os.getppid()):
    import threading, time

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


exit_with_parent()
web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=True)
"""


@dataclass
class LocalStripe:
    url: str
    process: subprocess.Popen
    state_dir: tempfile.TemporaryDirectory = field(repr=False)

    @property
    def js_url(self) -> str:
        return f"{self.url}/js.stripe.com/v3/"

    def _request(self, method: str, path: str, body: dict | None = None) -> bytes:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own loopback server)
            return response.read()

    def add_webhook(self, name: str, url: str, secret: str, events: list[str] | None = None) -> None:
        """localstripe POSTs every event (or those of `events`) to `url`, signed with `secret` as Stripe does."""
        body: dict = {"url": url, "secret": secret}
        if events is not None:
            body["events"] = events
        self._request("POST", f"/_config/webhooks/{name}", body)

    def reset(self) -> None:
        """Forget every object. (Webhooks stay registered: register one under the same name to replace it.)"""
        self._request("DELETE", "/_config/data")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.state_dir.cleanup()


def start_localstripe(timeout: float = 20.0) -> LocalStripe:
    """Start localstripe in a child process on a free port of 127.0.0.1 and wait until it answers."""
    state_dir = tempfile.TemporaryDirectory(prefix="localstripe-")
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", CHILD, state_dir.name],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    port_line = process.stdout.readline().strip() if process.stdout else ""
    if not port_line.isdigit():
        process.kill()
        state_dir.cleanup()
        raise RuntimeError("localstripe did not start")
    server = LocalStripe(url=f"http://127.0.0.1:{port_line}", process=process, state_dir=state_dir)
    atexit.register(server.stop)
    deadline = time.monotonic() + timeout
    while True:
        try:
            server._request("GET", "/js.stripe.com/v3/")
            return server
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline or process.poll() is not None:
                server.stop()
                raise RuntimeError("localstripe did not answer") from None
            time.sleep(0.05)
