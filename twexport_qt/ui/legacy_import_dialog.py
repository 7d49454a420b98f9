"""File → Import Twitter Exporter config.json…: choose the file, the profile and, when config.json's db_file is not
there, the old database; then run the import (`legacy_import.py`) and show its report."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox, QWidget

from twexport_qt import APP_NAME
from twexport_qt.app_context import AppContext
from twexport_qt.core.errors import TwExportError
from twexport_qt.failures import as_user_error
from twexport_qt.legacy_import import DEFAULT_PROFILE_NAME, import_twitter_exporter
from twexport_qt.settings.legacy_config import legacy_db_path

log = logging.getLogger(__name__)

TITLE = "Import Twitter Exporter"
DATABASE_FILTER = "SQLite databases (*.db *.sqlite *.sqlite3);;All files (*)"


def import_twitter_exporter_interactively(context: AppContext, parent: QWidget) -> bool:
    """Ask what to import, import it, show the report. True when something was imported."""
    path, _ = QFileDialog.getOpenFileName(parent, "Import Twitter Exporter config.json", str(Path.home()),
                                          "JSON files (*.json);;All files (*)")
    if not path:
        return False
    config = Path(path)
    name, ok = QInputDialog.getText(parent, TITLE, "Profile name for this account:", text=DEFAULT_PROFILE_NAME)
    if not ok or not name:
        return False
    try:
        database: Path | None = legacy_db_path(config)
    except TwExportError as exc:
        QMessageBox.warning(parent, TITLE, exc.user_message)
        return False
    with_history = True
    if database is None or not database.exists():
        choice = ask_for_missing_database(parent, database)
        if choice is None:
            return False
        with_history, database = choice
    try:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # X may be asked whose the keys are
        try:
            result = import_twitter_exporter(context, config, name, database=database, with_history=with_history)
        finally:
            QApplication.restoreOverrideCursor()
    except Exception as exc:  # a sentence in a dialog, never a traceback (that goes to the log)
        QMessageBox.warning(parent, TITLE, _sentence(exc, context))
        return False
    QMessageBox.information(parent, TITLE, result.describe())
    return True


def ask_for_missing_database(parent: QWidget, expected: Path | None) -> tuple[bool, Path | None] | None:
    """config.json's database is not there: (True, the file chosen instead), (False, None) for settings only,
    or None to cancel."""
    box = QMessageBox(QMessageBox.Icon.Warning, TITLE, (
        f"Twitter Exporter's database was not found{f' at {expected}' if expected else ''}. It holds whom Twitter "
        "Exporter already messaged: without it, TwExport may message them again."), parent=parent)
    choose = box.addButton("Choose database…", QMessageBox.ButtonRole.AcceptRole)
    settings_only = box.addButton("Import settings only", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    if box.clickedButton() is settings_only:
        return False, None
    if box.clickedButton() is not choose:
        return None
    path, _ = QFileDialog.getOpenFileName(parent, "Twitter Exporter's database",
                                          str(expected.parent if expected else Path.home()), DATABASE_FILTER)
    return (True, Path(path)) if path else None


def _sentence(exc: Exception, context: AppContext) -> str:
    error = as_user_error(exc, database=context.database_file)
    if error is not None:
        return error.user_message
    log.error("Twitter Exporter import failed", exc_info=exc)
    return (f"The import stopped because of an unexpected error ({type(exc).__name__}); nothing was imported. The "
            f"details are in {APP_NAME}'s log file.")
