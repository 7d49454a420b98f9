from __future__ import annotations

import random
import sqlite3

import pytest

from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.tiers import (
    DEFAULT_TIERS,
    TierError,
    TierSpec,
    assign_tier,
    tier_case_sql,
    tier_index,
    validate_tiers,
)

# Overlapping on purpose: "Connector" (many following) must win over "Rising" only when listed first.
OVERLAPPING = (
    TierSpec("Power user", min_followers=10_000),
    TierSpec("Connector", min_followers=500, min_following=2_000, max_following=4_999),
    TierSpec("Rising", min_followers=1_000, max_followers=9_999),
    TierSpec("Quiet", max_followers=10, max_following=10),
    TierSpec("Everyone else"),
)


def sql_tiers(pairs: list[tuple[int, int]], tiers) -> list[int]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE followers (followers_count INTEGER, following_count INTEGER)")
    conn.executemany("INSERT INTO followers VALUES (?, ?)", pairs)
    expression, params = tier_case_sql(tiers)
    return [row[0] for row in conn.execute(f"SELECT {expression} FROM followers ORDER BY rowid", params)]


@pytest.mark.parametrize("tiers", [DEFAULT_TIERS, OVERLAPPING, (TierSpec("All"),)], ids=["default", "overlap", "one"])
def test_sql_and_python_agree_on_random_followers(tiers):
    rng = random.Random(1234)
    edges = [0, 9, 10, 11, 499, 500, 999, 1_000, 1_999, 2_000, 4_999, 5_000, 9_999, 10_000, 10_001]
    pairs = [(rng.choice(edges), rng.choice(edges)) for _ in range(500)]
    pairs += [(int(rng.lognormvariate(6, 2.5)), int(rng.lognormvariate(6, 1.5))) for _ in range(2_000)]
    expected = [
        assign_tier(FollowerRecord(user_id=1, username="u", followers_count=a, following_count=b), tiers)
        for a, b in pairs
    ]
    assert sql_tiers(pairs, tiers) == expected
    assert len(set(expected)) == len(tiers)  # the data really exercises every tier


@pytest.mark.parametrize(
    ("followers", "following", "tier"),
    [(10_000, 0, "Power user"), (9_999, 0, "Rising"), (1_000, 5_000, "Rising"), (999, 5_000, "Regular"),
     (0, 0, "Regular")],
)
def test_default_tier_boundaries(followers, following, tier):
    record = FollowerRecord(user_id=1, username="u", followers_count=followers, following_count=following)
    assert DEFAULT_TIERS[assign_tier(record)].name == tier


def test_first_matching_tier_wins():
    record = FollowerRecord(user_id=1, username="u", followers_count=1_500, following_count=3_000)
    assert OVERLAPPING[assign_tier(record, OVERLAPPING)].name == "Connector"


def test_min_above_max_is_an_error_naming_the_tier():
    with pytest.raises(TierError, match=r"'Gold'.*followers"):
        TierSpec("Gold", min_followers=5, max_followers=4)
    with pytest.raises(ValueError, match="following"):
        TierSpec("Gold", min_following=5, max_following=4)


def test_tier_list_rules():
    with pytest.raises(TierError, match="last tier"):
        validate_tiers((TierSpec("Big", min_followers=1),))
    with pytest.raises(TierError, match="unique"):
        validate_tiers((TierSpec("A", min_followers=1), TierSpec("A")))
    with pytest.raises(TierError):
        validate_tiers(())
    with pytest.raises(TierError, match="no tier named"):
        tier_index(DEFAULT_TIERS, "Gold")


def test_bounds_are_bound_parameters_and_settings_round_trip():
    expression, params = tier_case_sql(OVERLAPPING)
    assert "10000" not in expression and 10_000 in params
    assert tuple(TierSpec.from_dict(tier.to_dict()) for tier in OVERLAPPING) == OVERLAPPING
