"""Every follower filter against hand-checked answers on a small hand-made audience."""

from __future__ import annotations

import time

import pytest

from twexport_qt.followers.filters import FollowerFilter, InvalidFilter, parse_date
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

OWNER = 1
OTHER_OWNER = 2
D = parse_date  # dates below read like the seed's config

# name: (followers, following, joined, verified, protected, receives_your_dm, description, location)
AUDIENCE: dict[str, tuple] = {
    "alice": (50, 10, "2010-01-01", 0, 0, None, "Python developer, coffee lover.", "London, UK"),
    "bob": (150, 60, "2012-05-05", 1, 0, 1, "Founder & CEO | python", "New York"),
    "carol": (12000, 300, "2015-03-03", 1, 0, 0, "Pythonista. Not a snake.", "london"),
    "dave": (999, 999, "2019-06-26 23:59:59", 0, 1, None, "I love #python!", "Berlin"),
    "erin": (1000, 40, "2019-06-27 00:00:00", 0, 0, 1, "coffee-lover; founder", ""),
    "frank": (9999, 10000, "2020-01-01", 0, 0, None, "(python) founder", "Paris"),
    "grace": (10000, 10001, "2021-07-07", 1, 1, 1, "PYTHON FOUNDER", "Londonderry"),
    "heidi": (0, 0, None, 0, 0, None, "", ""),
    "ivan": (250, 250, "2011-11-11", 0, 0, 0, "python_dev", "LONDON"),
    "judy": (5000, 100, "2018-01-01", 0, 0, None, "Café owner", "São Paulo"),
    "mallory": (300, 80, "2013-01-01", 0, 0, None, "python founder", "London"),  # unfollowed
    "niaj": (20, 5, "2016-06-06", 0, 0, None, "founders club pythons", "Lagos"),
    "olivia": (700, 700, "2017-01-01", 0, 0, 1, "foo%bar_baz", "50% London"),
    "peggy": (20000, 20000, "2009-09-09", 1, 0, None, "python", ""),
    "rupert": (100, 50, "2014-04-04", 0, 0, None, "Data-science, Python; founder.", "Toronto"),
}
USER_IDS = {name: 101 + index for index, name in enumerate(AUDIENCE)}
NAMES = {user_id: name for name, user_id in USER_IDS.items()}
ACTIVE = set(AUDIENCE) - {"mallory"}


def record(name: str) -> FollowerRecord:
    followers, following, joined, verified, protected, dm, description, location = AUDIENCE[name]
    return FollowerRecord(
        user_id=USER_IDS[name], username=name, name=name.title(), description=description, location=location,
        created_at=D(joined) if joined else None, verified=bool(verified), protected=bool(protected),
        followers_count=followers, following_count=following, receives_your_dm=None if dm is None else bool(dm),
    )


def add_dm(conn, name: str, step: str, state: str, mode: str = "live", owner: int = OWNER) -> None:
    conn.execute(
        "INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 0, 0)",
        (owner, USER_IDS[name], step, mode, state),
    )


@pytest.fixture
def conn():
    connection = open_database(":memory:")
    with connection:
        followers_repo.upsert_followers(connection, OWNER, [record(n) for n in AUDIENCE], seen_at=1000)
        # Mallory is missing from the next complete refresh, so she is marked unfollowed.
        followers_repo.upsert_followers(connection, OWNER, [record(n) for n in ACTIVE], seen_at=2000)
        followers_repo.mark_unfollowed(connection, OWNER, not_seen_since=2000, at=2000)
        # Another account followed by alice's twin: must never leak into OWNER's results.
        followers_repo.upsert_followers(connection, OTHER_OWNER, [record("alice")], seen_at=1000)
        add_dm(connection, "alice", "first", "sent")
        add_dm(connection, "bob", "first", "skipped")
        add_dm(connection, "carol", "first", "failed")
        add_dm(connection, "dave", "first", "sent", mode="test")
        add_dm(connection, "erin", "first", "sent")
        add_dm(connection, "erin", "retry", "sent")
        add_dm(connection, "frank", "first", "sending")
        add_dm(connection, "heidi", "first", "sent", owner=OTHER_OWNER)
    yield connection
    connection.close()


def matching(conn, follower_filter: FollowerFilter) -> set[str]:
    where, params = follower_filter.to_sql(OWNER)
    followers_repo.count(conn, OWNER, follower_filter)  # registers the SQL functions on `conn`
    rows = conn.execute(f"SELECT user_id FROM followers WHERE {where}", params).fetchall()
    names = {NAMES[row[0]] for row in rows}
    assert followers_repo.count(conn, OWNER, follower_filter) == len(rows)
    return names


@pytest.mark.parametrize(
    ("follower_filter", "expected"),
    [
        (FollowerFilter(), ACTIVE),
        (FollowerFilter(include_unfollowed=True), set(AUDIENCE)),
        (
            FollowerFilter(created_before=D("2019-06-27")),
            {"alice", "bob", "carol", "dave", "ivan", "judy", "niaj", "olivia", "peggy", "rupert"},
        ),
        (FollowerFilter(created_after=D("2019-06-27 00:00:00")), {"erin", "frank", "grace"}),
        (FollowerFilter(min_followers=1000), {"carol", "erin", "frank", "grace", "judy", "peggy"}),
        (
            FollowerFilter(max_followers=999),
            {"alice", "bob", "dave", "heidi", "ivan", "niaj", "olivia", "rupert"},
        ),
        (FollowerFilter(min_followers=1000, max_followers=9999), {"erin", "frank", "judy"}),
        (FollowerFilter(min_following=1000), {"frank", "grace", "peggy"}),
        (FollowerFilter(max_following=50), {"alice", "erin", "heidi", "niaj", "rupert"}),
        (FollowerFilter(verified_only=True), {"bob", "carol", "grace", "peggy"}),
        (FollowerFilter(exclude_protected=True), ACTIVE - {"dave", "grace"}),
        (FollowerFilter(dm_able_only=True), ACTIVE - {"carol", "ivan"}),
        (FollowerFilter(location_contains="london"), {"alice", "carol", "grace", "ivan", "olivia"}),
        (FollowerFilter(location_contains="  LONDON, uk "), {"alice"}),
        (FollowerFilter(location_contains="50%"), {"olivia"}),
        (FollowerFilter(location_contains="_"), set()),  # a literal underscore, not LIKE's wildcard
        (FollowerFilter(dm_status="messaged"), {"alice", "erin"}),
        (FollowerFilter(dm_status="skipped"), {"bob"}),
        (FollowerFilter(dm_status="not_messaged"), ACTIVE - {"alice", "erin", "bob"}),
        (FollowerFilter(tiers=("Power user",)), {"carol", "grace", "peggy"}),
        (FollowerFilter(tiers=("Rising",)), {"erin", "frank", "judy"}),
        (FollowerFilter(tiers=("Power user", "Rising")), {"carol", "grace", "peggy", "erin", "frank", "judy"}),
        (
            # The seed's sample config.
            FollowerFilter.from_dict({
                "created_before": "2019-06-27 00:00:00", "min_followers_count": 100,
                "max_followers_count": 10000, "min_friends_count": 50, "max_friends_count": 10000,
                "verified_only": False,
            }),
            {"bob", "dave", "ivan", "judy", "olivia", "rupert"},
        ),
        (
            FollowerFilter(
                created_before=D("2019-06-27"), min_followers=100, max_followers=10000, min_following=50,
                verified_only=True,
            ),
            {"bob"},
        ),
    ],
)
def test_filter_selects_hand_checked_followers(conn, follower_filter, expected):
    assert matching(conn, follower_filter) == expected


@pytest.mark.parametrize(
    ("words", "mode", "expected"),
    [
        ("python", "any", {"alice", "bob", "dave", "frank", "grace", "peggy", "rupert"}),
        ("Python, founder!", "all", {"bob", "frank", "grace", "rupert"}),
        ("python founder", "any", {"alice", "bob", "dave", "erin", "frank", "grace", "peggy", "rupert"}),
        ("coffee-lover", "all", {"alice", "erin"}),  # NLTK splits on the hyphen: "coffee" and "lover"
        ("bar", "any", set()),  # "bar_baz" is one word token
        ("snake", "any", {"carol"}),  # followed by a full stop
        ("café", "any", {"judy"}),
        ("CAFÉ owner", "all", {"judy"}),  # non-ASCII words skip the LIKE pre-filter but still match
        ("founder", "any", {"bob", "erin", "frank", "grace", "rupert"}),  # not "founders"
        ("...", "all", ACTIVE),  # no word tokens: no constraint
    ],
)
def test_description_words_match_whole_words(conn, words, mode, expected):
    follower_filter = FollowerFilter(description_words=words, description_mode=mode)
    assert matching(conn, follower_filter) == expected


def test_user_values_travel_only_as_parameters():
    hostile = "x' OR 1=1 --"
    where, params = FollowerFilter(location_contains=hostile, description_words=hostile).to_sql(OWNER)
    assert "1=1" not in where and "'x'" not in where
    assert any("1=1" in str(param) for param in params)


def test_min_greater_than_max_is_rejected_with_the_field_names():
    with pytest.raises(ValueError, match=r"Minimum followers .* greater than maximum followers"):
        FollowerFilter(min_followers=10, max_followers=5)
    with pytest.raises(InvalidFilter, match="following"):
        FollowerFilter(min_following=10, max_following=5)


def test_inverted_date_range_is_rejected():
    with pytest.raises(InvalidFilter, match="earlier"):
        FollowerFilter(created_after=D("2020-01-01"), created_before=D("2019-01-01"))


@pytest.mark.parametrize("text", ["27/06/2019", "2019-13-01", "2019-06-27T00:00:00", "yesterday"])
def test_bad_dates_say_which_format_to_use(text):
    with pytest.raises(InvalidFilter, match="YYYY-MM-DD"):
        parse_date(text)
    with pytest.raises(ValueError, match="created before"):
        FollowerFilter.from_dict({"created_before": text})


def test_dates_accept_both_seed_formats_as_utc():
    assert parse_date("2019-06-27") == parse_date("2019-06-27 00:00:00") == 1_561_593_600
    assert parse_date("  ") is None


def test_unknown_choices_are_rejected():
    with pytest.raises(InvalidFilter):
        FollowerFilter(dm_status="maybe")
    with pytest.raises(InvalidFilter):
        FollowerFilter(description_mode="some")
    with pytest.raises(ValueError, match="no tier named"):
        FollowerFilter(tiers=("Gold",)).to_sql(OWNER)


def test_settings_round_trip():
    original = FollowerFilter(
        created_before=D("2019-06-27"), created_after=D("2010-01-01 12:30:00"), min_followers=1,
        max_followers=2, min_following=3, max_following=4, verified_only=True, description_words="a, b",
        description_mode="all", location_contains="Paris", exclude_protected=True, dm_able_only=True,
        dm_status="skipped", tiers=("Rising",), include_unfollowed=True,
    )
    data = original.to_dict()
    assert data["created_before"] == "2019-06-27 00:00:00"
    assert FollowerFilter.from_dict(data) == original


NOW = 1_767_225_600
DAY = 86_400
# name: (last posted, days before NOW or None for unknown; post count; lists)
ACTIVITY: dict[str, tuple[int | None, int, int]] = {
    "today": (0, 10, 0),
    "week": (7, 3, 1),
    "month_edge": (30, 5, 2),  # posted exactly 30 days before NOW: not inactive for 30 days
    "month_and_a_second": (None, 5, 0),  # set below to one second before the 30-day cutoff
    "year": (365, 900, 40),
    "never": (None, 0, 0),  # X gives no newest post and counts none
    "undated": (None, 4, 3),  # posts, but X dated none (no id, or one from before snowflakes)
}


@pytest.fixture
def active_conn():
    connection = open_database(":memory:")
    records = []
    for index, (name, (days, tweets, listed)) in enumerate(ACTIVITY.items()):
        posted = None if days is None else NOW - days * DAY
        if name == "month_and_a_second":
            posted = NOW - 30 * DAY - 1
        records.append(FollowerRecord(user_id=500 + index, username=name, tweet_count=tweets, listed_count=listed,
                                      last_posted_at=posted))
    with connection:
        followers_repo.upsert_followers(connection, OWNER, records, seen_at=1000)
    yield connection
    connection.close()


def active_matching(conn, follower_filter: FollowerFilter) -> set[str]:
    where, params = follower_filter.to_sql(OWNER, now=NOW)
    return {row[0] for row in conn.execute(f"SELECT username FROM followers WHERE {where}", params)}


@pytest.mark.parametrize(
    ("follower_filter", "expected"),
    [
        (FollowerFilter(inactive_days=30), {"month_and_a_second", "year", "never"}),
        (FollowerFilter(inactive_days=0), set(ACTIVITY) - {"today", "undated"}),  # "today" posted at NOW
        (FollowerFilter(posted_within_days=30), {"today", "week", "month_edge"}),
        # A post exactly N days ago is within N days, so not inactive for N days: the two split time cleanly.
        (FollowerFilter(inactive_days=7, posted_within_days=31), {"month_edge", "month_and_a_second"}),
        (FollowerFilter(min_tweets=5), {"today", "month_edge", "month_and_a_second", "year"}),
        (FollowerFilter(max_tweets=4), {"week", "never", "undated"}),
        (FollowerFilter(min_listed=1, max_listed=3), {"week", "month_edge", "undated"}),
    ],
)
def test_activity_and_count_filters_select_hand_checked_followers(active_conn, follower_filter, expected):
    assert active_matching(active_conn, follower_filter) == expected


def test_activity_filters_that_cannot_match_are_rejected_in_words():
    with pytest.raises(InvalidFilter, match=r"'Posted within' .* longer than 'inactive for'"):
        FollowerFilter(inactive_days=30, posted_within_days=30)
    with pytest.raises(InvalidFilter, match="from 0 up"):
        FollowerFilter(inactive_days=-1)
    with pytest.raises(InvalidFilter, match="Minimum posts"):
        FollowerFilter(min_tweets=5, max_tweets=4)
    with pytest.raises(InvalidFilter, match="Minimum lists"):
        FollowerFilter(min_listed=5, max_listed=4)


def test_activity_counts_back_from_the_wall_clock_unless_told():
    before = int(time.time())
    _, params = FollowerFilter(inactive_days=30).to_sql(OWNER)
    after = int(time.time())
    assert before - 30 * DAY <= params[-1] <= after - 30 * DAY
    assert FollowerFilter(inactive_days=30).to_sql(OWNER, now=NOW)[1][-1] == NOW - 30 * DAY


def test_new_fields_round_trip_and_are_left_out_of_a_dict_while_unset():
    assert not {"min_tweets", "inactive_days", "posted_within_days"} & FollowerFilter().to_dict().keys()
    original = FollowerFilter(min_tweets=1, max_tweets=9, min_listed=0, max_listed=3, inactive_days=30,
                              posted_within_days=400)
    data = original.to_dict()
    assert data["inactive_days"] == 30 and data["min_listed"] == 0
    assert FollowerFilter.from_dict(data) == original
    assert FollowerFilter.from_dict({**data, "inactive_days": "45"}).inactive_days == 45


def test_a_filter_kept_before_activity_existed_reads_as_it_was():
    kept = {"created_before": None, "created_after": None, "min_followers": 5, "max_followers": None,
            "min_following": None, "max_following": None, "verified_only": False, "description_words": "",
            "description_mode": "any", "location_contains": "", "exclude_protected": False, "dm_able_only": False,
            "dm_status": "any", "tiers": [], "include_unfollowed": False}
    restored = FollowerFilter.from_dict(kept)
    assert restored == FollowerFilter(min_followers=5)
    assert restored.to_dict() == kept  # so a remembered filter still matches its remembered default


def test_the_relationship_round_trips_and_is_left_out_while_any():
    assert "relationship" not in FollowerFilter().to_dict()  # a filter kept before it existed reads the same
    mutuals = FollowerFilter(relationship="mutuals", min_followers=3)
    assert mutuals.to_dict()["relationship"] == "mutuals"
    assert FollowerFilter.from_dict(mutuals.to_dict()) == mutuals
    with pytest.raises(InvalidFilter, match="any, mutuals, fans"):
        FollowerFilter(relationship="friends")  # type: ignore[arg-type]
