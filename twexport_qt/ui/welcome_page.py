"""The first page a new user sees: try the Sandbox or connect an X account, what each feature does and what X
charges for it, and which Sandbox accounts have tweets to download.

It is a page of the main window (not a modal dialog), shown on the first run of a data folder and from
Help → Welcome; whether it was seen is remembered in the folder's UI state (`ui_state`).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from twexport_qt import APP_NAME
from twexport_qt.app_context import AppContext
from twexport_qt.billing.prices import PriceTable, ResourceKind, format_usd
from twexport_qt.settings.model import SANDBOX_PROFILE_NAME
from twexport_qt.ui.ui_state import ui_state
from twexport_qt.workers.tasks import TaskRunner

WELCOME_SEEN_KEY = "welcome/seen"
CONTENT_WIDTH = 760  # a readable line length; the page centres it in a wide window
FOLLOWERS_PER_EXAMPLE = 10_000


def welcome_seen(data_dir: Path) -> bool:
    """True once the user left the welcome page of this data folder (by either of its choices or the menus)."""
    return bool(ui_state(data_dir).value(WELCOME_SEEN_KEY, False, type=bool))


def mark_welcome_seen(data_dir: Path) -> None:
    ui_state(data_dir).setValue(WELCOME_SEEN_KEY, True)


def feature_lines(prices: PriceTable) -> list[str]:
    """One line per feature: what it does and what X bills for it, at the prices the app bills at (the user's
    own from Settings → Prices, if changed). Rich text."""
    follower = prices.unit_price(ResourceKind.FOLLOWS, owned=True)  # your own followers are Owned Reads
    dm = prices.unit_price(ResourceKind.DM_CREATE, owned=False)
    post = prices.unit_price(ResourceKind.POSTS, owned=False)
    return [
        "<b>Followers</b>: fetch everyone who follows you, then filter, plot and export them. X bills "
        f"{format_usd(follower)} per follower fetched ({format_usd(follower * FOLLOWERS_PER_EXAMPLE)} per "
        f"{FOLLOWERS_PER_EXAMPLE:,}).",
        "<b>DM campaigns</b>: message the followers you choose, by tier, with a daily cap and one follow-up; "
        f"test mode sends nothing. X bills {format_usd(dm)} per DM sent.",
        "<b>Tweet datasets</b>: download accounts' tweets as a training file for AI text generation. X bills "
        f"{format_usd(post)} per tweet read.",
    ]


def sandbox_tweets_line() -> str:
    """Which Sandbox accounts a tweet download finds tweets for (its simulated followers post nothing). Rich text."""
    from twexport_qt.sandbox.tweets_world import accounts_with_tweets  # the sandbox: imported when shown

    named = ", ".join(f"@{escape(account.username)} ({account.tweet_count:,})" for account in accounts_with_tweets())
    return (f"In the Sandbox, tweet downloads find tweets from {named}. Its simulated followers post nothing, so a "
            "download of one of them finds no tweets.")


class WelcomePage(QScrollArea):
    sandboxChosen = Signal()
    connectChosen = Signal()
    continueChosen = Signal()

    def __init__(self, context: AppContext, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("WelcomePage")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)

        heading = QLabel(f"<h2>Welcome to {APP_NAME}</h2>"
                         "Followers analytics, DM campaigns and tweet datasets for your X account.")
        heading.setWordWrap(True)
        self.sandbox_button = QCommandLinkButton(
            "Try the Sandbox",
            "A simulated X account with followers, DMs and tweets: every feature works, nothing reaches X and "
            "nothing is billed.")
        self.sandbox_button.clicked.connect(self.sandboxChosen)
        self.connect_button = QCommandLinkButton(
            "Connect your X account",
            "Sign in with X in your browser. X's pay-per-use plan needs your own developer app; the sign-in says "
            "how to make one.")
        self.connect_button.clicked.connect(self.connectChosen)
        for button in (self.sandbox_button, self.connect_button):
            # A frame in the palette's colours: two choices that read as buttons before the pointer is on them.
            button.setStyleSheet("QCommandLinkButton { border: 1px solid palette(mid); border-radius: 6px; }"
                                 "QCommandLinkButton:hover { background: palette(alternate-base); }")
        self.sandbox_button.setDefault(True)  # Enter tries the Sandbox: the choice that costs nothing
        self.features_label = QLabel()
        self.features_label.setWordWrap(True)
        self.features_label.setTextFormat(Qt.TextFormat.RichText)
        # Filled by a pool thread started once the event loop runs: naming the accounts loads the Sandbox (numpy
        # and all), a few hundred milliseconds that would otherwise hold back the window's first paint, or freeze
        # it just after, on a first run.
        self.sandbox_label = QLabel()
        QTimer.singleShot(0, self.sandbox_label, lambda: tasks.run_task(
            "Naming the Sandbox's accounts", sandbox_tweets_line, self.sandbox_label.setText, owner=self.sandbox_label))
        self.sandbox_label.setWordWrap(True)
        self.sandbox_label.setTextFormat(Qt.TextFormat.RichText)
        self.sandbox_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.continue_button = QPushButton()
        self.continue_button.setFlat(True)
        self.continue_button.clicked.connect(self.continueChosen)
        help_label = QLabel("This page is in Help → Welcome whenever you want it again.")
        help_label.setEnabled(False)  # the palette's quiet text colour, in light and dark mode alike

        content = QWidget()
        # Expanding up to its maximum: as wide as the window allows, centred beyond a readable line length.
        content.setMaximumWidth(CONTENT_WIDTH)
        content.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        column = QVBoxLayout(content)
        column.setSpacing(12)
        column.addWidget(heading)
        column.addWidget(self.sandbox_button)
        column.addWidget(self.connect_button)
        column.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addSpacing(8)
        column.addWidget(QLabel(f"<b>What {APP_NAME} does, and what X charges for it</b>"))
        column.addWidget(self.features_label)
        column.addWidget(self.sandbox_label)
        column.addWidget(help_label)
        column.addStretch(1)
        holder = QWidget()
        centring = QHBoxLayout(holder)
        centring.addStretch(1)
        centring.addWidget(content, 1000)  # all the width up to its maximum, then the margins share the rest
        centring.addStretch(1)
        self.setWidget(holder)
        self.refresh()

    def refresh(self) -> None:
        """Prices may have changed in Settings, and the active profile with them."""
        prices = self.context.prices
        lines = "".join(f"<li>{line}</li>" for line in feature_lines(prices))
        self.features_label.setText(
            f"<ul style='margin-left: 0px; -qt-list-indent: 1;'>{lines}</ul>"
            f"The Sandbox is free: the Spend tab shows what the same work would cost on X. Prices as of "
            f"{prices.as_of.isoformat()} (Settings → Prices).")
        active = self.context.settings.active_profile
        self.continue_button.setText(f"Continue with the profile “{active}”")
        self.continue_button.setVisible(active != SANDBOX_PROFILE_NAME)
