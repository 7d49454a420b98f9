"""Start the desktop app: QApplication (in the system's light or dark colours), the app context, the main window,
and a last-resort error handler."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from twexport_qt import APP_NAME, ORG_NAME, __version__
from twexport_qt.core.errors import EXIT_BAD_INPUT, TwExportError
from twexport_qt.resources_path import resource_path
from twexport_qt.ui.palette import is_dark

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
    if app.findChild(ColorSchemeFollower) is None:
        ColorSchemeFollower(app)
    return app


def dark_palette() -> QPalette:
    """The app's dark colours, for a system in dark mode whose Qt style only draws light ones (the classic
    Windows style, Linux without a desktop theme plug-in)."""
    window, base, raised = QColor(45, 45, 48), QColor(30, 30, 32), QColor(58, 58, 62)
    text, quiet = QColor(232, 232, 232), QColor(140, 140, 140)
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: raised,
        QPalette.ColorRole.ToolTipBase: raised, QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: quiet, QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: raised, QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor(255, 110, 110),
        QPalette.ColorRole.Light: QColor(80, 80, 85), QPalette.ColorRole.Midlight: QColor(68, 68, 72),
        QPalette.ColorRole.Mid: QColor(40, 40, 43), QPalette.ColorRole.Dark: QColor(25, 25, 27),
        QPalette.ColorRole.Shadow: QColor(10, 10, 10),
        QPalette.ColorRole.Highlight: QColor(42, 130, 218), QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: QColor(110, 170, 255), QPalette.ColorRole.LinkVisited: QColor(180, 140, 255),
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.HighlightedText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, quiet)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor(80, 80, 85))
    return palette


class ColorSchemeFollower(QObject):
    """Keeps the app in the system's colour scheme (Qt ≥ 6.5 `QStyleHints.colorScheme()`), at start and when the
    user switches it while the app runs.

    Where the platform's style follows the scheme by itself (macOS, the Windows 11 style, KDE and GTK themes) it
    is left alone; where it would stay light in a dark system, the app switches to Fusion with `dark_palette()`,
    and back to its own style and palette when the system turns light again. Views that draw their own colours
    (plots, charts) read them from the palette and redraw on its change event."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._own_style = app.style().name()
        self._dark_applied = False
        app.styleHints().colorSchemeChanged.connect(self._scheme_changed)
        self.apply(app.styleHints().colorScheme())

    @property
    def dark_applied(self) -> bool:
        """True while the app draws `dark_palette()` because its style would not go dark by itself."""
        return self._dark_applied

    @Slot(Qt.ColorScheme)
    def _scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        # The platform updates its palette in answer to the same system change: look once it has.
        QTimer.singleShot(0, self, lambda: self.apply(scheme))

    def apply(self, scheme: Qt.ColorScheme) -> None:
        if scheme == Qt.ColorScheme.Dark and not is_dark(self._app.palette()):
            self._app.setStyle("Fusion")
            self._app.setPalette(dark_palette())
            self._dark_applied = True
        elif scheme != Qt.ColorScheme.Dark and self._dark_applied:
            self._dark_applied = False
            self._app.setStyle(self._own_style)
            self._app.setPalette(QPalette())  # no colour of our own: the style's and the platform's again


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

    repair = bool(getattr(args, "repair", False))
    while True:
        try:
            return open_context(args, holder="desktop app", repair=repair)
        except DatabaseDamaged as damaged:
            if repair or not _ask_to_repair(damaged):
                return None
            repair = True
        except Exception as exc:  # any failure before the window exists: a sentence in a dialog, not a crash
            from twexport_qt.failures import as_user_error

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
    log.info("%s %s started; data in %s; profile %s", APP_NAME, __version__, context.data_dir, context.profile.name)
    window = MainWindow(context, first_run_welcome=True)
    install_error_handler(window)
    window.show()  # it finds the system's keyring off the GUI thread once shown, and logs where secrets are kept
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
