"""The question every path asks before live DMs can go out: how many people, and "No" unless the user says yes."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from twexport_qt.campaigns.live_gate import LiveAudience

TITLE = "Send live DMs?"


def confirm_live_sending(parent: QWidget | None, audience: LiveAudience, *, what: str = "Turn live sending on") -> bool:
    """True only if the user clicks the button named `what`; Enter and Esc answer No."""
    box = QMessageBox(QMessageBox.Icon.Warning, TITLE,
                      f"Live sending messages your real followers, not test accounts.\n\nRight now that is "
                      f"{audience.describe()}\n\n{what}?", parent=parent)
    yes = box.addButton(what, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(QMessageBox.StandardButton.No)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes
