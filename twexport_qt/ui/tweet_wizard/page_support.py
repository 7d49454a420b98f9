"""What the pages of the tweet-download wizard share: their base class, message labels, button rows, opening a
folder, and the account table the Progress and Summary pages show."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableView, QWidget, QWizardPage

from twexport_qt.tweets.download_report import AccountRow
from twexport_qt.ui.palette import TextTone, tone_style
from twexport_qt.ui.records_model import Column, RecordTableModel

if TYPE_CHECKING:  # the wizard imports every page: importing it here at run time would be circular
    from twexport_qt.ui.tweet_wizard.wizard import TweetDownloadWizard

WARNING_STYLE = TextTone.CAUTION
ERROR_STYLE = TextTone.PROBLEM


def message_label(tone: TextTone = ERROR_STYLE) -> QLabel:
    """A label for a page's warning or error sentence, empty until there is one (coloured for the palette the
    wizard opens with: it is built anew each time)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(tone_style(tone))
    return label


def widget_row(*widgets: QWidget) -> QHBoxLayout:
    """The first widget stretches, the others (buttons) keep their size."""
    layout = QHBoxLayout()
    layout.addWidget(widgets[0], 1)
    for widget in widgets[1:]:
        layout.addWidget(widget)
    return layout


def open_folder(path: Path) -> None:
    """Show `path` (a folder) in the system's file manager."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class WizardPage(QWizardPage):
    def tweet_wizard(self) -> TweetDownloadWizard:
        return cast("TweetDownloadWizard", self.wizard())  # the pages are only ever added to one

    def validatePage(self) -> bool:
        # A disabled Next button is not enough: QWizard.next() (Enter key, tests) only asks validatePage.
        return self.isComplete()


def account_table_model(status_header: str, *, with_reason: bool) -> RecordTableModel[AccountRow]:
    """The accounts of a download: while it runs (`status_header` "State") and after it ("Outcome")."""
    columns: list[Column[AccountRow]] = [
        Column("Account", lambda row: row.username),
        Column(status_header, lambda row: row.status),
        Column("Read", lambda row: row.fetched),
        Column("Written", lambda row: row.written),
        Column("Filtered out", lambda row: row.filtered_out),
    ]
    if with_reason:
        columns.append(Column("Reason", lambda row: row.reason))
    return RecordTableModel(columns)


def account_table(model: RecordTableModel[AccountRow]) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    return table
