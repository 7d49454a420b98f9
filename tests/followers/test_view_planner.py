"""FollowersViewPlanner without Qt: views equal to SQL, which pieces a state still needs, inline versus background
work, stale and failing results, and the caches that make a second look at a state free."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace

import numpy as np
import pytest

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.view_planner import (
    FollowersViewPlanner,
    Lru,
    PieceKind,
    PieceWork,
    PlanOutcome,
    QueryRequest,
    QueryResult,
    compute_pieces,
)
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

OWNER = 4
N = 600
WORDS = ("python", "founder", "coffee", "rust")


def audience(n: int, seed: int = 3) -> list[FollowerRecord]:
    rng = random.Random(seed)
    return [
        FollowerRecord(
            user_id=2_000 + i, username=f"user{i:04d}", name=rng.choice(["Ann", "bob", "Cy"]) + f" {i}",
            description=" ".join(rng.sample(WORDS, rng.randrange(0, 3))), location=rng.choice(["", "Oslo", "Lima"]),
            followers_count=rng.randrange(5_000), following_count=rng.randrange(2_000), verified=rng.random() < 0.2,
        )
        for i in range(n)
    ]


@pytest.fixture
def conn():
    connection = open_database(":memory:")
    with connection:
        followers_repo.upsert_followers(connection, OWNER, audience(N), seen_at=1_700_000_000)
    yield connection
    connection.close()


class Recorder:
    """A `PieceWork` on one connection that remembers what it was asked, inline or submitted."""

    def __init__(self, conn: sqlite3.Connection, *, background: bool = False, size: int | None = None) -> None:
        self.conn = conn
        self.computed: list[QueryRequest] = []
        self.submitted: list[QueryRequest] = []
        self.size = size
        self.work = PieceWork(compute=self.compute, count_up_to=self.count_up_to,
                              submit=self.submit if background else None)

    def compute(self, request: QueryRequest) -> QueryResult:
        self.computed.append(request)
        return compute_pieces(request, self.conn)

    def count_up_to(self, owner_id: int, limit: int) -> int:
        return min(self.size if self.size is not None else N, limit)

    def submit(self, request: QueryRequest) -> QueryRequest:
        request = replace(request, request_id=len(self.submitted) + 1)
        self.submitted.append(request)
        return request

    def answer_last(self) -> QueryResult:
        """What the query thread would deliver for the newest submitted request."""
        return compute_pieces(self.submitted[-1], self.conn)


def shown_ids(planner: FollowersViewPlanner) -> list[int]:
    assert planner.view is not None
    return [planner.follower_id_at(row) for row in range(len(planner.view))]


def sql_ids(conn: sqlite3.Connection, follower_filter: FollowerFilter, key: str, descending: bool,
            search: str = "") -> list[int]:
    rowids = followers_repo.ids_sorted(conn, OWNER, follower_filter, key, descending, search_text=search)
    return [row[1] for row in followers_repo.rows_by_rowid(conn, rowids)]


def test_inline_views_equal_sql_for_filters_searches_and_sorts(conn):
    planner = FollowersViewPlanner(OWNER)
    work = Recorder(conn).work
    cases = [
        (FollowerFilter(), "", "followers_count", True),
        (FollowerFilter(min_followers=1_000, verified_only=True), "", "tweet_count", False),
        (FollowerFilter(description_words="python rust", description_mode="any"), "", "username", False),
        (FollowerFilter(location_contains="os"), "USER01", "name", True),
    ]
    for follower_filter, search, key, descending in cases:
        planner.set_filter(follower_filter)
        planner.set_search_text(search)
        planner.set_sort(key, descending)
        outcome = planner.update(work)
        assert outcome.error is None and outcome.view is planner.view
        assert shown_ids(planner) == sql_ids(conn, follower_filter, key, descending, search.strip())
        assert planner.view.matching_count == followers_repo.count(conn, OWNER, follower_filter)


def test_pieces_are_computed_once_per_value(conn):
    recorder = Recorder(conn)
    planner = FollowersViewPlanner(OWNER)
    planner.update(recorder.work)
    assert len(recorder.computed) == 1 and recorder.computed[0].snapshot is None  # the load (with the sort)

    words = FollowerFilter(description_words="coffee")
    planner.set_filter(words)
    assert {p.kind for p in planner.missing().pieces()} == {PieceKind.CRITERIA}
    planner.update(recorder.work)
    planner.set_filter(FollowerFilter(description_words="coffee", min_followers=100))
    assert planner.missing() is None  # the SQL part is cached: array work only
    planner.set_filter(words)
    planner.set_sort("followers_count", False)  # the reverse of a cached order
    assert planner.missing() is None
    planner.update(recorder.work)
    assert len(recorder.computed) == 2


def test_a_sort_or_search_change_keeps_the_same_filter_mask(conn):
    planner = FollowersViewPlanner(OWNER, follower_filter=FollowerFilter(min_followers=500))
    work = Recorder(conn).work
    mask = planner.update(work).view.filter_mask
    assert not mask.flags.writeable
    planner.set_sort("username", False)
    planner.set_search_text("user00")
    view = planner.update(work).view
    assert view.filter_mask is mask  # the plots skip their work by identity
    assert not view.snapshot_is_new
    planner.set_filter(FollowerFilter(min_followers=501))
    assert planner.update(work).view.filter_mask is not mask


def test_descending_is_the_exact_reverse_of_ascending(conn):
    planner = FollowersViewPlanner(OWNER)
    work = Recorder(conn).work
    planner.set_sort("following_count", False)
    planner.update(work)
    ascending = shown_ids(planner)
    planner.set_sort("following_count", True)
    planner.update(work)
    assert shown_ids(planner) == ascending[::-1]


def test_rows_and_followers_map_both_ways(conn):
    planner = FollowersViewPlanner(OWNER)
    planner.update(Recorder(conn).work)
    for row in (0, 17, N - 1):
        assert planner.row_of_follower(planner.follower_id_at(row)) == row
    assert planner.follower_id_at(N) is None and planner.row_of_follower(42) is None
    rowids = planner.rowids(0, 3)
    assert [r[1] for r in followers_repo.rows_by_rowid(conn, rowids)] == shown_ids(planner)[:3]
    planner.set_search_text("user0001")
    planner.update(Recorder(conn).work)
    assert planner.row_of_follower(2_002) is None  # stored, but hidden by the search


def test_large_accounts_go_to_the_background_and_the_answer_completes_the_view(conn):
    recorder = Recorder(conn, background=True, size=N)
    planner = FollowersViewPlanner(OWNER, inline_row_limit=N - 1)  # this account is "large"
    outcome = planner.update(recorder.work)
    assert outcome.view is None and planner.is_busy and recorder.computed == []
    assert recorder.submitted[0].snapshot is None  # load first, in the thread

    acceptance = planner.accept(recorder.answer_last())
    assert acceptance.relevant and acceptance.error is None and not planner.is_busy
    view = planner.update(recorder.work).view
    assert view is not None and view.snapshot_is_new and len(view) == N

    planner.set_search_text("user01")
    assert planner.update(recorder.work).view is None and planner.is_busy  # the old rows stay meanwhile
    assert recorder.submitted[-1].search == "user01" and recorder.submitted[-1].snapshot is view.snapshot
    planner.update(recorder.work)
    assert len(recorder.submitted) == 2  # the same missing work is not submitted twice
    planner.accept(recorder.answer_last())
    assert shown_ids(planner) != [] and planner.update(recorder.work).view is not None
    assert shown_ids(planner) == sql_ids(conn, FollowerFilter(), "followers_count", True, "user01")


def test_small_accounts_stay_inline_even_with_a_background_runner(conn):
    recorder = Recorder(conn, background=True, size=N)
    planner = FollowersViewPlanner(OWNER, inline_row_limit=N)
    assert planner.update(recorder.work).view is not None
    assert recorder.submitted == [] and len(recorder.computed) == 1


def test_answers_for_older_data_are_ignored(conn):
    recorder = Recorder(conn, background=True)
    planner = FollowersViewPlanner(OWNER, inline_row_limit=0)
    planner.update(recorder.work)
    old_answer = recorder.answer_last()
    planner.refresh()  # a job wrote followers: a new generation is wanted
    planner.update(recorder.work)
    assert not planner.accept(old_answer).relevant
    assert planner.view is None and planner.is_busy
    assert planner.accept(recorder.answer_last()).relevant
    assert planner.update(recorder.work).view is not None


def test_a_failing_request_is_reported_once_and_not_retried_by_itself(conn):
    recorder = Recorder(conn)
    planner = FollowersViewPlanner(OWNER)
    planner.update(recorder.work)
    planner.set_sort("favourite_colour", False)
    outcome = planner.update(recorder.work)
    assert outcome.view is None and "Cannot sort followers by 'favourite_colour'" in outcome.error
    assert planner.update(recorder.work) == PlanOutcome()  # nothing new: no second attempt
    assert len(recorder.computed) == 2
    planner.set_sort("name", False)
    assert planner.update(recorder.work).view is not None  # a state change tries again


def test_a_failed_background_answer_is_told_and_the_rows_stay(conn):
    recorder = Recorder(conn, background=True)
    planner = FollowersViewPlanner(OWNER, inline_row_limit=0)
    planner.update(recorder.work)
    planner.accept(recorder.answer_last())
    assert planner.update(recorder.work).view is not None
    rows = shown_ids(planner)
    planner.set_sort("favourite_colour", True)
    planner.update(recorder.work)
    acceptance = planner.accept(recorder.answer_last())
    assert acceptance.relevant and "favourite_colour" in acceptance.error and not planner.is_busy
    assert planner.update(recorder.work).view is None
    assert shown_ids(planner) == rows


def test_compute_pieces_reports_an_interrupt_without_a_sentence(conn, monkeypatch):
    from twexport_qt.followers.snapshot import FollowerSnapshot

    def interrupted(*_args: object, **_kwargs: object) -> np.ndarray:
        raise sqlite3.OperationalError("interrupted")

    monkeypatch.setattr(FollowerSnapshot, "search_mask", interrupted)
    planner = FollowersViewPlanner(OWNER)
    planner.set_search_text("x")
    result = compute_pieces(planner.missing(), conn)
    assert result.interrupted and result.error is None and result.snapshot is not None


def test_lru_keeps_the_most_recently_used():
    cache: Lru[str, int] = Lru(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)  # evicts b, the least recently used
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)


# -- a fetch appending followers ---------------------------------------------------------------------------


def store_page(conn: sqlite3.Connection, start: int, count: int) -> None:
    """What a fetch's page does: new followers (an upsert), committed."""
    records = [replace(record, user_id=start + i) for i, record in enumerate(audience(count, seed=start))]
    with conn:
        followers_repo.upsert_followers(conn, OWNER, records, seen_at=1_800_000_000)


def test_appended_views_equal_sql_for_filters_searches_and_sorts(conn):
    planner = FollowersViewPlanner(OWNER)
    recorder = Recorder(conn)
    cases = [
        (FollowerFilter(), "", "followers_count", True),
        (FollowerFilter(description_words="python rust", min_followers=100), "", "username", False),
        (FollowerFilter(location_contains="os"), "USER01", "name", True),
        (FollowerFilter(verified_only=True), "user", "last_seen", False),
    ]
    for number, (follower_filter, search, key, descending) in enumerate(cases):
        planner.set_filter(follower_filter)
        planner.set_search_text(search)
        planner.set_sort(key, descending)
        before = planner.update(recorder.work).view
        store_page(conn, 100_000 * (number + 1), 150)
        planner.append_new_followers()
        recorder.computed.clear()
        view = planner.update(recorder.work).view
        assert [request.base is not None for request in recorder.computed] == [True]  # no reload
        assert view.snapshot.continues(before.snapshot) and len(view.snapshot) == len(before.snapshot) + 150
        assert shown_ids(planner) == sql_ids(conn, follower_filter, key, descending, search.strip())
        assert view.matching_count == followers_repo.count(conn, OWNER, follower_filter)


def test_pages_arriving_while_one_is_appended_coalesce_into_the_next(conn):
    recorder = Recorder(conn, background=True)
    planner = FollowersViewPlanner(OWNER, inline_row_limit=0)
    planner.update(recorder.work)
    planner.accept(recorder.answer_last())
    first = planner.update(recorder.work).view
    store_page(conn, 100_000, 50)
    planner.append_new_followers()
    planner.update(recorder.work)
    assert len(recorder.submitted) == 2 and recorder.submitted[-1].base.snapshot is first.snapshot
    in_flight = recorder.answer_last()  # computed now: it holds the first page only
    for start in (200_000, 300_000, 400_000):  # three more pages while it is on its way
        store_page(conn, start, 50)
        planner.append_new_followers()
        planner.update(recorder.work)
    assert len(recorder.submitted) == 2  # one append at a time: the others wait
    planner.accept(in_flight)
    view = planner.update(recorder.work).view
    assert len(view.snapshot) == N + 50  # shown at once...
    assert len(recorder.submitted) == 3 and recorder.submitted[-1].base.snapshot is view.snapshot  # ...then the rest
    planner.accept(recorder.answer_last())
    latest = planner.update(recorder.work).view.snapshot
    assert len(latest) == N + 200
    assert shown_ids(planner) == sql_ids(conn, FollowerFilter(), "followers_count", True)
    planner.append_new_followers()  # nothing stored since: the same snapshot comes back, and stays
    planner.update(recorder.work)
    planner.accept(recorder.answer_last())
    assert planner.update(recorder.work).view.snapshot is latest and not planner.is_busy


def test_a_refresh_replaces_an_append_on_its_way(conn):
    recorder = Recorder(conn, background=True)
    planner = FollowersViewPlanner(OWNER, inline_row_limit=0)
    planner.update(recorder.work)
    planner.accept(recorder.answer_last())
    planner.update(recorder.work)
    store_page(conn, 100_000, 30)
    planner.append_new_followers()
    planner.update(recorder.work)
    stale_append = recorder.answer_last()
    planner.refresh()  # the fetch ended: a whole reload (it finds who left, too)
    planner.update(recorder.work)
    assert recorder.submitted[-1].base is None and recorder.submitted[-1].snapshot is None
    assert not planner.accept(stale_append).relevant
    planner.accept(recorder.answer_last())
    view = planner.update(recorder.work).view
    assert len(view.snapshot) == N + 30 and not view.snapshot.continues(recorder.submitted[1].base.snapshot)


def test_an_append_that_failed_is_tried_again_with_the_next_page(conn, monkeypatch):
    from twexport_qt.followers.snapshot import FollowerSnapshot

    planner = FollowersViewPlanner(OWNER)
    recorder = Recorder(conn)
    planner.update(recorder.work)
    real_appended = FollowerSnapshot.appended

    def broken(*_args: object) -> FollowerSnapshot:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(FollowerSnapshot, "appended", broken)
    store_page(conn, 100_000, 20)
    planner.append_new_followers()
    assert "disk I/O error" in planner.update(recorder.work).error
    monkeypatch.setattr(FollowerSnapshot, "appended", real_appended)
    store_page(conn, 200_000, 20)
    planner.append_new_followers()
    assert len(planner.update(recorder.work).view.snapshot) == N + 40


def test_a_view_only_adds_rows_to_another_with_the_same_state_and_every_old_row(conn):
    planner = FollowersViewPlanner(OWNER, follower_filter=FollowerFilter(min_followers=1_000))
    recorder = Recorder(conn)
    before = planner.update(recorder.work).view
    store_page(conn, 100_000, 40)
    planner.append_new_followers()
    after = planner.update(recorder.work).view
    step = before.with_rows_of(after)
    assert step is not None and step.snapshot is after.snapshot
    assert step.positions[:len(before)].tolist() == before.positions.tolist()  # old rows keep their rows...
    assert sorted(step.positions.tolist()) == sorted(after.positions.tolist())  # ...the new ones come after
    hidden = int(np.flatnonzero(~after.filter_mask)[0])
    swapped = after.positions.copy()
    swapped[np.flatnonzero(swapped == before.positions[0])] = hidden  # an old row replaced by another
    assert before.with_rows_of(replace(after, positions=swapped)) is None
    assert before.with_rows_of(replace(after, positions=after.positions[1:])) is None
    planner.set_sort("username", False)
    assert before.with_rows_of(planner.update(recorder.work).view) is None  # another sort: not an addition
    planner.set_sort("followers_count", True)
    planner.refresh()  # a reload starts another lineage
    assert before.with_rows_of(planner.update(recorder.work).view) is None
