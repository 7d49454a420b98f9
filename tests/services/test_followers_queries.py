"""FollowersQueryRunner, headless: latest request wins, superseded SQL is interrupted, a loaded snapshot is reused
for its generation, failures come back as sentences, and the thread (with its connection) ends when idle."""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.snapshot import FollowerSnapshot
from twexport_qt.followers.tiers import DEFAULT_TIERS
from twexport_qt.followers.view_planner import QueryRequest, QueryResult, new_generation
from twexport_qt.services.followers_queries import FollowersQueryRunner
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

OWNER = 11
N = 400
WAIT_S = 10.0
# Counts for ever: only an interrupt ends it. `running()` tells the test the statement is under way (an interrupt
# that comes before a statement starts does not stop it).
ENDLESS_SQL = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c WHERE running()"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "followers.sqlite3"
    rng = random.Random(2)
    conn = open_database(path)
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [
            FollowerRecord(user_id=100 + i, username=f"user{i:03d}", name=f"N {i}", description=rng.choice(["a", "b"]),
                           followers_count=rng.randrange(1_000))
            for i in range(N)
        ], seen_at=1)
    conn.close()
    return path


class Results:
    """A thread-safe inbox for delivered results."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self.items: list[QueryResult] = []

    def __call__(self, result: QueryResult) -> None:
        with self._arrived:
            self.items.append(result)
            self._arrived.notify_all()

    def wait_for(self, count: int) -> list[QueryResult]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.items) >= count, WAIT_S), f"got {len(self.items)}"
            return list(self.items)


class Connections:
    """Opens connections to the test database, counting opens and closes."""

    def __init__(self, path: Path, before_open: Callable[[], None] | None = None) -> None:
        self.path = path
        self.before_open = before_open
        self.opened = 0
        self.closed = 0

    def connect(self) -> sqlite3.Connection:
        if self.before_open is not None:
            self.before_open()
        self.opened += 1
        return open_database(self.path)

    def disconnect(self, conn: sqlite3.Connection) -> None:
        self.closed += 1
        conn.close()


def request(**fields: object) -> QueryRequest:
    return QueryRequest(**{"generation": new_generation(), "owner_id": OWNER, "tiers": DEFAULT_TIERS, **fields})


def wait_idle(runner: FollowersQueryRunner) -> None:
    deadline = time.monotonic() + WAIT_S
    while runner.is_running:
        assert time.monotonic() < deadline, "the query thread did not end"
        time.sleep(0.005)


@pytest.fixture
def endless_search(monkeypatch):
    """`search_mask('endless')` runs SQL that only an interrupt stops; `started` is set once it runs."""
    started = threading.Event()
    real_search_mask = FollowerSnapshot.search_mask

    def search_mask(snapshot: FollowerSnapshot, text: str, conn: sqlite3.Connection, *,
                    first_position: int = 0) -> np.ndarray:
        if text == "endless":
            conn.create_function("running", 0, lambda: started.set() or 1)
            conn.execute(ENDLESS_SQL).fetchone()
        return real_search_mask(snapshot, text, conn, first_position=first_position)

    monkeypatch.setattr(FollowerSnapshot, "search_mask", search_mask)
    return started


def test_only_the_newest_waiting_request_is_computed(database):
    gate = threading.Event()
    connections = Connections(database, before_open=lambda: gate.wait(WAIT_S))  # the thread is "busy" meanwhile
    results = Results()
    runner = FollowersQueryRunner(connections.connect, results, disconnect=connections.disconnect)
    try:
        submitted = [runner.submit(request(search=text, sort_key="username")) for text in ("a", "ab", "abc")]
        gate.set()
        wait_idle(runner)
    finally:
        runner.shutdown()
    assert [r.request.search for r in results.items] == ["abc"]
    result = results.items[0]
    assert result.request.request_id == submitted[-1].request_id > submitted[0].request_id
    assert result.error is None and len(result.snapshot) == N
    assert set(result.search_masks) == {"abc"} and set(result.orders) == {"username"}


def test_failures_come_back_as_sentences(database):
    results = Results()
    runner = FollowersQueryRunner(lambda: open_database(database), results)
    runner.submit(request(sort_key="favourite_colour"))
    try:
        [result] = results.wait_for(1)
    finally:
        runner.shutdown()
    assert "Cannot sort followers by 'favourite_colour'" in result.error and "log file" in result.error


def test_a_database_that_cannot_be_opened_is_told_not_waited_for(tmp_path):
    def connect() -> sqlite3.Connection:
        raise OSError("no such folder")

    results = Results()
    runner = FollowersQueryRunner(connect, results)
    runner.submit(request(sort_key="username"))
    [result] = results.wait_for(1)
    wait_idle(runner)
    assert result.error == "The followers database could not be opened."


def test_a_superseded_query_is_interrupted(database, endless_search):
    results = Results()
    runner = FollowersQueryRunner(lambda: open_database(database), results)
    try:
        generation = new_generation()
        runner.submit(request(generation=generation, search="endless"))
        assert endless_search.wait(WAIT_S)
        runner.submit(request(generation=generation, search="user01"))  # nobody wants "endless" any more
        first, second = results.wait_for(2)
    finally:
        runner.shutdown()
    assert first.interrupted and first.error is None and first.search_masks == {}
    assert second.request.search == "user01" and int(second.search_masks["user01"].sum()) == 10


def test_a_request_still_needing_the_running_piece_does_not_interrupt_it(database, endless_search):
    results = Results()
    runner = FollowersQueryRunner(lambda: open_database(database), results)
    generation = new_generation()
    runner.submit(request(generation=generation, search="endless"))
    assert endless_search.wait(WAIT_S)
    runner.submit(request(generation=generation, search="endless", sort_key="name"))  # still wants it
    time.sleep(0.2)
    assert results.items == []  # still counting
    runner.shutdown()  # interrupts whatever runs
    assert results.wait_for(1)[0].interrupted and not runner.is_running


def test_a_loaded_snapshot_is_reused_for_its_generation(database, monkeypatch):
    loads: list[int] = []
    real_load = FollowerSnapshot.load.__func__

    def counting_load(cls: type[FollowerSnapshot], *args: object, **kwargs: object) -> FollowerSnapshot:
        loads.append(1)
        return real_load(cls, *args, **kwargs)

    monkeypatch.setattr(FollowerSnapshot, "load", classmethod(counting_load))
    results = Results()
    runner = FollowersQueryRunner(lambda: open_database(database), results)
    try:
        generation = new_generation()
        runner.submit(request(generation=generation, sort_key="followers_count"))
        first = results.wait_for(1)[0]
        runner.submit(request(generation=generation, search="user1"))  # the view lost the first answer
        second = results.wait_for(2)[1]
        runner.submit(request(search="user1"))  # newer data: loaded again
        third = results.wait_for(3)[2]
    finally:
        runner.shutdown()
    assert second.snapshot is first.snapshot and third.snapshot is not first.snapshot
    assert len(loads) == 2


def test_the_text_index_is_prepared_after_a_load(database, monkeypatch):
    prepared: list[FollowerSnapshot] = []
    monkeypatch.setattr(FollowerSnapshot, "prepare_text", lambda snapshot, conn: prepared.append(snapshot))
    results = Results()
    runner = FollowersQueryRunner(lambda: open_database(database), results)
    runner.submit(request(sort_key="followers_count"))  # numeric only: the answer does not wait for the index
    result = results.wait_for(1)[0]
    wait_idle(runner)
    runner.shutdown()
    assert prepared == [result.snapshot]


def test_the_thread_and_its_connection_end_when_idle(database):
    connections = Connections(database)
    results = Results()
    runner = FollowersQueryRunner(connections.connect, results, disconnect=connections.disconnect)
    runner.submit(request(sort_key="username"))
    results.wait_for(1)
    wait_idle(runner)
    assert (connections.opened, connections.closed) == (1, 1)
    runner.submit(request(sort_key="username"))  # a new burst: a new thread, a new connection
    results.wait_for(2)
    wait_idle(runner)
    runner.shutdown()
    assert (connections.opened, connections.closed) == (2, 2)


def test_a_delivery_that_fails_does_not_stop_the_thread(database):
    delivered: list[QueryResult] = []

    def deliver(result: QueryResult) -> None:
        delivered.append(result)
        if len(delivered) == 1:
            raise RuntimeError("Internal C++ object already deleted")  # the receiving view is gone

    runner = FollowersQueryRunner(lambda: open_database(database), deliver)
    generation = new_generation()
    runner.submit(request(generation=generation, sort_key="username"))
    wait_idle(runner)
    runner.submit(request(generation=generation, sort_key="name"))
    wait_idle(runner)
    runner.shutdown()
    assert [r.request.sort_key for r in delivered] == ["username", "name"]


def test_after_shutdown_nothing_runs(database):
    results = Results()
    runner = FollowersQueryRunner(lambda: open_database(database), results)
    runner.shutdown()
    runner.shutdown()  # twice is fine
    runner.submit(request(sort_key="username"))
    time.sleep(0.05)
    assert not runner.is_running and results.items == []
