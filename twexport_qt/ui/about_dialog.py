"""Help → About: versions of the app and of the libraries it stands on, and where its files are."""

from __future__ import annotations

import platform
from html import escape
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from twexport_qt import APP_NAME, __version__
from twexport_qt.app_context import AppContext
from twexport_qt.services.library_versions import sqlite_version


def installed_version(distribution: str) -> str:
    """A library's version from its installed metadata: the library itself is not imported (the main window
    imports this module at start, before any plot or API call needs pyqtgraph or tweepy)."""
    try:
        return version(distribution)
    except PackageNotFoundError:  # a frozen build may leave the metadata out: ask the library (About was asked for)
        return str(import_module(distribution).__version__)


def versions_text() -> str:
    return (
        f"{APP_NAME} {__version__}\n"
        f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {PySide6.__version__}\n"
        f"pyqtgraph {installed_version('pyqtgraph')} · tweepy {installed_version('tweepy')} · "
        f"SQLite {sqlite_version()}"
    )


def about_text(context: AppContext) -> str:
    """What the About box says (rich text): what the app is, its versions, where its data and secrets are.
    The secret store's description is a whole sentence naming where secrets are kept ("Secrets are stored in
    the system keyring (…)."), so it stands alone rather than after a "Secrets:" heading."""
    return (f"<b>{APP_NAME}</b>: followers analytics, DM campaigns and tweet datasets for your X account.<br><br>"
            + "<br>".join(escape(line) for line in versions_text().splitlines())
            + f"<br><br>Data folder: {escape(str(context.data_dir))}<br>"
            + escape(context.secrets.backend_description))


def show_about(parent: QWidget, context: AppContext) -> None:
    QMessageBox.about(parent, f"About {APP_NAME}", about_text(context))
