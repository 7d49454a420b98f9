"""The sandbox's HTTP server on 127.0.0.1, run in a background thread (tests, embedded app) or in the
foreground (`python main.py sandbox serve`)."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from twexport_qt.core.clock import Clock
from twexport_qt.sandbox.app import DropConnection, handle_request
from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN, SANDBOX_CREDENTIALS
from twexport_qt.sandbox.config import SandboxConfig
from twexport_qt.sandbox.state import SandboxState

log = logging.getLogger(__name__)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.twitter.com; every answer carries Content-Length
    server_version = "tsa_b"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid the 40 ms delayed-ACK stall
    timeout = 60  # an idle keep-alive connection must not pin a thread forever
    server: _SandboxHTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        outcome = handle_request(self.server.state, method, self.path, self.headers, body)
        if isinstance(outcome, DropConnection):
            self.close_connection = True  # the socket closes with nothing written
            return
        payload = json.dumps(outcome.body, ensure_ascii=False).encode("utf-8")
        self.send_response(outcome.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in outcome.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        log.debug("sandbox %s - %s", self.address_string(), format % args)


class _SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SandboxState) -> None:
        self.state = state
        super().__init__(address, _RequestHandler)


class SandboxServer:
    """`with SandboxServer(SandboxConfig(followers=5000)) as server: ... server.base_url ...`"""

    def __init__(self, config: SandboxConfig | None = None, clock: Clock | None = None) -> None:
        self.config = config or SandboxConfig()
        self.state = SandboxState.from_config(self.config, clock)
        self._httpd: _SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sandbox server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def bind(self) -> str:
        """Open the listening socket (without serving yet); returns the base URL."""
        if self._httpd is None:
            self._httpd = _SandboxHTTPServer((self.config.host, self.config.port), self.state)
        return self.base_url

    def start(self) -> str:
        """Bind and serve in a daemon thread; returns the base URL."""
        url = self.bind()
        if self._thread is None:
            # A short poll interval keeps stop() fast (tests start and stop a server per test).
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="x-sandbox", daemon=True)
            self._thread.start()
        return url

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd, self._thread = None, None

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self.bind()
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve_forever_cli(port: int, followers: int, seed: int) -> None:
    """`python main.py sandbox serve`: print where the sandbox listens and how to sign in, then serve."""
    server = SandboxServer(SandboxConfig(port=port, followers=followers, seed=seed))
    server.bind()
    creds = SANDBOX_CREDENTIALS
    print(f"X API sandbox listening on {server.base_url} ({followers:,} followers, seed {seed})")
    print(f"  consumer key:        {creds.consumer_key}")
    print(f"  consumer secret:     {creds.consumer_secret}")
    print(f"  access token:        {creds.access_token}")
    print(f"  access token secret: {creds.access_token_secret}")
    print(f"  bearer token:        {SANDBOX_BEARER_TOKEN}")
    print("Press Ctrl+C to stop.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
