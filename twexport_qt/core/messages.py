"""The one way to tell the user something: `messages.info/warning/error(text)`, from any thread or layer.

In the manner of qutebrowser's `message` module and napari's notifications: this module is plain Python and only
hands each message to whoever subscribed; the desktop app's `ui/message_renderer.py` shows them (status bar,
and a dialog with "Copy details" for errors), tests subscribe a recorder (the `messages` fixture). Every
message is also logged, so one that nobody renders is not lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger(__name__)


class MessageLevel(StrEnum):
    INFO = "info"  # something finished or changed: the status bar, for a while
    WARNING = "warning"  # something did not happen as asked, nothing to decide: the status bar, longer
    ERROR = "error"  # something failed and the user should read why: a dialog in the desktop app


@dataclass(frozen=True)
class UserMessage:
    level: MessageLevel
    text: str
    title: str = ""  # what the message is about ("Sending DMs"), a dialog's title
    details: str = ""  # technical details behind a "Copy details" button


Listener = Callable[[UserMessage], None]

_listeners: list[Listener] = []
_lock = threading.Lock()
_LOG_LEVELS = {MessageLevel.INFO: logging.INFO, MessageLevel.WARNING: logging.WARNING,
               MessageLevel.ERROR: logging.WARNING}  # errors the user is told of are not bugs: no ERROR in the log


def subscribe(listener: Listener) -> Callable[[], None]:
    """Call `listener` (in the sender's thread) with every message from now on; returns the unsubscribe call."""
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def show(message: UserMessage) -> None:
    log.log(_LOG_LEVELS[message.level], "%s%s", f"{message.title}: " if message.title else "", message.text)
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(message)


def info(text: str, *, title: str = "") -> None:
    show(UserMessage(MessageLevel.INFO, text, title))


def warning(text: str, *, title: str = "") -> None:
    show(UserMessage(MessageLevel.WARNING, text, title))


def error(text: str, *, title: str = "", details: str = "") -> None:
    show(UserMessage(MessageLevel.ERROR, text, title, details))
