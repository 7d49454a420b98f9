"""The loopback receiver: it answers the browser with a page that says the tab may close, keeps the first answer,
refuses a foreign state, and its wait ends on cancel, on timeout or when the port cannot be had."""

from __future__ import annotations

import threading

import pytest
import requests

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.signin.errors import PortUnavailable, SignInDenied, SignInError, SignInTimedOut
from twexport_qt.signin.loopback_receiver import LoopbackReceiver


@pytest.fixture
def receiver():
    with LoopbackReceiver(0, "expected-state") as running:
        yield running


def get(receiver: LoopbackReceiver, path: str) -> requests.Response:
    return requests.get(f"http://127.0.0.1:{receiver.port}{path}", timeout=5)


def test_the_code_arrives_and_the_browser_is_told_to_close_the_tab(receiver):
    page = get(receiver, "/callback?state=expected-state&code=the-code")
    assert page.status_code == 200 and "You can close this tab" in page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert receiver.wait_for_code(timeout_s=5) == "the-code"
    again = get(receiver, "/callback?state=expected-state&code=other-code")
    assert "already received an answer" in again.text
    assert receiver.wait_for_code(timeout_s=5) == "the-code"  # the first answer counts


def test_other_paths_are_not_the_callback(receiver):
    assert get(receiver, "/favicon.ico").status_code == 404
    with pytest.raises(SignInTimedOut):
        receiver.wait_for_code(timeout_s=0.1)


def test_a_denial_and_an_error_are_sentences(receiver):
    get(receiver, "/callback?error=access_denied&state=expected-state")
    with pytest.raises(SignInDenied):
        receiver.wait_for_code(timeout_s=5)
    with LoopbackReceiver(0, "s") as other:
        get(other, "/callback?error=server_error&error_description=Try+later&state=s")
        with pytest.raises(SignInError, match="server_error: Try later"):
            other.wait_for_code(timeout_s=5)


def test_cancel_ends_the_wait_from_another_thread(receiver):
    cancel = CancelToken()
    outcome: list[BaseException] = []

    def wait() -> None:
        try:
            receiver.wait_for_code(cancel, timeout_s=60)
        except Cancelled as exc:
            outcome.append(exc)

    waiting = threading.Thread(target=wait)
    waiting.start()
    cancel.cancel()
    waiting.join(timeout=10)
    assert not waiting.is_alive() and len(outcome) == 1


def test_a_taken_port_is_a_sentence(receiver):
    with pytest.raises(PortUnavailable, match="Settings → X account"):
        LoopbackReceiver(receiver.port, "state")
