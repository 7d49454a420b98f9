"""The `messages` fixture: every user message (`core.messages`) sent during a test, for assertions.

In the manner of qutebrowser's messagemock: tests assert what the user was told, not how a window shows it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from twexport_qt.core import messages as core_messages
from twexport_qt.core.messages import MessageLevel, UserMessage


class MessageRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent: list[UserMessage] = []

    def __call__(self, message: UserMessage) -> None:
        with self._lock:
            self.sent.append(message)

    def texts(self, level: MessageLevel | None = None) -> list[str]:
        with self._lock:
            return [m.text for m in self.sent if level is None or m.level is level]

    def errors(self) -> list[str]:
        return self.texts(MessageLevel.ERROR)

    def warnings(self) -> list[str]:
        return self.texts(MessageLevel.WARNING)

    def infos(self) -> list[str]:
        return self.texts(MessageLevel.INFO)

    def joined(self) -> str:
        return "\n".join(self.texts())


@pytest.fixture
def messages() -> Iterator[MessageRecorder]:
    recorder = MessageRecorder()
    unsubscribe = core_messages.subscribe(recorder)
    yield recorder
    unsubscribe()
