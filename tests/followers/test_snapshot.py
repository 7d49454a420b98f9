"""FollowerSnapshot against the SQL it replaces: random audiences, random filters, every sort key."""

from __future__ import annotations

import random

import numpy as np
import pytest

from twexport_qt.followers.filters import FollowerFilter, InvalidFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.relationships import FOLLOWING_KIND, FollowingNotFetched
from twexport_qt.followers.snapshot import (
    TEXT_SORT_KEYS,
    UNKNOWN_DATE,
    FollowerSnapshot,
    count_up_to,
    snapshot_field_names,
    sql_criteria,
    tier_codes,
)
from twexport_qt.followers.stats import summary
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec, assign_tier
from twexport_qt.store import followers_repo, following_repo
from twexport_qt.store.database import open_database

OWNER, OTHER = 7, 8
# Overlapping tiers (first match wins) and an unbounded-below one, to exercise the CASE order.
TIERS = (
    TierSpec("Stars", min_followers=50_000),
    TierSpec("Connectors", min_following=2_000, max_following=4_000),
    TierSpec("Rising", min_followers=1_000, max_followers=49_999),
    TierSpec("Lurkers", max_followers=10, max_following=10),
    TierSpec("Everyone else"),
)
WORDS = ["python", "founder", "coffee", "café", "data", "NFT", "über", "rust", "zzz"]
NOW = 1_767_225_600  # where the activity criteria count back from, for SQL and numpy alike
DAY = 86_400
LOCATIONS = ["", "London", "london, UK", "LONDONDERRY", "Berlin", "50% off", "a_b", "São Paulo", "back\\slash"]


def audience(n: int, seed: int) -> list[FollowerRecord]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        bio_words = rng.sample(WORDS, rng.randrange(0, 4))
        bio = rng.choice([" ", ", ", " | ", "-"]).join(w.upper() if rng.random() < 0.2 else w for w in bio_words)
        records.append(FollowerRecord(
            user_id=10_000 + i * 37,
            username=f"{rng.choice(['ann', 'Bob', 'cy', 'Zed'])}_{i}",
            name=rng.choice(["Ann Lee", "bob", "Café Owner", "", "Zoë"]),
            description=bio + rng.choice(["", "!", " 🚀"]),
            location=rng.choice(LOCATIONS),
            created_at=None if rng.random() < 0.1 else rng.choice([1_300_000_000, rng.randrange(1_150_000_000, 2**31)]),
            verified=rng.random() < 0.2,
            protected=rng.random() < 0.1,
            # Ties on purpose (few distinct values) so rowid tie-breaking matters; one count beyond int32.
            followers_count=rng.choice([0, 5, 10, 999, 1_000, 49_999, 50_000, rng.randrange(200_000), 3_000_000_000]),
            following_count=rng.choice([0, 10, 11, 1_999, 2_000, 4_000, rng.randrange(10_000)]),
            tweet_count=rng.choice([0, 0, 1, rng.randrange(50)]),
            listed_count=rng.randrange(3),
            receives_your_dm=rng.choice([None, None, True, False]),
            # Unknown (never posted, or undated) or a time with ties on the day cutoffs the filters use.
            last_posted_at=rng.choice([None, NOW - rng.choice([0, 1, 7, 30, 90]) * DAY,
                                       NOW - rng.randrange(400 * DAY), NOW + 5]),
        ))
    return records


@pytest.fixture(scope="module")
def conn():
    connection = open_database(":memory:")
    rng = random.Random(99)
    people = audience(1_500, seed=3)
    with connection:
        # Two upsert rounds interleave rowids with another owner's rows; the second round re-follows some.
        followers_repo.upsert_followers(connection, OWNER, people[:900], seen_at=1_000)
        followers_repo.upsert_followers(connection, OTHER, audience(300, seed=4), seen_at=1_000)
        followers_repo.upsert_followers(connection, OWNER, people[900:], seen_at=2_000)
        followers_repo.mark_unfollowed(connection, OWNER, not_seen_since=1_500, at=2_000)
        followers_repo.upsert_followers(connection, OWNER, people[:300], seen_at=3_000)
        # Whom OWNER follows: some of its followers (current or gone) and accounts that never followed it.
        followed = rng.sample(people, 500) + audience(40, seed=6)
        following_repo.upsert_following(connection, OWNER, followed, 0, seen_at=3_000, fetch_run_id=1)
        connection.execute("INSERT INTO fetch_runs (owner_id, kind, state, started_at, finished_at) "
                           "VALUES (?, ?, 'done', 3000, 3000)", (OWNER, FOLLOWING_KIND))
        for person in rng.sample(people, 400):
            steps = ["first"] + (["retry"] if rng.random() < 0.3 else [])
            for step in steps:
                connection.execute(
                    "INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, 0, 0)",
                    (OWNER, person.user_id, step, rng.choice(["live", "live", "test"]),
                     rng.choice(["sent", "skipped", "failed", "sending"])),
                )
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def snapshot(conn) -> FollowerSnapshot:
    return FollowerSnapshot.load(conn, OWNER, TIERS, with_summary=True)


def random_filter(rng: random.Random) -> FollowerFilter:
    def maybe(value):
        return value if rng.random() < 0.3 else None

    while True:
        try:
            return FollowerFilter(
                created_before=maybe(rng.choice([1_300_000_000, rng.randrange(1_150_000_000, 1_760_000_000)])),
                created_after=maybe(rng.choice([1_300_000_000, rng.randrange(1_100_000_000, 1_700_000_000)])),
                min_followers=maybe(rng.choice([0, 10, 1_000, 50_000, 2**31, 2**40])),
                max_followers=maybe(rng.choice([-1, 10, 49_999, 2**31 - 1, 3_000_000_000])),
                min_following=maybe(rng.choice([0, 11, 2_000])),
                max_following=maybe(rng.choice([10, 4_000, 9_999])),
                min_tweets=maybe(rng.choice([0, 1, 25])),
                max_tweets=maybe(rng.choice([0, 1, 30])),
                min_listed=maybe(rng.choice([0, 1, 2])),
                max_listed=maybe(rng.choice([0, 1])),
                inactive_days=maybe(rng.choice([0, 1, 7, 30, 90])),
                posted_within_days=maybe(rng.choice([1, 7, 30, 90, 365])),
                verified_only=rng.random() < 0.2,
                description_words=" ".join(rng.sample(WORDS, rng.randrange(1, 3))) + "," if rng.random() < 0.3 else "",
                description_mode=rng.choice(["any", "all"]),
                location_contains=rng.choice([*LOCATIONS, "lond", "%", "_", "\\"]) if rng.random() < 0.3 else "",
                exclude_protected=rng.random() < 0.2,
                dm_able_only=rng.random() < 0.2,
                dm_status=rng.choice(["any", "any", "not_messaged", "messaged", "skipped"]),
                tiers=tuple(rng.sample([t.name for t in TIERS], rng.randrange(0, 3))) if rng.random() < 0.3 else (),
                include_unfollowed=rng.random() < 0.3,
                relationship=rng.choice(["any", "any", "mutuals", "fans"]),
            )
        except InvalidFilter:
            continue


def sql_rowids(conn, follower_filter: FollowerFilter) -> set[int]:
    where, params = follower_filter.to_sql(OWNER, TIERS, now=NOW)
    return {row[0] for row in conn.execute(f"SELECT followers.rowid FROM followers WHERE {where}", params)}


def rowids_of(snapshot: FollowerSnapshot, mask: np.ndarray) -> set[int]:
    return set(snapshot.rowid[mask].tolist())


def test_load_holds_every_follower_of_the_owner_in_rowid_order(conn, snapshot):
    sql = "SELECT rowid FROM followers WHERE owner_id = ? ORDER BY rowid"
    expected = [row[0] for row in conn.execute(sql, (OWNER,))]
    assert snapshot.rowid.tolist() == expected
    assert len(snapshot) == 1_500 and snapshot.unfollowed.sum() == 600  # people[300:900] were not seen again
    assert snapshot.followers.dtype == np.int64  # 3,000,000,000 does not fit int32: no compaction
    assert snapshot.tweets.dtype == np.int8 and snapshot.listed.dtype == np.int8
    assert (snapshot.created_at == UNKNOWN_DATE).any()
    assert snapshot.last_posted.dtype == np.int64 and (snapshot.last_posted == UNKNOWN_DATE).any()
    assert all(not getattr(snapshot, name).flags.writeable for name in snapshot_field_names())
    assert snapshot.summary == summary(conn, OWNER, TIERS)  # with_summary: what the SQL of followers.stats says


def test_a_value_that_is_not_an_integer_is_read_as_numpy_converts_it():
    connection = open_database(":memory:")
    with connection:
        followers_repo.upsert_followers(connection, OWNER, audience(50, seed=5), seen_at=1)
        connection.execute("UPDATE followers SET followers_count = 1234.75 WHERE rowid = 7")  # stays a REAL
    loaded = FollowerSnapshot.load(connection, OWNER)
    expected = [int(row[0]) for row in connection.execute(
        "SELECT followers_count FROM followers WHERE owner_id = ? ORDER BY rowid", (OWNER,))]
    assert loaded.followers.tolist() == expected and loaded.followers[6] == 1234
    connection.close()


@pytest.mark.parametrize("seed", range(6))
def test_mask_equals_sql_for_random_filters(conn, snapshot, seed):
    rng = random.Random(seed)
    for _ in range(30):
        follower_filter = random_filter(rng)
        mask = snapshot.mask(follower_filter, conn, now=NOW)
        assert rowids_of(snapshot, mask) == sql_rowids(conn, follower_filter), follower_filter
        assert mask.sum() == followers_repo.count(conn, OWNER, follower_filter, tiers=TIERS, now=NOW)


def test_relationships_split_the_followers_by_whom_the_owner_follows(conn, snapshot):
    followed = following_repo.followed_ids(conn, OWNER)
    current = snapshot.user_id[~snapshot.unfollowed]
    mutuals = snapshot.mask(FollowerFilter(relationship="mutuals"), conn)
    fans = snapshot.mask(FollowerFilter(relationship="fans"), conn)
    assert set(snapshot.user_id[mutuals].tolist()) == set(current.tolist()) & followed
    assert set(snapshot.user_id[fans].tolist()) == set(current.tolist()) - followed
    assert mutuals.sum() + fans.sum() == len(current) and mutuals.sum() > 0 and fans.sum() > 0
    totals = following_repo.totals(conn, OWNER)
    assert (totals.mutuals, totals.fans) == (mutuals.sum(), fans.sum())


def test_a_relationship_before_a_following_fetch_asks_for_one(conn):
    other = FollowerSnapshot.load(conn, OTHER, TIERS)
    with pytest.raises(FollowingNotFetched, match=r"Fetch who you follow first \(Following tab\)"):
        other.mask(FollowerFilter(relationship="fans"), conn)
    # SQL alone (a campaign's audience) never takes "nobody fetched" for "everyone is a fan".
    where, params = FollowerFilter(relationship="fans").to_sql(OTHER)
    assert conn.execute(f"SELECT count(*) FROM followers WHERE {where}", params).fetchone()[0] == 0


def test_numeric_only_filters_need_no_connection(snapshot):
    follower_filter = FollowerFilter(min_followers=1_000, verified_only=True, tiers=("Rising",))
    assert sql_criteria(follower_filter) is None
    assert snapshot.mask(follower_filter).sum() > 0
    with pytest.raises(ValueError, match="connection"):
        snapshot.mask(FollowerFilter(location_contains="london"))


def test_tier_codes_match_assign_tier_and_sql(conn, snapshot):
    rows = conn.execute(
        "SELECT followers_count, following_count FROM followers WHERE owner_id = ? ORDER BY rowid", (OWNER,)
    ).fetchall()
    python = [assign_tier(FollowerRecord(0, "", followers_count=a, following_count=b), TIERS) for a, b in rows]
    assert snapshot.tier.tolist() == python
    assert set(python) == set(range(len(TIERS)))  # every tier is exercised
    many = (*(TierSpec(f"t{i}", min_followers=i) for i in range(200, 0, -1)), TierSpec("rest"))
    assert tier_codes(np.array([0, 5, 500]), np.zeros(3, dtype=np.int64), many).tolist() == [200, 195, 0]


@pytest.mark.parametrize("text", [
    "ann", "CAFÉ", "café", "Python", "_1", "%", "zoë", "🚀", "nobody-has-this", "LOND", "são", "50%", "\\",
])
def test_search_mask_equals_repo_search(conn, snapshot, text):
    mask = snapshot.search_mask(text, conn)
    everyone = FollowerFilter(include_unfollowed=True)
    expected = followers_repo.ids_sorted(conn, OWNER, everyone, "user_id", search_text=text, tiers=TIERS)
    assert rowids_of(snapshot, mask) == set(expected.tolist())


@pytest.mark.parametrize("key", followers_repo.SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_order_equals_ids_sorted_under_a_filter(conn, snapshot, key, descending):
    follower_filter = FollowerFilter(min_followers=5, include_unfollowed=True, dm_status="not_messaged")
    order = snapshot.order(key, descending, conn)
    assert sorted(order.tolist()) == list(range(len(snapshot)))  # a permutation
    mask = snapshot.mask(follower_filter, conn)
    shown = snapshot.rowid[order[mask[order]]]
    expected = followers_repo.ids_sorted(conn, OWNER, follower_filter, key, descending, tiers=TIERS)
    assert shown.tolist() == expected.tolist()


def test_unknown_sort_key_is_refused(snapshot):
    with pytest.raises(ValueError, match="Cannot sort"):
        snapshot.ascending_order("favourite_colour")


def test_lookups(conn, snapshot):
    position = snapshot.position_of_user(10_000 + 5 * 37)
    assert position is not None
    assert followers_repo.rowid_of_follower(conn, OWNER, 10_000 + 5 * 37) == snapshot.rowid[position]
    assert snapshot.position_of_user(1) is None
    rowids = np.array([snapshot.rowid[3], 10**12, snapshot.rowid[0], -5])
    assert snapshot.positions_of_rowids(rowids).tolist() == [3, 0]


def test_empty_account_and_bounded_count(conn):
    empty = FollowerSnapshot.load(conn, 12345, DEFAULT_TIERS)
    assert len(empty) == 0 and empty.mask(FollowerFilter()).shape == (0,)
    assert empty.order("username", True, conn).shape == (0,)
    assert count_up_to(conn, OWNER, 100) == 100
    assert count_up_to(conn, OWNER, 10**6) == 1_500
    assert count_up_to(conn, 12345, 10) == 0


# -- appending a fetch's new pages -------------------------------------------------------------------------

@pytest.fixture
def growing():
    """An account stored in three steps with another account's rows between them, and a snapshot of each step,
    the second and third appended to the first (the first with its text index and every text order built)."""
    connection = open_database(":memory:")
    people = audience(900, seed=21)
    snapshots = []
    with connection:
        followers_repo.upsert_followers(connection, OWNER, people[:400], seen_at=1_000)
        following_repo.upsert_following(connection, OWNER, people[::3], 0, seen_at=1_000, fetch_run_id=1)
        connection.execute("INSERT INTO fetch_runs (owner_id, kind, state, started_at, finished_at) "
                           "VALUES (?, ?, 'done', 1000, 1000)", (OWNER, FOLLOWING_KIND))
    first = FollowerSnapshot.load(connection, OWNER, TIERS, with_summary=True)
    first.prepare_text(connection)
    snapshots.append(first)
    for start, stop, seen in ((400, 700, 2_000), (700, 900, 3_000)):
        with connection:
            followers_repo.upsert_followers(connection, OTHER, audience(20, seed=start), seen_at=seen)
            followers_repo.upsert_followers(connection, OWNER, people[start:stop], seen_at=seen)
        snapshots.append(snapshots[-1].appended(connection))
    yield connection, snapshots
    connection.close()


def test_appended_equals_a_fresh_load_and_continues_its_lineage(growing):
    conn, (first, second, third) = growing
    fresh = FollowerSnapshot.load(conn, OWNER, TIERS, with_summary=True)
    assert (len(first), len(second), len(third)) == (400, 700, 900)
    for name in snapshot_field_names():
        assert getattr(third, name).tolist() == getattr(fresh, name).tolist(), name
        assert not getattr(third, name).flags.writeable
    assert third.summary == fresh.summary
    assert third.continues(first) and third.continues(second) and second.continues(first)
    assert not first.continues(second)  # shorter
    assert not fresh.continues(first)  # a load starts its own lineage
    assert third.appended(conn) is third  # nothing stored since: the very same snapshot


def test_appended_text_index_and_its_merged_orders_equal_a_fresh_build(growing):
    conn, (_first, _second, third) = growing
    assert third.text_index_bytes() > 0  # carried over and extended, not left to be built again
    fresh = FollowerSnapshot.load(conn, OWNER, TIERS)
    fresh.prepare_text(conn)
    for key in TEXT_SORT_KEYS:
        assert third.ascending_order(key).tolist() == fresh.ascending_order(key, conn).tolist(), key
    for text in ("ann", "CAFÉ", "_1", "🚀", "lond", "nobody-has-this"):
        assert third.search_mask(text, conn).tolist() == fresh.search_mask(text, conn).tolist(), text


@pytest.mark.parametrize("seed", range(3))
def test_masks_of_the_appended_positions_equal_those_of_the_whole(growing, seed):
    conn, (first, _second, third) = growing
    rng = random.Random(seed)
    for _ in range(15):
        criteria = sql_criteria(random_filter(rng))
        if criteria is not None:
            whole = third.sql_mask(criteria, conn)
            assert third.sql_mask(criteria, conn, first_position=len(first)).tolist() == whole[len(first):].tolist()
    for text in ("ann", "zoë", "50%", "x" * 40):
        whole = third.search_mask(text, conn)
        assert third.search_mask(text, conn, first_position=len(first)).tolist() == whole[len(first):].tolist()


@pytest.mark.parametrize("key", followers_repo.SORT_KEYS)
def test_appended_order_merges_the_new_positions_as_a_full_sort_would(growing, key):
    conn, (first, _second, third) = growing
    prefix_order = first.ascending_order(key, conn)
    merged = third.appended_order(key, prefix_order, len(first), conn)
    assert merged.tolist() == third.ascending_order(key, conn).tolist()
    expected = followers_repo.ids_sorted(conn, OWNER, FollowerFilter(include_unfollowed=True), key, False,
                                         tiers=TIERS)
    assert third.rowid[merged].tolist() == expected.tolist()
