"""The text index answers search and text sorts exactly as SQLite's LIKE and COLLATE NOCASE do, on hostile text."""

from __future__ import annotations

import random
import sqlite3
import threading
from contextlib import closing

import numpy as np
import pytest

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.rowid_ranges import MAX_GAP
from twexport_qt.followers.snapshot import TEXT_SORT_KEYS, FollowerSnapshot
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

OWNER, OTHER = 7, 8
EVERYONE = FollowerFilter(include_unfollowed=True)
# Characters around NOCASE's traps: punctuation between 'Z' and 'a' ('[', '_', '`') sorts before letters only
# once letters are lowered; non-ASCII letters keep their case; multi-byte characters; LIKE's own wildcards.
ALPHABET = [*"aAbBzZ_[`{~ 09%\\", "é", "É", "ß", "😀", "Ā", "\x7f"]
# Shared long prefixes make the radix sort compare word after word (8 bytes each) before values differ.
PREFIXES = ["", "", "user", "USER", "useruseruser", "The quick brown fox jumps", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]


def hostile_text(rng: random.Random) -> str:
    tail = "".join(rng.choice(ALPHABET) for _ in range(rng.choice([0, 1, 2, 5, 9, 17])))
    return rng.choice(PREFIXES) + tail


def hostile_audience(n: int, seed: int) -> list[FollowerRecord]:
    rng = random.Random(seed)
    return [
        FollowerRecord(
            user_id=1_000 + i, username=hostile_text(rng), name=hostile_text(rng),
            description=hostile_text(rng),
            location=rng.choice(["", "London", "LONDON", "São Paulo", hostile_text(rng)]),
        )
        for i in range(n)
    ]


def fill(conn, people: list[FollowerRecord], others: list[FollowerRecord]) -> None:
    with conn:
        # Interleaved owners: the index reads rowid ranges and must skip the other account's rows.
        for start in range(0, len(people), 50):
            followers_repo.upsert_followers(conn, OWNER, people[start:start + 50], seen_at=start)
            followers_repo.upsert_followers(conn, OTHER, others[start // 5:start // 5 + 10], seen_at=1)


@pytest.fixture(scope="module")
def conn():
    connection = open_database(":memory:")
    fill(connection, hostile_audience(1_200, seed=1), hostile_audience(300, seed=2))
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def snapshot(conn) -> FollowerSnapshot:
    loaded = FollowerSnapshot.load(conn, OWNER)
    loaded.prepare_text(conn)
    return loaded


def searched_rowids(conn, text: str) -> list[int]:
    return sorted(followers_repo.ids_sorted(conn, OWNER, EVERYONE, "user_id", search_text=text).tolist())


def needles(conn, count: int, seed: int) -> list[str]:
    """Pieces of stored values (1 character up to whole values), in their case or another."""
    rng = random.Random(seed)
    values = [value for row in conn.execute(
        "SELECT username, name, description, location FROM followers WHERE owner_id = ?", (OWNER,)
    ) for value in row if value]
    found = []
    for _ in range(count):
        value = rng.choice(values)
        start = rng.randrange(len(value))
        piece = value[start:start + rng.choice([1, 1, 2, 3, 8, 30])]
        found.append(rng.choice([piece, piece.upper(), piece.lower(), piece.swapcase()]))
    return found


@pytest.mark.parametrize("seed", range(4))
def test_search_equals_sql_like_for_pieces_of_stored_text(conn, snapshot, seed):
    for needle in needles(conn, 40, seed):
        mask = snapshot.search_mask(needle, conn)
        assert sorted(snapshot.rowid[mask].tolist()) == searched_rowids(conn, needle), repr(needle)


@pytest.mark.parametrize("needle", [
    "a", "Z", "_", "%", "\\", "`", "é", "É", "ß", "SS", "😀", "Ā", "ā", "london", "são", "SÃO", "  useR ",
    "fox JUMPS", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "no such text anywhere",
])
def test_search_equals_sql_like_for_wildcards_case_and_unicode(conn, snapshot, needle):
    mask = snapshot.search_mask(needle, conn)
    assert sorted(snapshot.rowid[mask].tolist()) == searched_rowids(conn, needle)


def test_search_reads_location_too(conn, snapshot):
    only_in_location = [row[0] for row in conn.execute(
        "SELECT rowid FROM followers WHERE owner_id = ? AND location LIKE '%paulo%' AND username || name || "
        "description NOT LIKE '%paulo%'", (OWNER,))]
    assert only_in_location
    found = set(snapshot.rowid[snapshot.search_mask("PAULO", conn)].tolist())
    assert set(only_in_location) <= found


@pytest.mark.parametrize("key", list(TEXT_SORT_KEYS))
@pytest.mark.parametrize("descending", [False, True])
def test_text_sorts_equal_sql_order_by(conn, snapshot, key, descending):
    order = snapshot.order(key, descending, conn)
    expected = followers_repo.ids_sorted(conn, OWNER, EVERYONE, key, descending)
    assert snapshot.rowid[order].tolist() == expected.tolist()


@pytest.mark.parametrize("location", ["lond", "LONDON", "%", "é", "aaaaaaaaa", "zz"])
def test_location_criterion_equals_sql(conn, snapshot, location):
    follower_filter = FollowerFilter(location_contains=location, include_unfollowed=True, dm_status="not_messaged")
    where, params = follower_filter.to_sql(OWNER)
    expected = {row[0] for row in conn.execute(f"SELECT followers.rowid FROM followers WHERE {where}", params)}
    assert set(snapshot.rowid[snapshot.mask(follower_filter, conn)].tolist()) == expected


def test_text_sorts_need_no_connection_once_prepared(conn, snapshot):
    assert snapshot.text_index_bytes() > 0
    assert snapshot.ascending_order("username").tolist() == snapshot.ascending_order("username", conn).tolist()
    fresh = FollowerSnapshot.load(conn, OWNER)
    assert fresh.text_index_bytes() == 0
    with pytest.raises(ValueError, match="connection"):
        fresh.ascending_order("name")


def test_an_account_split_by_another_accounts_rows_is_read_in_several_ranges():
    with closing(open_database(":memory:")) as split_conn:
        people, others = hostile_audience(300, seed=3), hostile_audience(2 * MAX_GAP + 10, seed=4)
        with split_conn:  # the owner's rows in three runs with more than MAX_GAP of another account's between
            for block in range(3):
                followers_repo.upsert_followers(split_conn, OWNER, people[block * 100:(block + 1) * 100], 1)
                followers_repo.upsert_followers(split_conn, OTHER, others[block * MAX_GAP:(block + 1) * MAX_GAP], 1)
        loaded = FollowerSnapshot.load(split_conn, OWNER)
        owners_rowids = split_conn.execute("SELECT rowid FROM followers WHERE owner_id = ? ORDER BY rowid", (OWNER,))
        assert loaded.rowid.tolist() == [row[0] for row in owners_rowids]
        builds: list[str] = []
        split_conn.set_trace_callback(lambda sql: builds.append(sql) if "group_concat" in sql else None)
        for needle in ("a", "user", "É"):
            mask = loaded.search_mask(needle, split_conn)
            assert sorted(loaded.rowid[mask].tolist()) == sorted(
                followers_repo.ids_sorted(split_conn, OWNER, EVERYONE, "user_id", search_text=needle).tolist())
        assert len(builds) == 3
        for key in TEXT_SORT_KEYS:
            expected = followers_repo.ids_sorted(split_conn, OWNER, EVERYONE, key, False)
            assert loaded.rowid[loaded.ascending_order(key, split_conn)].tolist() == expected.tolist()


def test_rows_written_after_the_load_are_left_out(conn, snapshot):
    people = hostile_audience(60, seed=5)
    with closing(open_database(":memory:")) as other_conn:
        fill(other_conn, people, hostile_audience(20, seed=6))
        loaded = FollowerSnapshot.load(other_conn, OWNER)
        gone_rowid = int(loaded.rowid[10])
        # One follower deleted, and a new one written into the rowid range (in place of the other account's
        # row) between the load and the index build.
        other_rowid = other_conn.execute(
            "SELECT rowid FROM followers WHERE owner_id = ? LIMIT 1", (OTHER,)
        ).fetchone()[0]
        with other_conn:
            other_conn.execute("DELETE FROM followers WHERE rowid IN (?, ?)", (gone_rowid, other_rowid))
            other_conn.execute(
                "INSERT INTO followers (rowid, owner_id, user_id, username, first_seen, last_seen) "
                "VALUES (?, ?, 99, 'late arrival', 0, 0)", (other_rowid, OWNER))
        assert not loaded.search_mask("late arrival", other_conn).any()
        everyone_else = loaded.search_mask("", other_conn)
        assert everyone_else.sum() == len(loaded) - 1 and not everyone_else[10]
        for key in TEXT_SORT_KEYS:
            order = loaded.ascending_order(key, other_conn)
            expected = followers_repo.ids_sorted(other_conn, OWNER, EVERYONE, key, False)
            expected = expected[expected != other_rowid]
            # The deleted follower keeps a place, last, so the order stays a permutation of the snapshot.
            assert loaded.rowid[order].tolist() == [*expected.tolist(), gone_rowid]


def test_a_nul_character_is_left_to_sql(conn, snapshot):
    # SQLite reads a pattern only up to a NUL ('%a'): numpy would not, so SQL answers such a needle.
    needle_mask = snapshot.search_mask("a\x00b", conn)
    assert needle_mask.sum() > 0 and sorted(snapshot.rowid[needle_mask].tolist()) == searched_rowids(conn, "a\x00b")
    with closing(open_database(":memory:")) as nul_conn:
        people = hostile_audience(40, seed=7)
        people[3].name = "in\x00side"
        fill(nul_conn, people, [])
        loaded = FollowerSnapshot.load(nul_conn, OWNER)
        loaded.prepare_text(nul_conn)
        assert loaded.text_index_bytes() == 0  # not built: SQLite's functions stop at a NUL, numpy would not
        for needle in ("side", "in", "a"):
            mask = loaded.search_mask(needle, nul_conn)
            assert sorted(loaded.rowid[mask].tolist()) == sorted(
                followers_repo.ids_sorted(nul_conn, OWNER, EVERYONE, "user_id", search_text=needle).tolist())
        order = loaded.ascending_order("name", nul_conn)
        expected = followers_repo.ids_sorted(nul_conn, OWNER, EVERYONE, "name", False)
        assert loaded.rowid[order].tolist() == expected.tolist()


def test_a_utf16_database_is_searched_and_sorted_by_sql(tmp_path):
    path = tmp_path / "utf16.sqlite3"
    with closing(sqlite3.connect(path)) as raw:  # the encoding is fixed when the first table is created
        raw.execute("PRAGMA encoding = 'UTF-16le'")
        raw.execute("CREATE TABLE placeholder (x)")
    with closing(open_database(path)) as utf16:
        fill(utf16, hostile_audience(40, seed=9), [])
        loaded = FollowerSnapshot.load(utf16, OWNER)
        loaded.prepare_text(utf16)
        assert loaded.text_index_bytes() == 0
        mask = loaded.search_mask("É", utf16)
        assert sorted(loaded.rowid[mask].tolist()) == sorted(
            followers_repo.ids_sorted(utf16, OWNER, EVERYONE, "user_id", search_text="É").tolist())
        expected = followers_repo.ids_sorted(utf16, OWNER, EVERYONE, "username", False)
        assert loaded.rowid[loaded.ascending_order("username", utf16)].tolist() == expected.tolist()


def test_prepare_text_from_two_threads_builds_once(tmp_path):
    path = tmp_path / "followers.sqlite3"
    with closing(open_database(path)) as setup:
        fill(setup, hostile_audience(200, seed=8), [])
        loaded = FollowerSnapshot.load(setup, OWNER)
    builds: list[str] = []
    counts: list[int] = []
    together = threading.Barrier(2)

    def prepare_and_search() -> None:  # each thread with its own connection, as the app's threads have
        with closing(open_database(path)) as connection:
            connection.set_trace_callback(lambda sql: builds.append(sql) if "group_concat" in sql else None)
            together.wait()
            loaded.prepare_text(connection)
            counts.append(int(loaded.search_mask("user", connection).sum()))

    threads = [threading.Thread(target=prepare_and_search) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    with closing(open_database(path)) as check:
        assert counts == [followers_repo.count(check, OWNER, EVERYONE, search_text="user")] * 2


def test_empty_account(conn):
    empty = FollowerSnapshot.load(conn, 12345)
    empty.prepare_text(conn)
    assert empty.search_mask("a", conn).shape == (0,)
    assert all(empty.ascending_order(key).shape == (0,) for key in TEXT_SORT_KEYS)
    assert np.array_equal(empty.search_mask("", conn), np.zeros(0, dtype=bool))


def test_an_index_appended_page_by_page_sorts_and_searches_as_sql(tmp_path):
    """A fetch's pages of hostile text, appended to a prepared index: the merged orders are SQL's ORDER BY."""
    people, others = hostile_audience(1_000, seed=7), hostile_audience(100, seed=8)
    with closing(open_database(tmp_path / "pages.sqlite3")) as page_conn:
        with page_conn:
            followers_repo.upsert_followers(page_conn, OWNER, people[:200], seen_at=1)
        snapshot = FollowerSnapshot.load(page_conn, OWNER)
        snapshot.prepare_text(page_conn)
        for start in range(200, 1_000, 160):
            with page_conn:
                followers_repo.upsert_followers(page_conn, OTHER, others[start // 10:start // 10 + 5], seen_at=1)
                followers_repo.upsert_followers(page_conn, OWNER, people[start:start + 160], seen_at=start)
            snapshot = snapshot.appended(page_conn)
        assert len(snapshot) == 1_000 and snapshot.text_index_bytes() > 0
        for key in TEXT_SORT_KEYS:
            expected = followers_repo.ids_sorted(page_conn, OWNER, EVERYONE, key, False)
            assert snapshot.rowid[snapshot.ascending_order(key)].tolist() == expected.tolist(), key
        for needle in needles(page_conn, 30, seed=5):
            expected = sorted(followers_repo.ids_sorted(page_conn, OWNER, EVERYONE, "user_id",
                                                        search_text=needle).tolist())
            assert sorted(snapshot.rowid[snapshot.search_mask(needle, page_conn)].tolist()) == expected
            tail = snapshot.search_mask(needle, page_conn, first_position=600)
            assert tail.tolist() == snapshot.search_mask(needle, page_conn)[600:].tolist()
