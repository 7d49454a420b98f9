"""The loopback redirect receiver: a tiny HTTP server on 127.0.0.1 at the registered port that waits for X to
send the browser back with the sign-in's code (or its refusal), answers the browser with a page saying it may
close the tab, and hands the answer over. Waiting is cancellable and has a timeout: X shows its own error page,
and never redirects, when the callback URI is not registered, so nothing else would end it.
"""

from __future__ import annotations

import errno
import hmac
import html
import logging
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.signin.endpoints import CALLBACK_PATH, LOOPBACK_HOST
from twexport_qt.signin.errors import PortUnavailable, SignInDenied, SignInError, SignInTimedOut, StateMismatch

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 300.0  # five minutes to read X's page, sign in to X if needed, and approve
_POLL_S = 0.05  # how soon a cancel is noticed while waiting
_PORT_TAKEN = {errno.EADDRINUSE, errno.EACCES, 10013, 10048}  # 10013/10048: Windows' WSAEACCES / WSAEADDRINUSE


@dataclass(frozen=True)
class CallbackAnswer:
    """What X put on the redirect: a code and the state, or an error (e.g. `access_denied`)."""

    code: str | None
    state: str | None
    error: str | None = None
    error_description: str | None = None


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TwExport</title></head>
<body style="font-family: sans-serif; margin: 3em auto; max-width: 34em;">
<h1>{title}</h1><p>{text}</p><p>You can close this tab.</p></body></html>"""


class LoopbackReceiver:
    """`with LoopbackReceiver(port, expected_state) as receiver: ... receiver.wait_for_code(cancel)`.

    The socket is bound in the constructor, so a port another program holds is reported before the browser opens.
    """

    def __init__(self, port: int, expected_state: str) -> None:
        self._expected_state = expected_state
        self._arrived = threading.Event()
        self._answer: CallbackAnswer | None = None
        self._lock = threading.Lock()
        self._close_lock = threading.Lock()  # the waiting thread and a Cancel may close at the same time
        try:
            self._httpd = _ReceiverServer((LOOPBACK_HOST, port), self)
        except OSError as exc:
            if exc.errno in _PORT_TAKEN or getattr(exc, "winerror", None) in _PORT_TAKEN:
                raise PortUnavailable(
                    f"Port {port} on this computer is in use by another program, so TwExport cannot receive X's "
                    "answer there. Close that program, or choose another port in Settings → X account (and register "
                    "the new callback URI in your X app).") from exc
            raise PortUnavailable(f"TwExport could not listen on {LOOPBACK_HOST}:{port} for X's answer ({exc}).") \
                from exc
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": _POLL_S},
                                        name="sign-in-receiver", daemon=True)
        self._thread.start()

    def wait_for_code(self, cancel: CancelToken | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> str:
        """The authorization code, once the browser has been sent back; Cancelled, SignInTimedOut, SignInDenied,
        StateMismatch or SignInError otherwise."""
        deadline = time.monotonic() + timeout_s
        while not self._arrived.wait(min(_POLL_S, max(0.0, deadline - time.monotonic()))):
            if cancel is not None and cancel.cancelled:
                raise Cancelled("The sign-in was cancelled; nothing was stored.")
            if time.monotonic() >= deadline:
                raise SignInTimedOut()
        with self._lock:
            answer = self._answer
        assert answer is not None  # set before the event
        return _code_of(answer, self._expected_state)

    def close(self) -> None:
        """Stop listening (idempotent, from any thread)."""
        with self._close_lock:
            if self._thread.is_alive():
                self._httpd.shutdown()
                self._thread.join()
            self._httpd.server_close()

    def __enter__(self) -> LoopbackReceiver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- called by the request handler, in the server's thread -----------------------------------------
    def receive(self, answer: CallbackAnswer) -> tuple[int, str]:
        """Keep the first answer; the page (status, HTML) for the browser."""
        with self._lock:
            first = self._answer is None
            if first:
                self._answer = answer
        if first:
            self._arrived.set()
        try:
            _code_of(answer, self._expected_state)
        except SignInDenied:
            return 200, _page("Sign-in cancelled", "You did not authorize TwExport; nothing was stored.")
        except SignInError as problem:
            return 400, _page("Sign-in failed", str(problem))
        if not first:
            return 200, _page("Already signed in", "TwExport has already received an answer for this sign-in.")
        return 200, _page("Signed in", "TwExport received X's answer and is finishing the sign-in.")


def _code_of(answer: CallbackAnswer, expected_state: str) -> str:
    # The state is checked first, also on an error: only the sign-in TwExport started may end it.
    if answer.state is None or not hmac.compare_digest(answer.state.encode(), expected_state.encode()):
        raise StateMismatch()
    if answer.error == "access_denied":
        raise SignInDenied()
    if answer.error:
        raise SignInError(f"X ended the sign-in with an error ({answer.error}: "
                          f"{answer.error_description or 'no details'}). Sign in again.")
    if not answer.code:
        raise SignInError("X's answer carried no code. Sign in again.")
    return answer.code


def _page(title: str, text: str) -> str:
    return _PAGE.format(title=html.escape(title), text=html.escape(text))


class _ReceiverServer(HTTPServer):
    # SO_REUSEADDR lets a second sign-in start right after the first on Unix; on Windows it would let another
    # program bind the same port and read the code, so it is off there.
    allow_reuse_address = sys.platform != "win32"

    def __init__(self, address: tuple[str, int], receiver: LoopbackReceiver) -> None:
        self.receiver = receiver
        super().__init__(address, _CallbackHandler)


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _ReceiverServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self._reply(404, _page("Not found", "This address is TwExport's sign-in receiver."))
            return
        query = parse_qs(parts.query)

        def first(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        self._reply(*self.server.receiver.receive(CallbackAnswer(
            code=first("code"), state=first("state"), error=first("error"),
            error_description=first("error_description"))))

    def _reply(self, status: int, page: str) -> None:
        payload = page.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # `format`: the name http.server gives it
        # The request line holds the code and state: never log it.
        log.debug("sign-in receiver: %s answered", self.address_string())
