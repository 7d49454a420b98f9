"""Following: whom you follow, set against who follows you. A "Fetch who you follow" button, a line of counts
(following, mutuals, you follow but they don't follow back, they follow but you don't, and when that was fetched),
and one table for the chosen list, narrowed by the Followers tab's filter and exportable like File → Export's
entries (same file and columns dialogs, remembered per kind).

Everything is read through `context.following` off the GUI thread, the newest request winning, and only while
the tab is shown: a filter change or a job that wrote followers or followings while it is hidden marks it stale,
and showing it reads again. A table holds at most `SHOWN_ROWS` records (a million followers can mean a million
fans); its sentence says when there are more, and the export writes them all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.app_context import AppContext
from twexport_qt.billing.estimates import CostEstimate
from twexport_qt.core import messages
from twexport_qt.core.timefmt import format_local_date, format_local_datetime
from twexport_qt.exports.exporters import ExportKind
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.following_fetch import FollowingFetchResult
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.relationships import RelationshipKind
from twexport_qt.services.following import FollowingService, RelationshipCounts
from twexport_qt.services.jobs import JobName
from twexport_qt.ui.cost_confirmation import confirm_cost
from twexport_qt.ui.export_menu import ExportFlow
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.palette import TextTone, tone_style
from twexport_qt.ui.records_model import Column, Index, RecordTableModel, record_table
from twexport_qt.workers.job_worker import JobWorker

LISTS_TASK = "following-lists"
CREDENTIALS_TASK = "following-credentials"
SHOWN_ROWS = 1_000  # rows a table shows; the export writes them all
FETCH_TITLE = "Fetching who you follow"
FETCH_ESTIMATE_TASK = "following-fetch-estimate"
# Jobs whose writes change what the tab shows: whom you follow, who follows you, and the DM status a filter reads.
RELEVANT_JOBS = frozenset({JobName.FETCH_FOLLOWING, JobName.FETCH_FOLLOWERS, JobName.DM_CAMPAIGN})
EMPTY_STATE = ("Fetch who you follow to see mutuals, who you follow that doesn't follow you back, and who follows "
               "you that you don't follow.")
FETCH_TIP = ("Read every account you follow (paced to X's limits; a stopped fetch resumes where it stopped). "
             "Mutuals and the other lists compare it with your stored followers.")
FETCHING_NOW = "Who you follow is being fetched now: its progress is in the job strip below."
# Both fetches read X's follows endpoints for the one account and share its lock: one at a time.
FOLLOWERS_FETCH_RUNNING = "Your followers are being fetched now: fetch who you follow once that is done."
UNFINISHED_FIRST_FETCH = ("The fetch of who you follow did not finish: fetch again to resume it. The lists show once "
                          "it has read every account you follow.")
NO_FOLLOWERS_YET = "Fetch your followers too (Followers tab): mutuals and fans need both lists."

LIST_KINDS = (RelationshipKind.MUTUALS, RelationshipKind.NOT_FOLLOWING_BACK, RelationshipKind.FANS)
LIST_TITLES = {
    RelationshipKind.MUTUALS: "Mutuals",
    RelationshipKind.NOT_FOLLOWING_BACK: "You follow, they don't follow back",
    RelationshipKind.FANS: "They follow, you don't",
}
LIST_TIPS = {
    RelationshipKind.MUTUALS: "Accounts you follow that follow you",
    RelationshipKind.NOT_FOLLOWING_BACK: "Accounts you follow that don't follow you",
    RelationshipKind.FANS: "Your followers you don't follow",
}
# How a list reads inside a sentence ("640 mutuals", "Export mutuals…").
LIST_NOUNS = {
    RelationshipKind.MUTUALS: "mutuals",
    RelationshipKind.NOT_FOLLOWING_BACK: "accounts not following back",
    RelationshipKind.FANS: "followers you don't follow",
}
EXPORT_KINDS_OF = {
    RelationshipKind.MUTUALS: ExportKind.MUTUALS,
    RelationshipKind.NOT_FOLLOWING_BACK: ExportKind.NOT_FOLLOWING_BACK,
    RelationshipKind.FANS: ExportKind.FANS,
}


@dataclass(frozen=True)
class FollowingLists:
    """What the tab shows, read in one go off the GUI thread: the counts (None before any following fetch) and
    the chosen list's first rows in the filter."""

    counts: RelationshipCounts | None
    kind: RelationshipKind
    rows: tuple[FollowerRecord, ...]  # at most SHOWN_ROWS
    more: bool  # more accounts match than `rows` holds


def list_filter(follower_filter: FollowerFilter) -> FollowerFilter:
    """The shared filter as it narrows a list: the list itself is the relationship, so the filter's own
    relationship choice (the Followers tab's "Mutuals only", say) does not apply on top of it."""
    return replace(follower_filter, relationship="any")


def read_following(following: FollowingService, kind: RelationshipKind, follower_filter: FollowerFilter,
                   shown_rows: int = SHOWN_ROWS) -> FollowingLists:
    """The tab's data (runs in a pool thread): the counts, and `kind`'s first `shown_rows` in the filter."""
    counts = following.counts()
    if counts is None or counts.following_fetched_at is None:  # the lists need one complete fetch
        return FollowingLists(counts, kind, (), False)
    rows = following.rows(kind, list_filter(follower_filter), limit=shown_rows + 1)
    return FollowingLists(counts, kind, tuple(rows[:shown_rows]), len(rows) > shown_rows)


def counts_sentence(counts: RelationshipCounts) -> str:
    """The counts line: "Following 1,204 · Mutuals 640 · … · fetched <local time>", and what is missing."""
    if counts.following_fetched_at is None:
        return f"{counts.following:,} accounts you follow read so far: the fetch did not finish."
    parts = [
        f"Following {counts.following:,}",
        f"Mutuals {counts.mutuals:,}",
        f"You follow, they don't follow back {counts.not_following_back:,}",
        f"They follow you, you don't follow them {counts.fans:,}",
    ]
    sentence = " · ".join([*parts, f"fetched {format_local_datetime(counts.following_fetched_at)}"])
    if not counts.complete:
        sentence += (". A later fetch of who you follow did not finish: fetch again to finish it (it resumes); "
                     "until then accounts you no longer follow may still be listed.")
    elif counts.followers == 0:
        sentence += f". {NO_FOLLOWERS_YET}"
    return sentence


def list_sentence(lists: FollowingLists, *, filtered: bool) -> str:
    """What the table holds: how many, in the filter or not, or that only the first ones are shown."""
    noun = LIST_NOUNS[lists.kind]
    if lists.more:
        return f"Showing the first {len(lists.rows):,} {noun}; the export writes them all."
    where = " in the Followers tab's filter" if filtered else ""
    return f"{len(lists.rows):,} {noun}{where}."


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


ACCOUNT_COLUMNS: tuple[Column[FollowerRecord], ...] = (
    Column("Username", lambda record: record.username, lambda name: f"@{name}" if name else ""),
    Column("Name", lambda record: record.name),
    Column("Followers", lambda record: record.followers_count, _count),
    Column("Following", lambda record: record.following_count, _count),
    Column("Posts", lambda record: record.tweet_count, _count),
    Column("Last posted", lambda record: record.last_posted_at, format_local_date),
    Column("Joined X", lambda record: record.created_at, format_local_date),
)
FIGURE_COLUMNS = frozenset({2, 3, 4})
HEADER_TIPS = {
    "Followers": "How many followers the account has, as last fetched",
    "Following": "How many accounts it follows, as last fetched",
    "Posts": "Posts it has made, as X counts them (retweets and replies included)",
    "Last posted": "The day of its newest post, read from the post's id; your time",
    "Joined X": "When the account was created; your time",
}


class AccountsModel(RecordTableModel[FollowerRecord]):
    """A list's table: figures aligned right, headers explained in their tooltips."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(ACCOUNT_COLUMNS, parent)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(super().headerData(section, orientation))
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and index.isValid() and index.column() in FIGURE_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


class FollowingTab(QWidget):
    """The fetch button, the counts line, the list chooser over one table, and the list's Export… button."""

    def __init__(self, context: AppContext, jobs: JobController, filter_state: FollowerFilterState,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.jobs = jobs
        self.filter_state = filter_state
        self.exports = ExportFlow(context, jobs, self)
        self.lists: FollowingLists | None = None
        self.stale = True  # a read is due the next time the tab is shown
        self.reading = False
        self.credentials_problem = ""  # why this profile cannot call X ("" when it can, or not known yet)

        self.fetch_button = QPushButton("Fetch who you follow")
        self.fetch_button.clicked.connect(self.start_fetch)
        self.counts_label = QLabel(wordWrap=True)
        self.counts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.fetch_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.counts_label, 1)

        self.list_bar = QTabBar()
        self.list_bar.setDocumentMode(True)
        self.list_bar.setExpanding(False)
        for kind in LIST_KINDS:
            index = self.list_bar.addTab(LIST_TITLES[kind])
            self.list_bar.setTabData(index, kind.value)
            self.list_bar.setTabToolTip(index, LIST_TIPS[kind])
        self.list_bar.currentChanged.connect(lambda _index: self._list_chosen())

        self.model = AccountsModel(self)
        self.table = record_table(self.model)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the name takes the spare width
        self.empty_label = QLabel(EMPTY_STATE, wordWrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet(tone_style(TextTone.QUIET))
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_label)
        self.pages.addWidget(self.table)

        self.list_label = QLabel(wordWrap=True)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.choose_export)
        bottom = QHBoxLayout()
        bottom.addWidget(self.list_label, 1)
        bottom.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list_bar)
        layout.addWidget(self.pages, 1)
        layout.addLayout(bottom)

        # Bound methods, not lambdas: Qt drops them with this tab, which may go before the window's signals do.
        jobs.dataChanged.connect(self._data_changed)
        jobs.jobStarted.connect(self._jobs_changed)
        jobs.jobFinished.connect(self._jobs_changed)
        filter_state.changed.connect(self._filter_changed)
        self._show()
        self.check_credentials()

    # -- when to read --------------------------------------------------------------------------------

    @property
    def chosen_list(self) -> RelationshipKind:
        return RelationshipKind(self.list_bar.tabData(self.list_bar.currentIndex()))

    def choose_list(self, kind: RelationshipKind) -> None:
        self.list_bar.setCurrentIndex(LIST_KINDS.index(kind))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def profile_changed(self) -> None:
        """Another profile (or its settings) is shown: forget the lists and read them, and its credentials, again."""
        self.lists = None
        self._show()
        self.check_credentials()
        self.refresh()

    def _data_changed(self, name: str) -> None:
        if name in RELEVANT_JOBS:
            self.refresh()

    def _jobs_changed(self, _name: str) -> None:
        self._show_fetch_button()

    def _filter_changed(self, _filter: FollowerFilter) -> None:
        self.refresh()

    def _list_chosen(self) -> None:
        self._show()  # the other list's rows go at once; this one's come with the read
        self.refresh()

    def refresh(self) -> None:
        """Read the counts and the chosen list again off the GUI thread (the newest request wins); while the tab
        is hidden, only note that a read is due."""
        if not self.isVisible():
            self.stale = True
            return
        self.stale = False
        following, kind, follower_filter = self.context.following, self.chosen_list, self.filter_state.current
        self.reading = True
        self._show_list_sentence()
        self.jobs.tasks.run_task(
            "Reading who you follow", lambda: read_following(following, kind, follower_filter),
            self.show_lists, self._reading_failed, key=LISTS_TASK, owner=self)

    def _reading_failed(self, sentence: str) -> None:
        self.reading = False
        self._show_list_sentence()
        messages.error(sentence, title="Following")

    def check_credentials(self) -> None:
        """Whether this profile can call X at all, read off the GUI thread (a keyring read): the fetch button
        says why not."""
        context = self.context
        name = context.profile.name
        self.jobs.tasks.run_task("Reading the profile's X credentials", lambda: context.credentials().can_call_api,
                                 lambda can_call: self._credentials_known(name, can_call),
                                 lambda sentence: self._credentials_known(name, False, sentence),
                                 key=CREDENTIALS_TASK, owner=self)

    def _credentials_known(self, profile_name: str, can_call: bool, why: str = "") -> None:
        self.credentials_problem = "" if can_call else (
            why or f"Profile {profile_name!r} has no X credentials yet: sign in with X in File → Settings → X "
                   "account (or use the Sandbox profile to try the app).")
        self._show_fetch_button()

    # -- showing -------------------------------------------------------------------------------------

    def show_lists(self, lists: FollowingLists) -> None:
        self.lists = lists
        self.reading = False
        self._show()

    def _show(self) -> None:
        lists = self.lists
        shown = lists is not None and lists.kind is self.chosen_list
        self.model.set_records(lists.rows if lists is not None and shown else ())
        counts = lists.counts if lists is not None else None
        fetched = counts is not None and counts.following_fetched_at is not None  # the lists are known
        self.empty_label.setText(UNFINISHED_FIRST_FETCH if counts is not None and not fetched else EMPTY_STATE)
        self.pages.setCurrentWidget(self.table if fetched else self.empty_label)
        # Before the lists exist the page is only the button and the sentence saying what it is for.
        self.list_bar.setVisible(fetched)
        self.export_button.setVisible(fetched)
        for index, kind in enumerate(LIST_KINDS):
            title = LIST_TITLES[kind]
            self.list_bar.setTabText(index, f"{title} ({_list_count(counts, kind):,})" if counts and fetched
                                     else title)
        self.counts_label.setText(counts_sentence(counts) if counts else "")
        self._show_list_sentence()
        self._show_export_button()
        self._show_fetch_button()

    def _show_list_sentence(self) -> None:
        lists = self.lists
        if lists is None or lists.counts is None or lists.counts.following_fetched_at is None:
            text = "Reading who you follow…" if self.reading and lists is None else ""
        else:
            text = list_sentence(lists, filtered=list_filter(self.filter_state.current) != FollowerFilter())
            if self.reading:
                text += " Reading again…"
        self.list_label.setText(text)

    def _show_export_button(self) -> None:
        kind = self.chosen_list
        self.export_button.setText(f"Export {LIST_NOUNS[kind]}…")
        self.export_button.setToolTip(f"Save every one of the {LIST_NOUNS[kind]} in the Followers tab's filter (not "
                                      "only those shown) as CSV or Excel, with the columns you choose")
        counts = self.lists.counts if self.lists is not None else None
        self.export_button.setEnabled(counts is not None and counts.following_fetched_at is not None)

    def _show_fetch_button(self) -> None:
        reason = self.fetch_blocked_reason()
        self.fetch_button.setEnabled(not reason)
        self.fetch_button.setToolTip(reason or FETCH_TIP)

    def fetch_blocked_reason(self) -> str:
        """Why the fetch button is disabled now ("" when a fetch can start)."""
        if self.jobs.is_running(JobName.FETCH_FOLLOWING):
            return FETCHING_NOW
        if self.jobs.is_running(JobName.FETCH_FOLLOWERS):
            return FOLLOWERS_FETCH_RUNNING
        return self.credentials_problem

    # -- fetching and exporting ----------------------------------------------------------------------

    def start_fetch(self) -> JobWorker | None:
        """Fetch (or resume) every account the user follows in a job, after its price, as the followers fetch
        does: outside the Sandbox a click first reads the account's following count in a task thread, tells the
        estimate and, above the threshold, asks. Returns the worker when the job started at once."""
        if self.context.is_sandbox or self.jobs.is_running(JobName.FETCH_FOLLOWING):
            # The Sandbox's price is simulated; a second start is refused by the controller, with its sentence.
            return self._start_fetch_job()
        self.jobs.tasks.run_task("Estimating what fetching who you follow costs", self.context.following.fetch_estimate,
                                 self._confirm_fetch, key=FETCH_ESTIMATE_TASK, owner=self)
        return None

    def _confirm_fetch(self, estimate: CostEstimate) -> None:
        if confirm_cost(self, estimate, what="Fetch who you follow", simulated=False):
            self._start_fetch_job()

    def _start_fetch_job(self) -> JobWorker | None:
        worker = self.jobs.start(JobName.FETCH_FOLLOWING, FETCH_TITLE, self.context.following.fetch_job(),
                                 on_success=self._fetched)
        self._show_fetch_button()
        return worker

    def _fetched(self, result: FollowingFetchResult) -> None:
        gone = f"; {result.removed:,} you no longer follow" if result.removed else ""
        messages.info(f"Fetched who you follow: {result.total_in_run:,} accounts{gone}.")

    def choose_export(self) -> None:
        """Export the chosen list as File → Export does (file, then columns), narrowed by the shared filter."""
        self.exports.ask_and_export(EXPORT_KINDS_OF[self.chosen_list], list_filter(self.filter_state.current))


def _list_count(counts: RelationshipCounts, kind: RelationshipKind) -> int:
    return {RelationshipKind.MUTUALS: counts.mutuals, RelationshipKind.NOT_FOLLOWING_BACK: counts.not_following_back,
            RelationshipKind.FANS: counts.fans}[kind]
