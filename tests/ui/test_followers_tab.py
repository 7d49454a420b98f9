"""The Followers tab end to end on a temp database: table, count label, plots and summary agree with SQL,
both when queries run inline (small accounts) and when they run in the query thread (large ones)."""

from __future__ import annotations

import random
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt

from twexport_qt.app_context import AppContext
from twexport_qt.core.clock import FakeClock
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.tiers import DEFAULT_TIERS
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.secrets.backends import SessionOnlyBackend
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings
from twexport_qt.store import followers_repo
from twexport_qt.ui import followers_table_model
from twexport_qt.ui.followers_query_worker import FollowersQueryService, QueryRequest, QueryResult, new_generation
from twexport_qt.ui.followers_tab import FollowersTab
from twexport_qt.ui.followers_table_model import COLUMNS
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.job_panel import JobPanel

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


@pytest.fixture
def make_tab(qtbot, context):
    made: list[tuple[FollowersTab, JobController]] = []

    def make() -> FollowersTab:
        controller = JobController(JobPanel())
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
    monkeypatch.setattr(followers_table_model, "INLINE_ROW_LIMIT", 0)


def sql_count(tab: FollowersTab, follower_filter: FollowerFilter, search: str = "") -> int:
    return followers_repo.count(tab.conn, OWNER, follower_filter, tiers=tab.tiers, search_text=search)


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

    tab.table.sortByColumn(next(i for i, c in enumerate(COLUMNS) if c.field == "name"), Qt.SortOrder.AscendingOrder)
    wait_idle(qtbot, tab)
    expected = followers_repo.ids_sorted(tab.conn, OWNER, numeric, "name", False, tiers=tab.tiers)
    shown = [tab.model.follower_id_at(row) for row in range(tab.model.rowCount())]
    assert shown == [followers_repo.rows_by_rowid(tab.conn, [r])[0][1] for r in expected]


def test_a_fast_typist_gets_the_last_search_only(qtbot, make_tab, threaded):
    tab = make_tab()
    wait_idle(qtbot, tab)
    submitted: list[str] = []
    original_submit = tab.queries.submit
    tab.queries.submit = lambda request: submitted.append(request.search) or original_submit(request)
    typed = ("u", "us", "use", "user", "user0", "user00", "user002", "user0021")
    for text in typed:
        tab.model.set_search_text(text)  # no debounce here: every keystroke reaches the model
    wait_idle(qtbot, tab)
    assert submitted == list(typed)  # each replaced the previous one in the single pending slot
    assert tab.model.rowCount() == sql_count(tab, FollowerFilter(), "user0021") == 10
    qtbot.waitUntil(lambda: not tab.queries.is_running)  # the thread ends once the mailbox is empty


def test_service_keeps_only_the_newest_waiting_request(qtbot, context):
    """Requests submitted while the thread is busy replace each other; only the last one is computed."""
    gate = threading.Event()

    def slow_connect():
        gate.wait(5)  # the thread is "busy" until the test has submitted everything
        return context.connect()

    service = FollowersQueryService(slow_connect)
    results: list[QueryResult] = []
    service.resultReady.connect(results.append)
    try:
        for text in ("a", "ab", "abc"):
            service.submit(QueryRequest(generation=new_generation(), owner_id=OWNER, tiers=DEFAULT_TIERS,
                                        search=text, sort_key="username"))
        gate.set()
        qtbot.waitUntil(lambda: bool(results) and not service.is_running, timeout=10_000)
    finally:
        service.shutdown()
    assert [r.request.search for r in results] == ["abc"]
    result = results[0]
    assert result.error is None and len(result.snapshot) == N
    assert set(result.search_masks) == {"abc"} and set(result.orders) == {"username"}


def test_service_reports_errors_as_sentences(qtbot, context):
    service = FollowersQueryService(context.connect)
    results: list[QueryResult] = []
    service.resultReady.connect(results.append)
    try:
        service.submit(QueryRequest(generation=new_generation(), owner_id=OWNER, tiers=DEFAULT_TIERS,
                                    sort_key="favourite_colour"))
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    finally:
        service.shutdown()
    assert "Cannot sort followers by 'favourite_colour'" in results[0].error


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
    record = followers_repo.get_follower(tab.conn, OWNER, 5001)
    text = tab.tooltip_for(5001)
    assert f"@{record.username}" in text and record.name in text
    assert f"{record.followers_count:,} followers" in text and f"{record.following_count:,} following" in text
    joined = "unknown" if record.created_at is None else tab.model.index(0, 0).model()._display(  # noqa: SLF001
        COLUMNS[7], record.created_at)
    assert f"Joined {joined}" in text
    tier = tab.tiers[int(tab.model.snapshot.tier[tab.model.snapshot.position_of_user(5001)])].name
    assert f"tier {tier}" in text
    assert "DM: first DM sent" in text
    assert "DM: not messaged" in tab.tooltip_for(5002)
    assert tab.tooltip_for(42) == ""


def test_clicking_a_point_selects_its_row(qtbot, make_tab):
    tab = make_tab()
    tab.apply_filter(FollowerFilter(min_followers=50))
    visible = tab.model.follower_id_at(tab.model.rowCount() // 2)
    tab.plot_network.pointClicked.emit(visible)
    selected = tab.table.selectionModel().selectedRows()
    assert [tab.model.follower_id_at(index.row()) for index in selected] == [visible]

    hidden = next(r.user_id for r in followers(N) if r.followers_count < 50 and r.user_id % 40)
    tab.select_follower(hidden)  # outside the filter: the selection stays where it was
    assert [tab.model.follower_id_at(i.row()) for i in tab.table.selectionModel().selectedRows()] == [visible]


def test_population_follows_include_unfollowed(make_tab):
    tab = make_tab()
    current = sql_count(tab, FollowerFilter())
    everyone = FollowerFilter(include_unfollowed=True)
    assert len(tab.plot_network._ids) == current  # noqa: SLF001 - what set_points was given
    tab.apply_filter(everyone)
    assert len(tab.plot_network._ids) == sql_count(tab, everyone) > current  # noqa: SLF001
    assert_views_agree(tab, everyone)


def test_the_hidden_plot_catches_up_when_shown(make_tab):
    tab = make_tab()
    assert len(tab.plot_age._ids) == 0  # noqa: SLF001 - hidden so far: no points given yet
    follower_filter = FollowerFilter(min_followers=100)
    tab.apply_filter(follower_filter)
    tab.plot_tabs.setCurrentWidget(tab.plot_age)
    assert len(tab.plot_age._ids) == sql_count(tab, FollowerFilter())  # noqa: SLF001
    assert np.isnan(tab.plot_age._x).any()  # noqa: SLF001 - unknown join dates are not placed on the age axis
    drawn = tab.plot_age.drawn_points
    # Followers with an unknown join date are not drawn on the age axis.
    unknown = sql_count(tab, FollowerFilter(min_followers=100)) - sql_count(
        tab, FollowerFilter(min_followers=100, created_after=0))
    assert drawn.highlighted == sql_count(tab, follower_filter) - unknown


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
    with context.job_lock(JobKind.FOLLOWERS_FETCH):  # `followers fetch` running in a terminal
        with qtbot.waitSignal(jobs.jobEnded, timeout=30_000):
            tab.auto_fetch_timer.timeout.emit()
    # A warning for the status bar, not an error dialog: scheduled runs must not pile up dialogs.
    assert messages.errors() == [] and any("already running since" in m for m in messages.warnings())
    jobs.shutdown()
