"""The Followers tab end to end on a temp database: table, count label, plots and summary agree with SQL,
both when queries run inline (small accounts) and when they run in the query thread (large ones); plot points
prepared in a task thread arrive latest-wins and with the filter current when they land."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from contextlib import closing

import pytest
from PySide6.QtCore import QByteArray, QCoreApplication, QRect, QSize, Qt
from PySide6.QtGui import QImage, qGray

from twexport_qt.app_context import AppContext
from twexport_qt.core.clock import FakeClock
from twexport_qt.core.timefmt import format_local_date
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
from twexport_qt.ui.followers_table_model import COLUMN_OF_FIELD, COLUMNS
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
    """Holds every task but the relationship look-up until the test releases it: a pool thread that has not
    finished yet, on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[Callable[[], None]] = []

    def _start(self, handle, *args) -> None:
        if handle.key == "followers-relationship":  # not the tab's own work on the followers shown
            InlineTaskRunner._start(self, handle, *args)
            return
        self.held.append(lambda: InlineTaskRunner._start(self, handle, *args))

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
    # Every follower of the plotted population is on screen (points mode at this size), highlighted or not; the
    # highlighted ones are exactly the table's rows (filter and search).
    drawn = tab.plot_network.drawn_points
    assert drawn.highlighted == shown
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
    assert f"Joined {format_local_date(record.created_at) or 'unknown'}" in text
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


# -- a live fetch ------------------------------------------------------------------------------------------


@pytest.fixture
def empty_context(tmp_path):
    """The Sandbox profile before its first fetch: 2,500 simulated followers (pages of 1,000, 1,000 and 500)."""
    from twexport_qt.sandbox.config import SandboxConfig

    home = tmp_path / "first-run"
    home.mkdir()
    context = AppContext(home, settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()), clock=FakeClock(),
                         sandbox_config=SandboxConfig(followers=2_500, seed=11), configure_log=False)
    yield context
    context.close()


class PageGate:
    """Holds the fetch job after each committed page (once the tab was told of it) until the test lets it go on."""

    def __init__(self, monkeypatch) -> None:
        from twexport_qt.ui import followers_tab

        self._next = threading.Semaphore(0)
        self.pages_told = 0
        real_fetch = followers_tab.fetch_followers

        def gated_fetch(*args, on_page_stored, **kwargs):
            def told(page):
                on_page_stored(page)
                self.pages_told += 1
                assert self._next.acquire(timeout=30), "the test never let the fetch go on"

            return real_fetch(*args, on_page_stored=told, **kwargs)

        monkeypatch.setattr(followers_tab, "fetch_followers", gated_fetch)

    def go_on(self, pages: int = 1) -> None:
        for _ in range(pages):
            self._next.release()


@pytest.fixture
def live_tab(qtbot, empty_context):
    controller = JobController(JobPanel(), tasks=InlineTaskRunner())
    tab = FollowersTab(empty_context, controller)
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    yield tab
    controller.shutdown()
    tab.shutdown()


def current_followers(tab: FollowersTab) -> int:
    with closing(tab.context.connect()) as conn:
        return followers_repo.current_count(conn, SANDBOX_USER_ID)


def selected_followers(tab: FollowersTab) -> list[int]:
    return [tab.model.follower_id_at(index.row()) for index in tab.table.selectionModel().selectedRows()]


@pytest.mark.parametrize("in_thread", [False, True], ids=["inline", "query-thread"])
def test_a_first_fetch_shows_its_pages_as_they_are_stored(qtbot, live_tab, monkeypatch, in_thread):
    if in_thread:
        monkeypatch.setattr(view_planner, "INLINE_ROW_LIMIT", 0)
    gate = PageGate(monkeypatch)
    tab = live_tab
    assert tab.model is not None and tab.model.rowCount() == 0  # the Sandbox's account, nothing fetched yet
    worker = tab.start_fetch()
    qtbot.waitUntil(lambda: gate.pages_told == 1 and tab.model is not None and tab.model.rowCount() == 1_000
                    and not tab.model.is_busy, timeout=10_000)
    assert not worker.ended.is_set()  # the fetch goes on: these are its first page's rows
    assert tab.count_label.text() == "1,000 shown · 1,000 match the filter"
    assert tab.summary_panel.text_of("Followers") == "1,000"
    assert plotted(tab.plot_network) == 1_000

    # The user looks at a follower further down while the next page comes in.
    tab.table.resize(900, 300)
    picked_row = 400
    tab.table.selectRow(picked_row)
    picked = tab.model.follower_id_at(picked_row)
    tab.table.verticalScrollBar().setValue(350)
    top = tab.model.follower_id_at(tab.table.rowAt(0))
    resets: list[bool] = []
    tab.model.modelReset.connect(lambda: resets.append(True))
    gate.go_on()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2_000 and not tab.model.is_busy, timeout=10_000)
    assert resets == [] and not worker.ended.is_set()
    assert selected_followers(tab) == [picked]  # the same follower, wherever the sort put their row
    assert tab.model.follower_id_at(tab.table.rowAt(0)) == top  # the same follower at the top
    assert tab.count_label.text() == "2,000 shown · 2,000 match the filter"
    qtbot.waitUntil(lambda: plotted(tab.plot_network) == 2_000, timeout=10_000)

    gate.go_on(2)  # the last page, then the run's end: a reload (it would find who left)
    qtbot.waitUntil(lambda: worker.ended.is_set() and tab.model.rowCount() == 2_500 and not tab.model.is_busy,
                    timeout=10_000)
    qtbot.waitUntil(lambda: bool(resets) and not tab.model.is_busy, timeout=10_000)
    assert tab.model.rowCount() == current_followers(tab) == 2_500
    assert selected_followers(tab) == [picked]
    assert tab.model.follower_id_at(tab.table.rowAt(0)) == top


def test_a_new_followers_refresh_shows_its_pages_too(qtbot, live_tab, monkeypatch):
    tab = live_tab
    with qtbot.waitSignal(tab.jobs.jobFinished, timeout=30_000):
        tab.start_fetch()
    qtbot.waitUntil(lambda: tab.model is not None and tab.model.rowCount() == 2_500, timeout=10_000)
    tab.context.sandbox.state.population.add_followers(30)
    gate = PageGate(monkeypatch)
    tab.table.sortByColumn(COLUMN_OF_FIELD["first_seen"], Qt.SortOrder.DescendingOrder)
    worker = tab.start_fetch(new_only=True)
    qtbot.waitUntil(lambda: gate.pages_told == 1 and tab.model.rowCount() == 2_530, timeout=10_000)
    assert not worker.ended.is_set()
    gate.go_on(2)
    qtbot.waitUntil(worker.ended.is_set, timeout=10_000)


def test_the_first_page_names_an_account_not_known_before(qtbot, empty_context, monkeypatch):
    """An X account's id is known once its first page is stored: the table appears then, not at the fetch's end."""
    from twexport_qt import app_context

    monkeypatch.setattr(app_context, "known_owner_id", lambda _profile: None)  # as for an X profile never fetched
    gate = PageGate(monkeypatch)
    controller = JobController(JobPanel(), tasks=InlineTaskRunner())
    tab = FollowersTab(empty_context, controller)
    qtbot.addWidget(tab)
    assert tab.model is None and not tab.fetch_new_button.isEnabled()
    worker = tab.start_fetch()
    qtbot.waitUntil(lambda: tab.model is not None and tab.model.rowCount() == 1_000, timeout=10_000)
    assert not worker.ended.is_set() and tab.owner_id == SANDBOX_USER_ID and tab.fetch_new_button.isEnabled()
    gate.go_on(3)
    qtbot.waitUntil(lambda: worker.ended.is_set() and tab.model.rowCount() == 2_500, timeout=10_000)
    controller.shutdown()
    tab.shutdown()


# -- layout, remembered state, header, keyboard, stale results --------------------------------------------

# What the tab gets of a 1024×700 window: the menu bar, the tab bar, the status bar and the frames take ~130 px
# of its height and ~20 px of its width.
TAB_IN_SMALL_WINDOW = QSize(1004, 570)
TAB_IN_4K_WINDOW = QSize(3820, 2020)


def laid_out(qtbot, tab: FollowersTab, size: QSize) -> None:
    tab.resize(size)
    QCoreApplication.processEvents()  # the resize and the layout requests it posts
    qtbot.waitUntil(lambda: tab.plot_network.height() > 0)


def visible_rows(tab: FollowersTab) -> int:
    return tab.table.viewport().height() // tab.table.verticalHeader().defaultSectionSize()


def test_at_1024_by_700_the_panels_give_way_to_a_tall_plot_and_the_table(qtbot, make_tab):
    tab = make_tab()
    laid_out(qtbot, tab, TAB_IN_SMALL_WINDOW)
    plot = tab.plot_network
    assert plot.height() >= 300 and plot.width() >= 380, f"the plot is {plot.width()}×{plot.height()}"
    assert visible_rows(tab) >= 5, f"{visible_rows(tab)} table rows"
    assert tab.filter_scroll.width() <= 400 and tab.summary_panel.width() <= 260
    # Nothing is cut: the filter form is whole (no sideways scrolling), the summary scrolls only downwards.
    assert tab.filter_scroll.viewport().width() >= tab.filter_panel.minimumSizeHint().width()


def test_on_a_4k_screen_the_extra_room_goes_to_the_table_and_plots(qtbot, make_tab):
    tab = make_tab()
    laid_out(qtbot, tab, TAB_IN_4K_WINDOW)
    assert tab.filter_scroll.width() <= 400 and tab.summary_panel.width() <= 260  # not stretched
    assert tab.plot_network.width() >= 2_500 and tab.plot_network.height() >= 1_000
    assert visible_rows(tab) >= 30


def test_splitters_column_widths_and_sort_are_remembered(qtbot, make_tab, context):
    tab = make_tab()
    laid_out(qtbot, tab, QSize(1400, 900))
    tab.main_splitter.setSizes([0, 1400])  # the filter panel dragged shut
    tab.right_splitter.setSizes([600, 300])
    tab.table.sortByColumn(COLUMN_OF_FIELD["username"], Qt.SortOrder.AscendingOrder)
    tab.table.horizontalHeader().resizeSection(COLUMN_OF_FIELD["name"], 333)
    main_sizes, right_sizes = tab.main_splitter.sizes(), tab.right_splitter.sizes()
    tab.shutdown()  # the app's exit: remembered in the data folder

    again = make_tab()
    laid_out(qtbot, again, QSize(1400, 900))
    assert again.main_splitter.sizes() == main_sizes and main_sizes[0] == 0
    assert again.right_splitter.sizes() == right_sizes
    header = again.table.horizontalHeader()
    assert header.sectionSize(COLUMN_OF_FIELD["name"]) == 333
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (COLUMN_OF_FIELD["username"],
                                                                            Qt.SortOrder.AscendingOrder)
    usernames = [again.model.index(row, COLUMN_OF_FIELD["username"]).data() for row in range(50)]
    assert usernames == sorted(usernames, key=str.lower)  # the rows really are in the remembered order


def test_a_state_saved_by_another_version_is_ignored(qtbot, make_tab, context):
    from twexport_qt.ui.followers_tab import UiStateKey
    from twexport_qt.ui.ui_state import ui_state

    settings = ui_state(context.data_dir)
    settings.setValue(UiStateKey.HEADER, QByteArray(b"\x00\xff not a header state"))
    settings.setValue(UiStateKey.HEADER_COLUMNS, "username,name,some_old_column")
    settings.setValue(UiStateKey.MAIN_SPLITTER, QByteArray(b"garbage"))
    settings.setValue(UiStateKey.SORT_FIELD, "a_column_that_is_gone")
    settings.sync()
    tab = make_tab()
    laid_out(qtbot, tab, TAB_IN_SMALL_WINDOW)
    header = tab.table.horizontalHeader()
    assert header.count() == len(COLUMNS) and header.sortIndicatorSection() == COLUMN_OF_FIELD["followers_count"]
    assert tab.filter_scroll.width() > 0 and tab.plot_network.height() >= 300  # the default layout


def test_the_sort_arrow_points_down_for_largest_first(qtbot, make_tab):
    tab = make_tab()
    header = tab.table.horizontalHeader()
    column = COLUMN_OF_FIELD["followers_count"]
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (column, Qt.SortOrder.DescendingOrder)

    def painted(order: Qt.SortOrder) -> QImage:
        header.setSortIndicator(column, order)
        section = QRect(header.sectionViewportPosition(column), 0, header.sectionSize(column), header.height())
        return header.viewport().grab(section).toImage()

    descending, ascending = painted(Qt.SortOrder.DescendingOrder), painted(Qt.SortOrder.AscendingOrder)
    # Only the arrows differ. Where one image is darker than the other, its own arrow is: a triangle pointing
    # down has its own ink (where the other, pointing up, has none) in the upper half of their common box.
    differing = [(x, y) for y in range(descending.height()) for x in range(descending.width())
                 if descending.pixel(x, y) != ascending.pixel(x, y)]
    assert differing, "no sort arrow was painted"
    middle = (min(y for _x, y in differing) + max(y for _x, y in differing)) / 2

    def own_ink_rows(image: QImage, other: QImage) -> list[int]:
        return [y for x, y in differing if qGray(image.pixel(x, y)) < qGray(other.pixel(x, y))]

    down_rows, up_rows = own_ink_rows(descending, ascending), own_ink_rows(ascending, descending)
    assert sum(down_rows) / len(down_rows) < middle < sum(up_rows) / len(up_rows)


def test_focus_search_puts_the_cursor_in_the_search_box(qtbot, make_tab):
    tab = make_tab()
    tab.search.setText("ann")
    tab.table.setFocus()
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)
    tab.focus_search()
    qtbot.waitUntil(tab.search.hasFocus)
    assert tab.search.selectedText() == "ann"  # typing replaces the last search


def test_an_invalid_filter_marks_the_results_stale_until_it_is_corrected(qtbot, make_tab):
    tab = make_tab()
    rows = tab.model.rowCount()
    tab.filter_panel.min_followers.set_optional_value(500)
    tab.filter_panel.max_followers.set_optional_value(10)  # can match nobody: not applied
    tab.filter_panel.flush()
    assert tab.results_stale and tab.stale_label.isVisibleTo(tab)
    assert tab.model.rowCount() == rows  # the last valid filter's rows stay, marked
    tab.filter_panel.max_followers.set_optional_value(None)
    tab.filter_panel.flush()
    assert not tab.results_stale and not tab.stale_label.isVisibleTo(tab)
    assert tab.model.rowCount() == sql_count(tab, FollowerFilter(min_followers=500))


def test_the_last_filter_comes_back_with_its_rows_at_the_next_start(qtbot, make_tab):
    tab = make_tab()
    wait_idle(qtbot, tab)
    narrowed = FollowerFilter(min_followers=1_000)
    tab.filter_panel.set_filter(narrowed)
    tab.filter_panel.flush()
    wait_idle(qtbot, tab)
    shown = tab.model.rowCount()
    assert 0 < shown < sql_count(tab, FollowerFilter())
    tab.shutdown()  # the app's exit

    again = make_tab()
    wait_idle(qtbot, again)
    assert again.filter_panel.current_filter().min_followers == 1_000
    assert again.filter_state.current.min_followers == 1_000  # the campaign and exports share it
    assert again.model.rowCount() == shown == sql_count(again, narrowed)


def test_the_bio_word_filters_library_loads_in_a_pool_thread_when_the_user_heads_for_its_field(qtbot, make_tab,
                                                                                                monkeypatch):
    """Loaded by the filter itself, on the GUI thread, nltk would freeze the window for a second or two."""
    import threading

    from twexport_qt.ui import followers_tab as followers_tab_module
    from twexport_qt.workers.tasks import TaskRunner

    loaded_in: list[str] = []
    monkeypatch.setattr(followers_tab_module, "prepare_word_matching",
                        lambda: loaded_in.append(threading.current_thread().name))
    tasks = TaskRunner()
    tab = make_tab(tasks)
    tab.filter_panel.wordsFieldEntered.emit()
    qtbot.waitUntil(lambda: loaded_in != [])
    assert loaded_in != [threading.main_thread().name]
    tasks.shutdown()
