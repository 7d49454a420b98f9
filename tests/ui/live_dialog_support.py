"""Answering the live-sending question in GUI tests, as a user would: with its default button (Enter) or by
clicking "yes". Records every question asked."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from twexport_qt.ui.live_confirmation import TITLE


def answer_live_questions(monkeypatch, answer: str) -> list[str]:
    """`answer`: "enter" presses the default button, "yes" clicks the button that turns live sending on.
    Returns the texts of the live-sending questions asked (other message boxes are not answered)."""
    asked: list[str] = []

    def exec_(box: QMessageBox) -> int:
        if box.windowTitle() != TITLE:
            raise AssertionError(f"unexpected dialog: {box.text()}")
        asked.append(box.text())
        if answer == "enter":
            box.defaultButton().click()
        else:
            next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked
