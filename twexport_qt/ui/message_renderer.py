"""Shows `core.messages` in a main window: info and warnings in the status bar, errors also in a dialog.

The one renderer of user messages (views never reach for `window().statusBar()`). Messages may be sent from
any thread; `_arrived` is a signal of this GUI-thread object, so Qt queues them to the GUI thread.

The status bar's message is a label of its own, left of the permanent widgets: a long sentence is shortened
with "…" and shown whole in its tooltip, where QStatusBar's own message would be cut without a trace.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QPushButton

from twexport_qt import APP_NAME
from twexport_qt.core import messages
from twexport_qt.core.messages import MessageLevel, UserMessage
from twexport_qt.ui.widgets import ElidedLabel

STATUS_TIMEOUT_MS = {MessageLevel.INFO: 10_000, MessageLevel.WARNING: 15_000, MessageLevel.ERROR: 20_000}


class MessageRenderer(QObject):
    _arrived = Signal(object)  # UserMessage

    def __init__(self, window: QMainWindow, *, interactive: bool = True) -> None:
        super().__init__(window)
        self._window = window
        self._interactive = interactive  # False in tests and --self-check: no modal dialogs
        self.label = ElidedLabel(min_chars=12)
        window.statusBar().addWidget(self.label, 1)
        self._expiry = QTimer(self, singleShot=True)
        self._expiry.timeout.connect(self.label.clear)
        self._arrived.connect(self._render)
        self._unsubscribe = messages.subscribe(self._arrived.emit)
        window.destroyed.connect(self._unsubscribe)

    def detach(self) -> None:
        self._unsubscribe()

    def current_text(self) -> str:
        """The status bar's message now ('' once it has timed out)."""
        return self.label.text()

    @Slot(object)
    def _render(self, message: UserMessage) -> None:
        text = f"{message.title}: {message.text}" if message.title else message.text
        self.label.setText(text)
        self._expiry.start(STATUS_TIMEOUT_MS[message.level])
        if message.level is MessageLevel.ERROR and self._interactive:
            error_dialog(self._window, message).exec()


def error_dialog(parent: QMainWindow | None, message: UserMessage) -> QMessageBox:
    """A warning box with the sentence and, when there are details, a button that copies them."""
    box = QMessageBox(QMessageBox.Icon.Warning, message.title or APP_NAME, message.text,
                      QMessageBox.StandardButton.Ok, parent)
    if message.details:
        copy = QPushButton("Copy details")
        box.addButton(copy, QMessageBox.ButtonRole.ActionRole)
        copy.clicked.disconnect()  # an action button closes the box by default; copying should not
        copy.clicked.connect(lambda: QApplication.clipboard().setText(message.details))
        box.setDetailedText(message.details)
    return box
