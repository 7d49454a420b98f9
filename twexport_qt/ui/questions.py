"""The app's yes/no questions before something that cannot be taken back (live DMs, a paid job): the "yes"
button names the action, and Enter and Esc answer No."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_before(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, action: str) -> bool:
    """True only if the user clicks the button named `action`."""
    box = QMessageBox(icon, title, text, parent=parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(QMessageBox.StandardButton.No)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes
