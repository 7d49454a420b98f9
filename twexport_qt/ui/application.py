"""Start the desktop app: QApplication, logging, the app context, the main window."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from twexport_qt import APP_NAME, ORG_NAME, __version__
from twexport_qt.core.errors import TwExportError
from twexport_qt.resources_path import resource_path

log = logging.getLogger(__name__)


def create_qt_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resource_path("twexport.png"))))
    return app  # type: ignore[return-value]


def run_gui(args: argparse.Namespace) -> int:
    from twexport_qt.app_context import open_context
    from twexport_qt.ui.main_window import MainWindow

    app = create_qt_app()
    try:
        context = open_context(args)
    except TwExportError as exc:
        QMessageBox.critical(None, APP_NAME, exc.user_message)
        return 1
    log.info("%s %s started; data in %s; profile %s; secrets: %s", APP_NAME, __version__, context.data_dir,
             context.profile.name, context.secrets.backend_description)
    window = MainWindow(context)
    window.show()
    for problem in context.startup_problems:
        window.statusBar().showMessage(problem, 15000)
    code = app.exec()
    context.close()
    return code
