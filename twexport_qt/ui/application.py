"""Start the desktop app: QApplication, the app context, the main window, and a last-resort error handler."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from twexport_qt import APP_NAME, ORG_NAME, __version__
from twexport_qt.core.errors import EXIT_BAD_INPUT, TwExportError
from twexport_qt.resources_path import resource_path

if TYPE_CHECKING:
    from twexport_qt.app_context import AppContext, DatabaseDamaged

log = logging.getLogger(__name__)


def create_qt_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if existing is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    elif isinstance(existing, QApplication):
        app = existing
    else:  # windows need a QApplication, and a process can have only one application object
        raise RuntimeError(f"A {type(existing).__name__} is already running: the desktop app needs a QApplication.")
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resource_path("twexport.png"))))
    return app


def install_error_handler(parent: QWidget) -> None:
    """An exception escaping a slot would only print to a console a desktop user never sees: log the traceback
    and tell the user in a sentence. Work already committed is safe; the window stays usable."""

    def handle(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("Unexpected error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        message = exc.user_message if isinstance(exc, TwExportError) else (
            f"Something unexpected went wrong ({exc_type.__name__}). The details are in the log file "
            "(Help → Open log file); your data is safe.")
        QMessageBox.warning(parent, APP_NAME, message)

    sys.excepthook = handle


def _open_context_or_explain(args: argparse.Namespace) -> AppContext | None:
    """The app context, or None after telling the user in a dialog why the app cannot start.

    A damaged database is moved aside only if the user says so (default: No, quit and keep it as it is).
    """
    from twexport_qt.app_context import DatabaseDamaged, open_context
    from twexport_qt.failures import as_user_error

    repair = bool(getattr(args, "repair", False))
    while True:
        try:
            return open_context(args, holder="desktop app", repair=repair)
        except DatabaseDamaged as damaged:
            if repair or not _ask_to_repair(damaged):
                return None
            repair = True
        except Exception as exc:  # any failure before the window exists: a sentence in a dialog, not a crash
            error = as_user_error(exc)
            log.error("Could not start", exc_info=exc)
            QMessageBox.critical(None, APP_NAME, error.user_message if error is not None else (
                f"{APP_NAME} could not start ({type(exc).__name__}). The details are in the log file."))
            return None


def _ask_to_repair(damaged: DatabaseDamaged) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME,
                      f"The database {damaged.path} is damaged ({damaged.detail}). Nothing was changed.\n\n"
                      "Move it aside (it is kept, renamed) and start a new database with what can be read from it? "
                      "Or quit, and put back a backup of it.")
    move = box.addButton("Move aside and continue", QMessageBox.ButtonRole.AcceptRole)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(quit_button)
    box.exec()
    return box.clickedButton() is move


def run_gui(args: argparse.Namespace) -> int:
    from twexport_qt.ui.main_window import MainWindow

    app = create_qt_app()
    context = _open_context_or_explain(args)
    if context is None:
        return EXIT_BAD_INPUT
    log.info("%s %s started; data in %s; profile %s; secrets: %s", APP_NAME, __version__, context.data_dir,
             context.profile.name, context.secrets.backend_description)
    window = MainWindow(context)
    install_error_handler(window)
    window.show()
    if context.repair_report is not None:
        report = context.repair_report.describe()
        QTimer.singleShot(0, lambda: QMessageBox.information(window, APP_NAME, report))
    if context.startup_problems:
        # Malformed settings were backed up and repaired at start: say exactly what, once the window is up.
        text = "Some settings could not be used and were reset:\n\n• " + "\n• ".join(context.startup_problems)
        QTimer.singleShot(0, lambda: QMessageBox.warning(window, APP_NAME, text))
    code = app.exec()
    context.close()
    return code
