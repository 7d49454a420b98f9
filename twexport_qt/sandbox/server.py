"""The sandbox's HTTP server on 127.0.0.1, run in a background thread (tests, embedded app) or in the
foreground (`python main.py sandbox serve`)."""

from __future__ import annotations

import json
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType

from twexport_qt.core.clock import Clock
from twexport_qt.sandbox.app import DropConnection, handle_request
from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN, SANDBOX_CREDENTIALS
from twexport_qt.sandbox.billing import SandboxBilling
from twexport_qt.sandbox.config import SandboxConfig
from twexport_qt.sandbox.oauth2_api import WebPage
from twexport_qt.sandbox.state import SandboxState

log = logging.getLogger(__name__)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.twitter.com; every answer carries Content-Length
    server_version = "tsa_b"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid the 40 ms delayed-ACK stall
    timeout = 60  # an idle keep-alive connection must not pin a thread forever
    server: _SandboxHTTPServer

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        outcome = handle_request(self.server.state, method, self.path, self.headers, body)
        if isinstance(outcome, DropConnection):
            self.close_connection = True  # the socket closes with nothing written
            return
        if isinstance(outcome, WebPage):  # the OAuth 2.0 consent page, or its redirect back to the app
            payload, content_type = outcome.html.encode("utf-8"), "text/html; charset=utf-8"
        else:
            payload = json.dumps(outcome.body, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        self.send_response(outcome.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in outcome.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # `format`: the name http.server gives it
        log.debug("sandbox %s - %s", self.address_string(), format % args)


class _SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SandboxState) -> None:
        self.state = state
        super().__init__(address, _RequestHandler)

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket],
                     client_address: tuple[str, int]) -> None:
        # A client that timed out during a slow answer is normal here, not a sandbox failure worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("sandbox client %s went away before its answer", client_address)
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """`with SandboxServer(SandboxConfig(followers=5000)) as server: ... server.base_url ...`"""

    def __init__(self, config: SandboxConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or SandboxConfig()
        self.state = SandboxState.from_config(self.config, clock)
        for client_id, redirect_uris in self.config.oauth2_clients.items():
            self.state.auth.oauth2.register_client(client_id, redirect_uris)
        self._httpd: _SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sandbox server is not running")
        host, port = self._httpd.server_address[:2]
        assert isinstance(host, str)  # a TCP address: bytes only name Unix sockets
        return f"http://{host}:{port}"

    def bind(self) -> str:
        """Open the listening socket (without serving yet); returns the base URL."""
        self._bound()
        return self.base_url

    def _bound(self) -> _SandboxHTTPServer:
        if self._httpd is None:
            self._httpd = _SandboxHTTPServer((self.config.host, self.config.port), self.state)
        return self._httpd

    def start(self) -> str:
        """Bind and serve in a daemon thread; returns the base URL."""
        httpd = self._bound()
        if self._thread is None:
            # A short poll interval keeps stop() fast (tests start and stop a server per test).
            self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="x-sandbox", daemon=True)
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd, self._thread = None, None
        self.state.close()

    @property
    def billing(self) -> SandboxBilling:
        """What X would have billed for the answers this sandbox gave (`total()`, `billed()`, `charges()`)."""
        return self.state.billing

    def shutdown_loop(self) -> None:
        """End `serve_forever` from another thread (a signal handler's helper); returns once it has ended. Asked
        before the loop starts, the loop does not start."""
        httpd = self._httpd
        if httpd is not None:
            httpd.shutdown()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted or `shutdown_loop` is called."""
        httpd = self._bound()
        try:
            httpd.serve_forever()
        finally:
            httpd.server_close()
            self._httpd = None
            self.state.close()

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve_forever_cli(config: SandboxConfig) -> None:
    """`python main.py sandbox serve`: print where the sandbox listens and how to sign in, then serve until
    Ctrl+C or SIGTERM. Raises SandboxStateError / OSError before serving if a file or the port is unusable."""
    server = SandboxServer(config)
    server.bind()
    # Installed before the banner: a test that terminates us as soon as it read the URL still gets exit 0.
    restore = _shut_down_on_signals(server)
    try:
        _print_banner(server.base_url, config)
        server.serve_forever()
    except KeyboardInterrupt:  # a second Ctrl+C: the handlers were restored by the first
        pass
    finally:
        restore()


def _print_banner(base_url: str, config: SandboxConfig) -> None:
    creds = SANDBOX_CREDENTIALS
    # Tests parse this first line for the port (--port 0), so its shape stays and it is flushed at once.
    print(f"X API sandbox listening on {base_url} ({config.followers:,} followers, seed {config.seed})", flush=True)
    print(f"  consumer key:        {creds.consumer_key}")
    print(f"  consumer secret:     {creds.consumer_secret}")
    print(f"  access token:        {creds.access_token}")
    print(f"  access token secret: {creds.access_token_secret}")
    print(f"  bearer token:        {SANDBOX_BEARER_TOKEN}")
    for client_id, redirect_uris in config.oauth2_clients.items():
        print(f"  OAuth 2.0 client id: {client_id} (callback {', '.join(redirect_uris)})")
    for line in describe(config):
        print(f"  {line}")
    print("Press Ctrl+C to stop.", flush=True)


def describe(config: SandboxConfig) -> list[str]:
    """The non-default settings, one line each, for the start-up banner."""
    lines: list[str] = []
    faults = config.faults
    rates = {"drop": faults.drop_rate, "500/503": faults.error_rate, "slow": faults.slow_rate,
             **{str(kind): rate for kind, rate in faults.rates.items()}}
    active = ", ".join(f"{kind}={rate:g}" for kind, rate in rates.items() if rate > 0)
    if active:
        where = ", ".join(sorted(faults.endpoints)) if faults.endpoints is not None else "all endpoints"
        lines.append(f"faults:              {active} on {where} (seed {faults.seed}, slow {faults.slow_seconds:g} s, "
                     f"429 storms {faults.storm_seconds:g} s)")
    for key, windows in config.rate_limits.items():
        lines.append(f"rate limit:          {key} = " + ", ".join(f"{n}/{s} s" for n, s in windows))
    if config.usage_capped:
        lines.append("usage cap:           exceeded (every request gets UsageCapExceeded)")
    if config.state_file is not None:
        lines.append(f"DM state file:       {config.state_file}")
    if config.request_log is not None:
        lines.append(f"request log:         {config.request_log}")
    if config.reply_rate > 0:
        lines.append(f"follower replies:    {config.reply_rate:g} of messaged followers reply an hour after the first "
                     "DM, a quarter of them with an opt-out")
    return lines


def _shut_down_on_signals(server: SandboxServer) -> Callable[[], None]:
    """Make Ctrl+C (SIGINT) and SIGTERM end the serve loop cleanly; returns the function that restores the previous
    handlers.

    The handler asks the loop to stop from a helper thread (`shutdown()` waits for the loop, so it cannot run in
    the loop's own thread) instead of raising in the main thread: an exception raised by a signal lands anywhere,
    inside socketserver's or threading's own bookkeeping too, and once in a while left the process stuck at exit.
    The first signal also restores the previous handlers, so a second Ctrl+C interrupts at once. Guarded: not every
    platform has SIGTERM, and only the main thread may set handlers."""
    previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        restore()
        threading.Thread(target=server.shutdown_loop, name="x-sandbox-shutdown", daemon=True).start()

    for name in ("SIGINT", "SIGTERM"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            previous[number] = signal.signal(number, on_signal)
        except ValueError:  # not the main thread
            break
    return restore
