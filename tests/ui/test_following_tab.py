"""The Following tab against the sandbox: after a fetch of who the sandbox account follows, the counts line and the
three lists are the service's and the sandbox's truth, the shared followers filter narrows them, the Export…
button writes the chosen list through File → Export's dialogs, the fetch button says why it can't start, and
before any following fetch a plain sentence stands where the lists would be. It holds its layout at 1024×700."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from twexport_qt.app_context import AppContext
from twexport_qt.core.timefmt import format_local_datetime
from twexport_qt.exports.exporters import EXPORT_KINDS, ExportKind
from twexport_qt.exports.formats import dictionary_path
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.following_fetch import FollowingFetchResult
from twexport_qt.followers.relationships import RelationshipKind
from twexport_qt.sandbox.population import Population
from twexport_qt.services.jobs import JobContext, JobName
from twexport_qt.ui.export_menu import CSV_FILTER
from twexport_qt.ui.export_options_dialog import ExportOptionsDialog, load_table_options
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.followers_tab import FollowersTab
from twexport_qt.ui.following_tab import (
    EMPTY_STATE,
    FETCH_TIP,
    FETCHING_NOW,
    FOLLOWERS_FETCH_RUNNING,
    SHOWN_ROWS,
    FollowingTab,
    list_sentence,
    read_following,
)
from twexport_qt.ui.job_controller import JobController

if TYPE_CHECKING:  # the `messages` fixture's plugin module, as tests/conftest.py loads it
    from message_fixtures import MessageRecorder

MUTUALS, NOT_BACK, FANS = RelationshipKind.MUTUALS, RelationshipKind.NOT_FOLLOWING_BACK, RelationshipKind.FANS


def population(context: AppContext) -> Population:
    """The Sandbox profile's simulated accounts (its sandbox starts with the first request)."""
    assert context.sandbox is not None
    return context.sandbox.state.population


def fetch_both(qtbot: QtBot, context: AppContext, jobs: JobController, tab: FollowingTab) -> None:
    """Fetch the followers (directly), then who the account follows through the tab's own button (a job)."""
    with context.api_session() as api:
        fetch_followers(api.conn, api.gateway, api.pacer, context.clock)
    with qtbot.waitSignal(jobs.jobFinished, timeout=20_000):
        tab.fetch_button.click()


def shown_ids(tab: FollowingTab) -> list[int]:
    return [record.user_id for record in tab.model.records()]


def truth(context: AppContext) -> dict[RelationshipKind, set[int]]:
    """The sandbox's own answer: whom its account follows, against who follows it now."""
    world = population(context)
    followed = set(world.following.ids())
    followers = set(world.follower_ids())
    return {MUTUALS: followed & followers, NOT_BACK: followed - followers, FANS: followers - followed}


@pytest.fixture
def filter_state(qtbot: QtBot) -> FollowerFilterState:
    return FollowerFilterState()


@pytest.fixture
def tab(qtbot: QtBot, context: AppContext, jobs: JobController, filter_state: FollowerFilterState) -> FollowingTab:
    tab = FollowingTab(context, jobs, filter_state)
    qtbot.addWidget(tab)
    tab.resize(1000, 680)
    return tab


@pytest.fixture
def fetched(qtbot: QtBot, tab: FollowingTab, context: AppContext, jobs: JobController) -> FollowingTab:
    tab.show()
    fetch_both(qtbot, context, jobs, tab)
    return tab


def test_before_any_following_fetch_it_says_what_to_do_plainly(tab: FollowingTab) -> None:
    tab.show()
    assert tab.pages.currentWidget() is tab.empty_label and tab.empty_label.text() == EMPTY_STATE
    assert tab.counts_label.text() == "" and tab.list_label.text() == ""
    assert not tab.export_button.isVisible() and not tab.list_bar.isVisible()  # nothing to choose or export yet
    assert tab.fetch_button.isEnabled() and tab.fetch_button.toolTip() == FETCH_TIP  # the Sandbox can call X
    assert tab.model.rowCount() == 0


def test_after_a_fetch_the_counts_are_the_services_and_the_sandboxs(messages: MessageRecorder, fetched: FollowingTab,
                                                                    context: AppContext) -> None:
    counts = context.following.counts()
    assert counts is not None and counts.complete and counts.following_fetched_at is not None
    expected = truth(context)
    assert (counts.mutuals, counts.not_following_back, counts.fans) == (
        len(expected[MUTUALS]), len(expected[NOT_BACK]), len(expected[FANS]))
    assert counts.following == len(expected[MUTUALS]) + len(expected[NOT_BACK]) and counts.mutuals > 0
    assert fetched.counts_label.text() == (
        f"Following {counts.following:,} · Mutuals {counts.mutuals:,} · You follow, they don't follow back "
        f"{counts.not_following_back:,} · They follow you, you don't follow them {counts.fans:,} · fetched "
        f"{format_local_datetime(counts.following_fetched_at)}")
    assert [fetched.list_bar.tabText(i) for i in range(3)] == [
        f"Mutuals ({counts.mutuals:,})", f"You follow, they don't follow back ({counts.not_following_back:,})",
        f"They follow, you don't ({counts.fans:,})"]
    assert messages.infos()[-1] == f"Fetched who you follow: {counts.following} accounts."
    assert fetched.pages.currentWidget() is fetched.table
    assert fetched.export_button.isVisible() and fetched.export_button.isEnabled()


def test_the_three_lists_show_the_right_accounts(fetched: FollowingTab, context: AppContext) -> None:
    expected = truth(context)
    for kind in (MUTUALS, NOT_BACK, FANS):
        fetched.choose_list(kind)
        assert fetched.chosen_list is kind
        assert set(shown_ids(fetched)) == expected[kind], kind
        assert len(shown_ids(fetched)) == len(expected[kind])
        noun = {MUTUALS: "mutuals", NOT_BACK: "accounts not following back", FANS: "followers you don't follow"}[kind]
        assert fetched.list_label.text() == f"{len(expected[kind]):,} {noun}."
        assert fetched.export_button.text() == f"Export {noun}…"
    fetched.choose_list(MUTUALS)
    record = fetched.model.record(0)
    account = population(context).by_id(record.user_id)
    assert account is not None and (record.username, record.followers_count) == (account.username,
                                                                                 account.followers_count)
    column = fetched.model.column_of("Username")
    assert fetched.model.data(fetched.model.index(0, column)) == f"@{record.username}"


def test_the_shared_filter_narrows_the_lists(fetched: FollowingTab, context: AppContext,
                                             filter_state: FollowerFilterState) -> None:
    fetched.choose_list(FANS)
    everyone = fetched.model.records()
    threshold = sorted(record.followers_count for record in everyone)[len(everyone) // 2]
    filter_state.set(FollowerFilter(min_followers=threshold))
    narrowed = fetched.model.records()
    assert 0 < len(narrowed) < len(everyone)
    assert {record.user_id for record in narrowed} == {
        record.user_id for record in everyone if record.followers_count >= threshold}
    assert fetched.list_label.text().endswith("in the Followers tab's filter.")
    # The list is the relationship: the Followers tab's own choice does not empty another list.
    filter_state.set(FollowerFilter(relationship="mutuals"))
    assert {record.user_id for record in fetched.model.records()} == truth(context)[FANS]


def test_long_lists_show_the_first_rows_and_say_so(fetched: FollowingTab, context: AppContext) -> None:
    lists = read_following(context.following, FANS, FollowerFilter(), shown_rows=5)
    assert len(lists.rows) == 5 and lists.more
    assert [record.followers_count for record in lists.rows] == sorted(
        (record.followers_count for record in lists.rows), reverse=True)  # the most followed first
    assert list_sentence(lists, filtered=False) == (
        "Showing the first 5 followers you don't follow; the export writes them all.")
    assert not read_following(context.following, FANS, FollowerFilter(), shown_rows=SHOWN_ROWS).more  # 50 here


def test_the_tables_sort_by_a_header_click_and_keep_it_across_reads(fetched: FollowingTab,
                                                                    jobs: JobController) -> None:
    fetched.choose_list(FANS)
    fetched.table.sortByColumn(fetched.model.column_of("Username"), Qt.SortOrder.AscendingOrder)
    jobs.dataChanged.emit(JobName.FETCH_FOLLOWERS)  # a fresh read of the same rows
    usernames = [record.username for record in fetched.model.records()]
    assert usernames == sorted(usernames) and len(usernames) > 1


def test_the_table_model_passes_the_model_tester(qtmodeltester: ModelTester, fetched: FollowingTab) -> None:
    qtmodeltester.check(fetched.model)


def test_it_reads_only_while_shown(tab: FollowingTab, context: AppContext, jobs: JobController) -> None:
    jobs.dataChanged.emit(JobName.FETCH_FOLLOWING)
    assert tab.lists is None and tab.stale  # hidden: nothing read
    tab.show()
    assert tab.lists is not None and tab.lists.counts is None and not tab.stale


def test_export_writes_the_chosen_list_through_the_export_dialogs(qtbot: QtBot, fetched: FollowingTab,
                                                                  context: AppContext, jobs: JobController,
                                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  messages: MessageRecorder) -> None:
    fetched.choose_list(NOT_BACK)
    path = tmp_path / "not-back"  # no extension: the CSV filter chosen decides
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), CSV_FILTER))
    columns = EXPORT_KINDS[ExportKind.NOT_FOLLOWING_BACK].columns
    kept = ("user_id", "username", "followers_count")

    def accept(dialog: ExportOptionsDialog) -> int:
        assert dialog.windowTitle() == f"Export {EXPORT_KINDS[ExportKind.NOT_FOLLOWING_BACK].title.lower()}"
        for name in columns:
            dialog.set_column_checked(name, name in kept)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportOptionsDialog, "exec", accept)
    with qtbot.waitSignal(jobs.jobEnded, timeout=10_000):
        fetched.export_button.click()
    written = path.with_suffix(".csv")
    with written.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == tuple(name for name in columns if name in kept)
    assert {int(row[0]) for row in rows[1:]} == truth(context)[NOT_BACK]
    assert dictionary_path(written).exists()
    assert load_table_options(context.data_dir, ExportKind.NOT_FOLLOWING_BACK, columns).columns == tuple(
        name for name in columns if name in kept)
    assert messages.infos()[-1] == f"Exported {len(rows) - 1:,} rows to {written}."


def test_the_export_is_narrowed_by_the_shared_filter(qtbot: QtBot, fetched: FollowingTab, jobs: JobController,
                                                     filter_state: FollowerFilterState, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fetched.choose_list(MUTUALS)
    threshold = sorted(record.followers_count for record in fetched.model.records())[-2]
    filter_state.set(FollowerFilter(min_followers=threshold, relationship="fans"))
    path = tmp_path / "mutuals.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), CSV_FILTER))
    monkeypatch.setattr(ExportOptionsDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    with qtbot.waitSignal(jobs.jobEnded, timeout=10_000):
        fetched.export_button.click()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {int(row["user_id"]) for row in rows} == set(shown_ids(fetched)) and len(rows) >= 2


def test_the_fetch_button_says_why_it_cannot_start(qtbot: QtBot, tab: FollowingTab, context: AppContext,
                                                   jobs: JobController, monkeypatch: pytest.MonkeyPatch) -> None:
    tab.show()
    release = {"go": False}

    def waiting_job(ctx: JobContext) -> FollowingFetchResult:
        while not release["go"] and not ctx.cancel.cancelled:
            ctx.cancel.wait(0.01)
        return FollowingFetchResult(owner_id=1, pages=0, fetched=0, total_in_run=0, resumed=False, removed=0)

    with qtbot.waitSignal(jobs.jobStarted):
        jobs.start(JobName.FETCH_FOLLOWERS, "Fetching followers", waiting_job, writes_data=False)
    assert not tab.fetch_button.isEnabled() and tab.fetch_button.toolTip() == FOLLOWERS_FETCH_RUNNING
    with qtbot.waitSignal(jobs.jobFinished, timeout=10_000):
        release["go"] = True
    assert tab.fetch_button.isEnabled() and tab.fetch_button.toolTip() == FETCH_TIP

    release["go"] = False
    monkeypatch.setattr(context.following, "fetch_job", lambda: waiting_job)
    with qtbot.waitSignal(jobs.jobStarted):
        tab.fetch_button.click()
    assert not tab.fetch_button.isEnabled() and tab.fetch_button.toolTip() == FETCHING_NOW
    with qtbot.waitSignal(jobs.jobFinished, timeout=10_000):
        release["go"] = True

    class NoCredentials:
        can_call_api = False

    monkeypatch.setattr(context, "credentials", NoCredentials)
    tab.profile_changed()
    assert not tab.fetch_button.isEnabled()
    assert tab.fetch_button.toolTip().startswith(f"Profile {context.profile.name!r} has no X credentials yet")


def test_the_relationship_filter_narrows_the_followers_tab(qtbot: QtBot, fetched: FollowingTab, context: AppContext,
                                                          jobs: JobController,
                                                          filter_state: FollowerFilterState) -> None:
    followers_tab = FollowersTab(context, jobs, filter_state=filter_state)
    qtbot.addWidget(followers_tab)
    try:
        check_the_relationship_narrows(qtbot, followers_tab, fetched, context, filter_state)
    finally:
        followers_tab.shutdown()  # its query thread must not outlive the test's database


def check_the_relationship_narrows(qtbot: QtBot, followers_tab: FollowersTab, fetched: FollowingTab,
                                   context: AppContext, filter_state: FollowerFilterState) -> None:
    panel = followers_tab.filter_panel
    panel.show_following_counts(context.following.counts())  # what the Followers tab tells its form
    assert panel.relationship.isEnabled()
    expected = truth(context)
    for value, kind in (("mutuals", MUTUALS), ("fans", FANS)):
        panel.relationship.setCurrentIndex(panel.relationship.findData(value))
        panel.flush()
        qtbot.waitUntil(lambda: followers_tab.model is not None and not followers_tab.model.is_busy)
        model = followers_tab.model
        assert model is not None
        shown = {model.follower_id_at(row) for row in range(model.rowCount())}
        assert shown == expected[kind], value
        assert filter_state.current.relationship == value
    # The Following tab's lists are the relationship: the shared choice does not narrow them again.
    fetched.choose_list(MUTUALS)
    assert set(shown_ids(fetched)) == expected[MUTUALS]


# -- layout and looks --------------------------------------------------------------------------------------------

@pytest.fixture
def shown_at(qtbot: QtBot, fetched: FollowingTab) -> Iterator[FollowingTab]:
    fetched.choose_list(FANS)
    yield fetched


@pytest.mark.parametrize("size", [QSize(1024, 700), QSize(1600, 1000)])
def test_the_tab_fits_its_window_and_nothing_is_cut(qtbot: QtBot, shown_at: FollowingTab, size: QSize) -> None:
    tab = shown_at
    tab.resize(size)
    QCoreApplication.processEvents()
    assert tab.size() == size, f"the tab's minimum size is {tab.minimumSizeHint()}"
    header = tab.table.horizontalHeader()
    cut = [tab.model.headerData(section, header.orientation()) for section in range(header.count())
           if header.sectionSize(section) < header.sectionSizeFromContents(section).width()]
    assert cut == [] and tab.table.horizontalScrollBar().maximum() == 0  # no column out of sight
    for widget in (tab.fetch_button, tab.export_button):
        assert widget.isVisible() and widget.width() >= widget.sizeHint().width(), widget
    assert tab.counts_label.height() >= tab.counts_label.heightForWidth(tab.counts_label.width())  # whole
    assert tab.list_bar.isVisible() and tab.table.height() > 200
    assert sum(tab.list_bar.tabRect(i).width() for i in range(3)) <= tab.list_bar.width()


def test_the_empty_state_at_1024_by_700(qtbot: QtBot, tab: FollowingTab) -> None:
    tab.show()
    tab.resize(QSize(1024, 700))
    QCoreApplication.processEvents()
    assert tab.empty_label.isVisible() and tab.fetch_button.isVisible()
    assert tab.empty_label.width() >= tab.empty_label.minimumSizeHint().width()
