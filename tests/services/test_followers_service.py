"""FollowersService: what the Followers tab reads without a connection of its own (rows by rowid, one follower,
bounded counts, inline pieces), and its query runner on per-thread connections."""

from __future__ import annotations

import threading

import pytest

from twexport_qt.core.clock import FakeClock
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.tiers import DEFAULT_TIERS
from twexport_qt.followers.view_planner import QueryRequest, QueryResult, new_generation
from twexport_qt.services.followers import FollowerRow, FollowersService
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

OWNER = 5


@pytest.fixture
def connections(tmp_path, connections_to):
    path = tmp_path / "service.sqlite3"
    conn = open_database(path)
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [
            FollowerRecord(user_id=70 + i, username=f"fan{i}", name=f"Fan {i}", description="bio" if i % 2 else "",
                           followers_count=i * 1_000, verified=i == 2)
            for i in range(5)
        ], seen_at=1_700_000_000)
        conn.execute("INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, updated_at) "
                     "VALUES (?, 71, 'retry', 'live', 'failed', 0, 0)", (OWNER,))
    conn.close()
    return connections_to(path)


@pytest.fixture
def service(connections):
    return FollowersService(connections, FakeClock())


def rowid_of(service: FollowersService, user_id: int) -> int:
    row = service.follower_row(OWNER, user_id)
    assert row is not None
    return row.rowid


def test_rows_come_in_the_order_asked_as_records(service):
    rowids = [rowid_of(service, user_id) for user_id in (73, 70, 71)]
    rows = service.rows_by_rowid([*rowids, 999_999], DEFAULT_TIERS)  # a deleted row is left out
    assert [row.record.user_id for row in rows] == [73, 70, 71]
    assert all(isinstance(row, FollowerRow) for row in rows)
    assert rows[2].dm_status == "retry:failed" and rows[1].dm_status is None
    assert rows[0].value("username") == "fan3" and rows[0].value("followers_count") == 3_000
    assert rows[0].value("rowid") == rowids[0] and rows[0].value("tier") == rows[0].tier
    assert service.rows_by_rowid([]) == []


def test_one_follower_for_a_tooltip(service):
    row = service.follower_row(OWNER, 72)
    assert row is not None and row.record.name == "Fan 2" and row.record.verified
    assert service.follower_row(OWNER, 42) is None and service.follower_row(OWNER + 1, 72) is None


def test_counts_stop_at_the_limit(service):
    assert service.count_up_to(OWNER, 3) == 3
    assert service.count_up_to(OWNER, 100) == 5


def test_pieces_computed_inline(service):
    result = service.compute_pieces(QueryRequest(generation=new_generation(), owner_id=OWNER, tiers=DEFAULT_TIERS,
                                                 search="FAN1", sort_key="name"))
    assert result.error is None and len(result.snapshot) == 5
    assert int(result.search_masks["FAN1"].sum()) == 1 and len(result.orders["name"]) == 5


def test_the_query_runner_answers_in_its_own_thread(service):
    answered = threading.Event()
    answers: list[tuple[QueryResult, str]] = []

    def deliver(result: QueryResult) -> None:
        answers.append((result, threading.current_thread().name))
        answered.set()

    runner = service.query_runner(deliver)
    runner.submit(QueryRequest(generation=new_generation(), owner_id=OWNER, tiers=DEFAULT_TIERS, sort_key="username"))
    assert answered.wait(10)
    runner.shutdown()
    [(result, thread_name)] = answers
    assert result.error is None and len(result.snapshot) == 5
    assert thread_name == "followers-query" and not runner.is_running
