"""Answering the app's yes/no questions in GUI tests (live sending, a job's price), as a user would: with the
default button (Enter) or by clicking "yes". Records every question asked."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from twexport_qt.ui.live_confirmation import TITLE


def answer_live_questions(monkeypatch, answer: str) -> list[str]:
    """`answer`: "enter" presses the default button, "yes" clicks the button that turns live sending on.
    Returns the texts of the live-sending questions asked; any other dialog fails the test."""
    return answer_questions(monkeypatch, TITLE, answer)


def answer_questions(monkeypatch, title: str, answer: str) -> list[str]:
    """Answer every question titled `title` ("enter": the default button, No; "yes": the button that goes on)
    and return their texts; any other dialog fails the test."""
    asked: list[str] = []

    def exec_(box: QMessageBox) -> int:
        if box.windowTitle() != title:
            raise AssertionError(f"unexpected dialog: {box.text()}")
        asked.append(box.text())
        if answer == "enter":
            box.defaultButton().click()
        else:
            next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked
