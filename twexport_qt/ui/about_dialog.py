"""Help → About: versions of the app and of the libraries it stands on, and where its files are."""

from __future__ import annotations

import platform
from html import escape

import pyqtgraph
import PySide6
import tweepy
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from twexport_qt import APP_NAME, __version__
from twexport_qt.app_context import AppContext
from twexport_qt.services.library_versions import sqlite_version


def versions_text() -> str:
    return (
        f"{APP_NAME} {__version__}\n"
        f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {PySide6.__version__}\n"
        f"pyqtgraph {pyqtgraph.__version__} · tweepy {tweepy.__version__} · SQLite {sqlite_version()}"
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
