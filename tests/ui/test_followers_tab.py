"""The Followers tab end to end on a temp database: table, count label, plots and summary agree with SQL,
both when queries run inline (small accounts) and when they run in the query thread (large ones); plot points
prepared in a task thread arrive latest-wins and with the filter current when they land."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from contextlib import closing

import pytest
from PySide6.QtCore import Qt

from twexport_qt.app_context import AppContext
from twexport_qt.core.clock import FakeClock
from twexport_qt.core.timefmt import format_date
from twexport_qt.followers import view_planner
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.secrets.backends import SessionOnlyBackend
from twexport_qt.secrets.store import SecretStore
from twexport_qt.services.followers_queries import FollowersQueryRunner
from twexport_qt.settings.model import AppSettings
from twexport_qt.store import followers_repo
from twexport_qt.ui.followers_tab import FollowersTab
from twexport_qt.ui.followers_table_model import COLUMN_OF_FIELD
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.job_panel import JobPanel
from twexport_qt.workers.tasks import InlineTaskRunner, TaskRunner

OWNER = SANDBOX_USER_ID  # the Sandbox profile's account, so known_owner_id() finds these followers
N = 3_000
WORDS = ("python", "founder", "coffee", "rust", "music")


def followers(n: int, seed: int = 1, first_id: int = 5_000) -> list[FollowerRecord]:
    rng = random.Random(seed)
    return [
        FollowerRecord(
            user_id=first_id + i, username=f"user{i:05d}", name=rng.choice(["Ann", "Bob", "Cy"]) + f" {i}",
            description=" ".join(rng.sample(WORDS, rng.randrange(0, 3))), location=rng.choice(["", "Oslo", "Lima"]),
            created_at=rng.choice([None, rng.randrange(1_200_000_000, 1_700_000_000)]),
            verified=rng.random() < 0.1, followers_count=int(rng.lognormvariate(5, 2)),
            following_count=int(rng.lognormvariate(5, 1.3)), tweet_count=rng.randrange(1_000),
        )
        for i in range(n)
    ]


@pytest.fixture
def context(data_dir):
    context = AppContext(data_dir, settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()),
                         clock=FakeClock(), configure_log=False)
    conn = context.connect()
    with conn:
        followers_repo.upsert_followers(conn, OWNER, followers(N), seen_at=1_700_000_000)
        followers_repo.mark_unfollowed(conn, OWNER, 1_700_000_000, at=1_700_000_000)  # nobody: all just seen
        conn.execute("UPDATE followers SET unfollowed_at = 1 WHERE user_id % 40 = 0")  # 2.5% left
        conn.execute(
            "INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, updated_at) "
            "VALUES (?, 5001, 'first', 'live', 'sent', 0, 0)",
            (OWNER,),
        )
    conn.close()
    yield context
    context.close()


class HeldTaskRunner(InlineTaskRunner):
    """Holds every task until the test releases it: a pool thread that has not finished yet, on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[Callable[[], None]] = []

    def _start(self, *args) -> None:
        self.held.append(lambda: InlineTaskRunner._start(self, *args))

    def release_all(self) -> None:
        """Finish the held tasks in the order they were started."""
        held, self.held = self.held, []
        for finish in held:
            finish()


@pytest.fixture
def make_tab(qtbot, context):
    made: list[tuple[FollowersTab, JobController]] = []

    def make(tasks: TaskRunner | None = None) -> FollowersTab:
        """A tab whose short tasks (plot points) run inline unless another runner is given."""
        controller = JobController(JobPanel(), tasks=tasks or InlineTaskRunner())
        tab = FollowersTab(context, controller)
        qtbot.addWidget(tab)
        tab.resize(1200, 800)
        tab.show()
        made.append((tab, controller))
        return tab

    yield make
    for tab, controller in made:
        tab.shutdown()
        controller.shutdown()
        assert not tab.queries.is_running  # no query thread outlives the test


@pytest.fixture
def threaded(monkeypatch):
    """Send every query through the query thread, as for an account above INLINE_ROW_LIMIT."""
    monkeypatch.setattr(view_planner, "INLINE_ROW_LIMIT", 0)


def sql_count(tab: FollowersTab, follower_filter: FollowerFilter, search: str = "") -> int:
    """What SQL says, on the test's own connection (the tab has none)."""
    with closing(tab.context.connect()) as conn:
        return followers_repo.count(conn, OWNER, follower_filter, tiers=tab.tiers, search_text=search)


def wait_idle(qtbot, tab: FollowersTab) -> None:
    qtbot.waitUntil(lambda: tab.model is not None and tab.model.snapshot is not None and not tab.model.is_busy,
                    timeout=10_000)


def assert_views_agree(tab: FollowersTab, follower_filter: FollowerFilter, search: str = "") -> None:
    matching, shown = sql_count(tab, follower_filter), sql_count(tab, follower_filter, search)
    assert tab.model.rowCount() == shown
    assert tab.count_label.text() == f"{shown:,} shown · {matching:,} match the filter"
    assert tab.summary_panel.text_of("Matching filter") == f"{matching:,}"
    # Every follower of the plotted population is on screen (points mode at this size), highlighted or not.
    drawn = tab.plot_network.drawn_points
    assert drawn.highlighted == matching
    population = sql_count(tab, FollowerFilter(include_unfollowed=follower_filter.include_unfollowed))
    assert drawn.highlighted + drawn.dimmed == population


def test_filter_change_updates_table_count_and_plots(qtbot, make_tab):
    tab = make_tab()
    assert tab.model.rowCount() == sql_count(tab, FollowerFilter())  # a small account loads inline
    assert_views_agree(tab, FollowerFilter())
    for follower_filter in (
        FollowerFilter(min_followers=1_000),
        FollowerFilter(min_followers=10, max_following=200, verified_only=True),
        FollowerFilter(description_words="python founder", description_mode="all", include_unfollowed=True),
        FollowerFilter(dm_status="messaged"),
    ):
        tab.filter_panel.set_filter(follower_filter)
        tab.filter_panel.flush()
        assert tab.current_filter == follower_filter
        assert_views_agree(tab, follower_filter)


def test_search_is_debounced_and_combines_with_the_filter(qtbot, make_tab):
    tab = make_tab()
    follower_filter = FollowerFilter(min_followers=20)
    tab.apply_filter(follower_filter)
    tab.search.setText("USER001")
    assert tab.model.rowCount() == sql_count(tab, follower_filter)  # not yet: typing has not paused
    qtbot.waitUntil(lambda: tab.model.rowCount() == sql_count(tab, follower_filter, "user001"))
    assert_views_agree(tab, follower_filter, "user001")


def test_threaded_queries_reach_the_same_views(qtbot, make_tab, threaded):
    tab = make_tab()
    busy: list[bool] = []
    tab.model.busyChanged.connect(busy.append)
    assert tab.model.is_busy and tab.busy_label.isVisibleTo(tab)  # the first load runs in the thread
    wait_idle(qtbot, tab)
    assert busy == [False] and not tab.busy_label.isVisibleTo(tab)
    assert_views_agree(tab, FollowerFilter())

    words = FollowerFilter(description_words="coffee rust", location_contains="o")
    tab.apply_filter(words)
    assert tab.model.is_busy  # bio and location criteria are SQL: off the GUI thread
    wait_idle(qtbot, tab)
    assert_views_agree(tab, words)

    numeric = FollowerFilter(description_words="coffee rust", location_contains="o", min_followers=100)
    tab.apply_filter(numeric)
    assert not tab.model.is_busy  # the SQL part is cached: only array work is left
    assert_views_agree(tab, numeric)

    tab.table.sortByColumn(COLUMN_OF_FIELD["name"], Qt.SortOrder.AscendingOrder)
    wait_idle(qtbot, tab)
    with closing(tab.context.connect()) as conn:
        expected = followers_repo.ids_sorted(conn, OWNER, numeric, "name", False, tiers=tab.tiers)
        expected_ids = [followers_repo.rows_by_rowid(conn, [r])[0][1] for r in expected]
    shown = [tab.model.follower_id_at(row) for row in range(tab.model.rowCount())]
    assert shown == expected_ids


def test_a_fast_typist_gets_the_last_search_only(qtbot, make_tab, threaded, monkeypatch):
    submitted: list[str] = []
    original_submit = FollowersQueryRunner.submit

    def recording_submit(runner, request):
        submitted.append(request.search)
        return original_submit(runner, request)

    monkeypatch.setattr(FollowersQueryRunner, "submit", recording_submit)
    tab = make_tab()
    wait_idle(qtbot, tab)
    submitted.clear()
    typed = ("u", "us", "use", "user", "user0", "user00", "user002", "user0021")
    for text in typed:
        tab.model.set_search_text(text)  # no debounce here: every keystroke reaches the model
    wait_idle(qtbot, tab)
    assert submitted == list(typed)  # each replaced the previous one in the single pending slot
    assert tab.model.rowCount() == sql_count(tab, FollowerFilter(), "user0021") == 10
    qtbot.waitUntil(lambda: not tab.queries.is_running)  # the thread ends once the mailbox is empty


def test_a_failing_query_is_told_and_the_rows_stay(qtbot, make_tab, threaded, messages, monkeypatch):
    from twexport_qt.followers.snapshot import FollowerSnapshot

    tab = make_tab()
    wait_idle(qtbot, tab)
    rows = tab.model.rowCount()

    def broken_search(*_args, **_kwargs):
        raise OSError("disk I/O error")

    monkeypatch.setattr(FollowerSnapshot, "search_mask", broken_search)
    tab.model.set_search_text("coffee")
    qtbot.waitUntil(lambda: not tab.model.is_busy, timeout=10_000)
    assert any("disk I/O error" in text and "Refresh" in text for text in messages.warnings())
    assert tab.busy_label.isVisibleTo(tab) and "Could not update" in tab.busy_label.text()
    assert tab.model.rowCount() == rows  # the last good view stays on screen


def test_refresh_picks_up_new_followers_in_the_thread(qtbot, make_tab, threaded):
    tab = make_tab()
    wait_idle(qtbot, tab)
    conn = tab.context.connect()
    with conn:
        followers_repo.upsert_followers(conn, OWNER, followers(5, seed=9, first_id=900_000), seen_at=1_800_000_000)
    conn.close()
    before = tab.model.rowCount()
    tab.jobs.dataChanged.emit("fetch-followers")  # what any job that wrote data does
    assert tab.model.rowCount() == before  # the old rows stay until the new snapshot is in
    qtbot.waitUntil(lambda: tab.model.rowCount() == before + 5, timeout=10_000)
    assert_views_agree(tab, tab.current_filter)


def test_tooltip_describes_the_follower(make_tab, context):
    tab = make_tab()
    with closing(context.connect()) as conn:
        record = followers_repo.get_follower(conn, OWNER, 5001)
    text = tab.tooltip_for(5001)
    assert f"@{record.username}" in text and record.name in text
    assert f"{record.followers_count:,} followers" in text and f"{record.following_count:,} following" in text
    assert f"Joined {format_date(record.created_at) or 'unknown'}" in text
    tier = tab.tiers[int(tab.model.snapshot.tier[tab.model.snapshot.position_of_user(5001)])].name
    assert f"tier {tier}" in text
    assert text.endswith("DM: Sent")  # worded as in the table's DM status column (dm_status_label)
    assert tab.tooltip_for(5002).endswith("DM: Not messaged")
    assert tab.tooltip_for(42) == ""


def test_clicking_a_point_selects_its_row(qtbot, make_tab, messages):
    tab = make_tab()
    tab.apply_filter(FollowerFilter(min_followers=50))
    visible = tab.model.follower_id_at(tab.model.rowCount() // 2)
    tab.plot_network.pointClicked.emit(visible)
    selected = tab.table.selectionModel().selectedRows()
    assert [tab.model.follower_id_at(index.row()) for index in selected] == [visible]

    hidden = next(r.user_id for r in followers(N) if r.followers_count < 50 and r.user_id % 40)
    tab.select_follower(hidden)  # outside the filter: the selection stays where it was, and the user is told
    assert [tab.model.follower_id_at(i.row()) for i in tab.table.selectionModel().selectedRows()] == [visible]
    assert messages.infos() == ["That follower is hidden by the filter or the search text."]


def plotted(plot) -> int:
    """Followers drawn as points, highlighted or not (points mode at this size)."""
    return plot.drawn_points.highlighted + plot.drawn_points.dimmed


def test_population_follows_include_unfollowed(make_tab):
    tab = make_tab()
    current = sql_count(tab, FollowerFilter())
    everyone = FollowerFilter(include_unfollowed=True)
    assert plotted(tab.plot_network) == current
    tab.apply_filter(everyone)
    assert plotted(tab.plot_network) == sql_count(tab, everyone) > current
    assert_views_agree(tab, everyone)


def test_the_hidden_plot_catches_up_when_shown(make_tab):
    tab = make_tab()
    assert plotted(tab.plot_age) == 0  # hidden so far: no points given yet
    follower_filter = FollowerFilter(min_followers=100)
    tab.apply_filter(follower_filter)
    tab.plot_tabs.setCurrentWidget(tab.plot_age)
    # Followers with an unknown join date are not placed on the age axis.
    dated = FollowerFilter(created_after=0)
    assert plotted(tab.plot_age) == sql_count(tab, dated) < sql_count(tab, FollowerFilter())
    assert tab.plot_age.drawn_points.highlighted == sql_count(tab, FollowerFilter(min_followers=100, created_after=0))


def test_scheduled_auto_fetch_follows_the_profile_setting(make_tab, context):
    tab = make_tab()
    assert not tab.auto_fetch_timer.isActive()  # off by default
    context.profile.auto_fetch_minutes = 30
    tab.profile_changed()
    assert tab.auto_fetch_timer.isActive() and tab.auto_fetch_timer.interval() == 30 * 60_000
    context.profile.auto_fetch_minutes = 0
    tab.profile_changed()
    assert not tab.auto_fetch_timer.isActive()


def test_a_scheduled_fetch_while_another_holds_the_fetch_says_so_quietly(qtbot, context, messages):
    from twexport_qt.store.job_locks import JobKind

    panel = JobPanel()
    qtbot.addWidget(panel)
    jobs = JobController(panel)
    tab = FollowersTab(context, jobs)
    qtbot.addWidget(tab)
    # `followers fetch` running in a terminal holds the lock meanwhile.
    with context.job_lock(JobKind.FOLLOWERS_FETCH), qtbot.waitSignal(jobs.jobEnded, timeout=30_000):
        tab.auto_fetch_timer.timeout.emit()
    # A warning for the status bar, not an error dialog: scheduled runs must not pile up dialogs.
    assert messages.errors() == [] and any("already running since" in m for m in messages.warnings())
    jobs.shutdown()


def add_followers(tab: FollowersTab, count: int, first_id: int) -> None:
    conn = tab.context.connect()
    with conn:
        followers_repo.upsert_followers(conn, OWNER, followers(count, seed=first_id, first_id=first_id),
                                        seen_at=1_800_000_000)
    conn.close()


def test_plot_points_are_prepared_off_the_gui_thread(qtbot, make_tab, monkeypatch):
    from twexport_qt.ui import followers_tab

    threads: list[threading.Thread] = []
    original = followers_tab.follower_plot_points

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return original(*args, **kwargs)

    monkeypatch.setattr(followers_tab, "follower_plot_points", recording)
    tab = make_tab(TaskRunner())
    assert tab.plots_pending and plotted(tab.plot_network) == 0  # the table is there; the points are on the way
    qtbot.waitUntil(lambda: not tab.plots_pending, timeout=10_000)
    assert threads and all(thread is not threading.main_thread() for thread in threads)
    assert_views_agree(tab, FollowerFilter())
    # Hover and click look-ups work on the points prepared in the thread.
    follower_id = tab.model.follower_id_at(0)
    view_pos = tab.plot_network.view_pos_of(follower_id)
    assert view_pos is not None
    assert tab.plot_network.hover_at_scene_pos(tab.plot_network.plot_item.getViewBox().mapViewToScene(view_pos)) \
        is not None


def test_a_newer_snapshot_replaces_points_still_being_prepared(make_tab):
    runner = HeldTaskRunner()
    tab = make_tab(runner)
    runner.release_all()
    before = plotted(tab.plot_network)
    assert before == sql_count(tab, FollowerFilter())
    add_followers(tab, 5, first_id=900_000)
    tab.refresh()  # a small account reloads inline: its points wait for the task
    add_followers(tab, 5, first_id=910_000)
    tab.refresh()
    assert tab.model.rowCount() == before + 10 and plotted(tab.plot_network) == before  # old points meanwhile
    assert len(runner.held) == 2 and tab.plots_pending
    runner.release_all()  # the older preparation finishes first, and is dropped
    assert not tab.plots_pending
    assert plotted(tab.plot_network) == before + 10
    assert_views_agree(tab, tab.current_filter)


def test_a_filter_change_while_points_are_prepared_is_highlighted_when_they_arrive(make_tab):
    runner = HeldTaskRunner()
    tab = make_tab(runner)
    follower_filter = FollowerFilter(min_followers=100)
    tab.apply_filter(follower_filter)  # same population: nothing new to prepare
    assert len(runner.held) == 1
    runner.release_all()
    assert_views_agree(tab, follower_filter)


def test_switching_back_to_the_shown_population_drops_points_on_the_way(make_tab):
    runner = HeldTaskRunner()
    tab = make_tab(runner)
    runner.release_all()
    current = sql_count(tab, FollowerFilter())
    tab.apply_filter(FollowerFilter(include_unfollowed=True))  # everyone: new points to prepare
    tab.apply_filter(FollowerFilter(min_followers=100))  # back to the current followers before they arrive
    assert not tab.plots_pending
    runner.release_all()
    assert plotted(tab.plot_network) == current
    assert_views_agree(tab, FollowerFilter(min_followers=100))


def test_points_for_the_previous_account_never_reach_the_plot(make_tab, context):
    other_account = OWNER + 1
    conn = context.connect()
    with conn:
        followers_repo.upsert_followers(conn, other_account, followers(7, first_id=700_000), seen_at=1_700_000_000)
    conn.close()
    runner = HeldTaskRunner()
    tab = make_tab(runner)  # this account's points are on the way...
    context.remember_owner(other_account)
    tab.profile_changed()  # ...when the profile switches to another account
    runner.release_all()
    assert not tab.plots_pending
    assert plotted(tab.plot_network) == tab.model.rowCount() == 7
