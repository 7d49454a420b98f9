"""File → Import Twitter Exporter config.json…: choose the file, the profile and, when config.json's db_file is not
there, the old database; then run the import (`legacy_import.py`) and show its report.

The import reads the old database, may ask X whose the keys are and writes the DM history in one transaction:
seconds on a large history. It runs off the GUI thread behind a modal "Importing…" dialog, so the window keeps
painting while nothing else can be started. It holds the profile's campaign lock meanwhile: an automatic run
falling due in that time waits instead of planning from a DM log that is about to grow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QProgressDialog, QWidget

from twexport_qt import APP_NAME
from twexport_qt.app_context import AppContext
from twexport_qt.core import messages
from twexport_qt.core.errors import TwExportError
from twexport_qt.failures import as_user_error
from twexport_qt.legacy_import import DEFAULT_PROFILE_NAME, TwitterExporterImport, import_twitter_exporter
from twexport_qt.settings.legacy_config import legacy_db_path
from twexport_qt.store.job_locks import JobKind
from twexport_qt.workers.tasks import TaskRunner

log = logging.getLogger(__name__)

TITLE = "Import Twitter Exporter"
DATABASE_FILTER = "SQLite databases (*.db *.sqlite *.sqlite3);;All files (*)"


class ImportFailed(TwExportError):
    """The import stopped; nothing was imported. Its sentence is what the user reads."""


def import_twitter_exporter_interactively(context: AppContext, parent: QWidget, *,
                                          tasks: TaskRunner | None = None) -> bool:
    """Ask what to import, import it, show the report. True when something was imported.

    `tasks` runs the import off the GUI thread (the window's runner; without one, a runner for this import).
    """
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
        messages.error(exc.user_message, title=TITLE)
        return False
    with_history = True
    if database is None or not database.exists():
        choice = ask_for_missing_database(parent, database)
        if choice is None:
            return False
        with_history, database = choice
    active = name == context.settings.active_profile

    def run_import() -> TwitterExporterImport:
        try:
            with ExitStack() as stack:
                if active:  # the campaign this window may run on its own: it waits until the history is in
                    stack.enter_context(context.job_lock(JobKind.DM_CAMPAIGN))
                return import_twitter_exporter(context, config, name, database=database, with_history=with_history)
        except Exception as exc:  # a sentence in a dialog, never a traceback (that goes to the log)
            raise ImportFailed(_sentence(exc, context)) from exc

    result = _wait_for(run_import, parent, tasks)
    if isinstance(result, str):
        messages.error(result, title=TITLE)
        return False
    QMessageBox.information(parent, TITLE, result.describe())
    return True


def _wait_for(work: Callable[[], TwitterExporterImport], parent: QWidget,
              tasks: TaskRunner | None) -> TwitterExporterImport | str:
    """Run `work` in a pool thread behind a modal busy dialog; its result, or the sentence saying why it failed.

    A local event loop waits, so the window repaints (and the caller still gets an answer to return)."""
    runner = tasks or TaskRunner(parent)
    outcome: list[TwitterExporterImport | str] = []
    loop = QEventLoop()

    def finish(value: TwitterExporterImport | str) -> None:
        outcome.append(value)
        loop.quit()

    busy = QProgressDialog("Importing Twitter Exporter's settings and DM history…", "", 0, 0, parent)
    busy.setWindowTitle(TITLE)
    busy.setCancelButton(None)  # the history goes in as one transaction: nothing to stop halfway
    busy.setWindowModality(Qt.WindowModality.ApplicationModal)
    runner.run_task("Importing from Twitter Exporter", work, finish, finish)
    if not outcome:  # an inline runner (tests) has already answered
        busy.show()
        loop.exec()
    busy.close()
    busy.deleteLater()
    if runner is not tasks:
        runner.deleteLater()
    return outcome[0]


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
