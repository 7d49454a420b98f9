"""Ctrl+C in headless commands: the first one cancels cleanly (work so far is kept), a second stops at once."""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType

from twexport_qt.commands.terminal_progress import TerminalProgress
from twexport_qt.core.cancel import CancelToken


def cancel_on_first_ctrl_c(cancel: CancelToken, display: TerminalProgress) -> Callable[[], None]:
    """Install the handler; returns the function that restores the previous one."""
    try:
        previous = signal.getsignal(signal.SIGINT)

        def on_sigint(signum: int, frame: FrameType | None) -> None:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            display.message("Stopping after the current request… (Ctrl+C again to stop at once)")
            cancel.cancel()

        signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread (tests): Ctrl+C is not ours to handle
        return lambda: None

    def restore() -> None:
        signal.signal(signal.SIGINT, previous)

    return restore
