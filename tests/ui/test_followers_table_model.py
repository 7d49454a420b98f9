"""The followers table model: rows, sorting, roles and lazy cell blocks over a small account (inline work), and
Qt's own model checks after every kind of view change."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import Qt

from twexport_qt.core.clock import FakeClock
from twexport_qt.core.timefmt import format_local_date
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.services.followers import FollowersService
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database
from twexport_qt.ui import followers_table_model as table_module
from twexport_qt.ui.followers_table_model import BLOCK_SIZE, COLUMNS, FollowersTableModel, SortRole

OWNER = 3
N = 1_000  # four blocks
USER = SortRole


def column(field: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.field == field)


def audience(n: int, seed: int = 5) -> list[FollowerRecord]:
    rng = random.Random(seed)
    return [
        FollowerRecord(
            user_id=1_000 + i, username=f"user{i:05d}", name=rng.choice(["Ann", "bob", "Cy", "dee"]) + f" {i}",
            description=f"bio of {i}", location=rng.choice(["", "Oslo", "Lima"]),
            created_at=rng.randrange(1_200_000_000, 1_700_000_000), verified=rng.random() < 0.2,
            followers_count=rng.choice([0, 5, 999, 1_000, 20_000, rng.randrange(50_000)]),
            following_count=rng.randrange(5_000), tweet_count=rng.randrange(100), listed_count=rng.randrange(3),
        )
        for i in range(n)
    ]


@pytest.fixture
def conn():
    connection = open_database(":memory:")
    with connection:
        followers_repo.upsert_followers(connection, OWNER, audience(N), seen_at=1_700_000_000)
        connection.execute(
            "INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, updated_at) "
            "VALUES (?, 1000, 'first', 'live', 'sent', 0, 0), (?, 1001, 'first', 'live', 'skipped', 0, 0)",
            (OWNER, OWNER),
        )
    yield connection
    connection.close()


@pytest.fixture
def followers(conn):
    """The service over the test's one in-memory connection (the GUI thread's)."""
    return FollowersService(ThreadConnections(lambda: conn), FakeClock())


@pytest.fixture
def model(qtbot, followers):
    return FollowersTableModel(followers, OWNER)


def column_values(model: FollowersTableModel, field: str) -> list:
    col = column(field)
    return [model.index(row, col).data(USER) for row in range(model.rowCount())]


def test_row_count_follows_filter_and_search(model, conn):
    assert model.rowCount() == N and model.columnCount() == len(COLUMNS)
    model.set_filter(FollowerFilter(min_followers=1_000))
    assert model.rowCount() == followers_repo.count(conn, OWNER, FollowerFilter(min_followers=1_000))
    assert 0 < model.rowCount() < N
    model.set_filter(FollowerFilter())
    model.set_search_text("USER0012")
    assert sorted(column_values(model, "username")) == [f"user0012{d}" for d in range(10)]


@pytest.mark.parametrize("field", ["followers_count", "username", "name", "created_at", "tier", "verified", "location"])
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_sorting_orders_every_row(model, field, order):
    model.sort(column(field), order)
    values = column_values(model, field)
    key = (lambda v: v.lower()) if isinstance(values[0], str) else (lambda v: v)
    assert values == sorted(values, key=key, reverse=order == Qt.SortOrder.DescendingOrder)
    assert len(set(column_values(model, "username"))) == N  # a permutation, no duplicates


def test_sort_emits_a_reset_and_keeps_filter(qtbot, model):
    model.set_filter(FollowerFilter(verified_only=True))
    verified_rows = model.rowCount()
    with qtbot.waitSignal(model.modelReset, timeout=1_000):
        model.sort(column("tweet_count"), Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == verified_rows
    assert all(column_values(model, "verified"))


def test_cells_load_lazily_one_block_at_a_time(qtbot, followers, conn, monkeypatch):
    monkeypatch.setattr(table_module, "MAX_CACHED_BLOCKS", 2)
    model = FollowersTableModel(followers, OWNER)
    selects: list[str] = []
    conn.set_trace_callback(lambda sql: selects.append(sql) if sql.lstrip().startswith("SELECT") else None)

    model.index(0, 0).data()
    model.index(BLOCK_SIZE - 1, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert len(selects) == 1  # the whole first block came with the first cell
    model.index(BLOCK_SIZE, 0).data()
    model.index(3 * BLOCK_SIZE, 0).data()
    assert len(selects) == 3
    model.index(0, 0).data()  # evicted by the two blocks after it
    assert len(selects) == 4
    assert model.rowCount() == N and len(selects) == 4  # counting rows never touches SQLite


def test_display_roles(model, conn):
    model.sort(column("username"), Qt.SortOrder.AscendingOrder)
    first = followers_repo.get_follower(conn, OWNER, 1_000)
    followers = model.index(0, column("followers_count"))
    assert followers.data() == f"{first.followers_count:,}"
    assert followers.data(USER) == first.followers_count
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert followers.data(Qt.ItemDataRole.TextAlignmentRole) == right
    assert model.index(0, column("username")).data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.index(0, column("name")).data(Qt.ItemDataRole.ToolTipRole) == "bio of 0"
    assert model.index(0, column("dm_status")).data() == "Sent"
    assert model.index(1, column("dm_status")).data() == "Skipped"
    assert model.index(2, column("dm_status")).data() == ""
    assert model.index(0, column("first_seen")).data() == "2023-11-14"
    assert model.index(0, column("tier")).data() in {"Power user", "Rising", "Regular"}
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Followers"


def test_follower_lookup_both_ways(model):
    model.sort(column("followers_count"), Qt.SortOrder.DescendingOrder)
    for row in (0, 300, N - 1):
        user_id = model.follower_id_at(row)
        assert model.row_of_follower(user_id) == row
    assert model.row_of_follower(42) is None
    assert model.follower_id_at(N) is None
    model.set_search_text("user00001")
    assert model.row_of_follower(1_002) is None  # stored, but hidden by the search


def test_refresh_shows_new_followers(qtbot, model, conn):
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(user_id=9, username="zz")], seen_at=1)
    assert model.rowCount() == N
    with qtbot.waitSignal(model.modelReset, timeout=1_000):
        model.refresh()
    assert model.rowCount() == N + 1
    assert model.follower_id_at(model.row_of_follower(9)) == 9


def test_a_failing_read_is_reported_and_the_rows_stay(qtbot, model, monkeypatch):
    import sqlite3

    from twexport_qt.followers.snapshot import FollowerSnapshot

    def broken_load(*_args, **_kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(FollowerSnapshot, "load", broken_load)
    with qtbot.waitSignal(model.queryFailed, timeout=1_000) as failure:
        model.refresh()
    assert "disk I/O error" in failure.args[0] and "log file" in failure.args[0]
    assert model.rowCount() == N  # the last good view stays on screen
    with qtbot.assertNotEmitted(model.queryFailed):
        model.set_search_text("")  # nothing changed: the failed work is not retried by itself


def test_passes_qt_model_checks_through_view_changes(qtbot, qtmodeltester, model):
    qtmodeltester.check(model, force_py=True)  # re-checks the whole model on every reset from here on
    model.set_filter(FollowerFilter(min_followers=1_000, location_contains="o"))
    model.set_search_text("user00")
    model.sort(column("name"), Qt.SortOrder.AscendingOrder)
    model.sort(column("tier"), Qt.SortOrder.DescendingOrder)
    model.set_search_text("nobody has this")
    assert model.rowCount() == 0
    model.set_search_text("")
    model.refresh()
    assert model.rowCount() > 0


def test_passes_qts_own_model_tester(qtbot, qtmodeltester, qtlog, model):
    qtmodeltester.check(model)  # Qt's C++ QAbstractItemModelTester: reports problems as Qt warnings
    model.set_filter(FollowerFilter(verified_only=True))
    model.set_search_text("user0")
    model.sort(column("created_at"), Qt.SortOrder.AscendingOrder)
    assert [record.message for record in qtlog.records] == []


def store_new_followers(conn, count: int, first_id: int) -> None:
    """A fetch's page of new followers, committed."""
    records = [FollowerRecord(user_id=first_id + i, username=f"new{first_id + i}", followers_count=i * 7_919 % 60_000)
               for i in range(count)]
    with conn:
        followers_repo.upsert_followers(conn, OWNER, records, seen_at=1_800_000_000)


def test_new_followers_are_inserted_not_reset_and_the_selection_stays(qtbot, model, conn):
    from PySide6.QtCore import QItemSelectionModel, QPersistentModelIndex

    selection = QItemSelectionModel(model)
    picked = model.follower_id_at(300)
    selection.select(model.index(300, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                     | QItemSelectionModel.SelectionFlag.Rows)
    held = QPersistentModelIndex(model.index(300, 4))
    store_new_followers(conn, 120, first_id=900_000)
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignals([model.rowsInserted, model.layoutChanged]):
        model.append_new_followers()
    assert model.rowCount() == N + 120
    values = column_values(model, "followers_count")
    assert values == sorted(values, reverse=True)  # the new rows are sorted in, not left at the end
    assert [model.follower_id_at(index.row()) for index in selection.selectedRows()] == [picked]
    assert model.follower_id_at(held.row()) == picked and held.column() == 4
    assert model.index(model.row_of_follower(900_001), 0).data() == "new900001"


def test_passes_qt_model_checks_while_followers_are_appended(qtbot, qtmodeltester, qtlog, model, conn):
    qtmodeltester.check(model)  # Qt's C++ QAbstractItemModelTester: reports problems as Qt warnings
    model.set_filter(FollowerFilter(min_followers=1_000))
    for page in range(3):
        store_new_followers(conn, 60, first_id=900_000 + 1_000 * page)
        model.append_new_followers()
    model.set_search_text("new9")
    store_new_followers(conn, 60, first_id=950_000)
    model.append_new_followers()
    assert model.rowCount() == followers_repo.count(conn, OWNER, FollowerFilter(min_followers=1_000),
                                                    search_text="new9")
    assert [record.message for record in qtlog.records] == []


def test_last_posted_shows_a_local_date_never_or_nothing_and_sorts_unknown_first(qtbot, conn, followers):
    posted = 1_766_000_000
    with conn:
        followers_repo.upsert_followers(conn, OWNER + 1, [
            FollowerRecord(user_id=1, username="recent", tweet_count=9, last_posted_at=posted),
            FollowerRecord(user_id=2, username="never", tweet_count=0),
            FollowerRecord(user_id=3, username="undated", tweet_count=4),
            FollowerRecord(user_id=4, username="older", tweet_count=2, last_posted_at=posted - 86_400 * 40),
        ], seen_at=1_700_000_000)
    model = FollowersTableModel(followers, OWNER + 1)
    model.sort(column("last_posted_at"), Qt.SortOrder.AscendingOrder)
    assert column_values(model, "username") == ["never", "undated", "older", "recent"]  # unknown first, by rowid
    shown = [model.index(row, column("last_posted_at")).data() for row in range(model.rowCount())]
    assert shown == [table_module.NEVER_POSTED, "", format_local_date(posted - 86_400 * 40), format_local_date(posted)]
    assert model.headerData(column("last_posted_at"), Qt.Orientation.Horizontal) == "Last posted"
