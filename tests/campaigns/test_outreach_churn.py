"""Unfollows within 7 days of a campaign DM, per step, against the not-messaged baseline: exact counts on a
scripted daily history, DMs too recent to know, and the empty cases (no history, no DMs)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from twexport_qt.campaigns import outreach_churn
from twexport_qt.campaigns.funnel import campaign_funnel
from twexport_qt.campaigns.outreach_churn import ShareLeft
from twexport_qt.campaigns.outreach_churn import outreach_churn as measure
from twexport_qt.core.clock import FakeClock
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.sandbox import SANDBOX_USER_ID as OWNER_SANDBOX
from twexport_qt.sandbox.server import SandboxServer
from twexport_qt.sandbox.testing import DAY_S
from twexport_qt.store import dm_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.dm_states import DmMode, DmStep

OWNER = 42
DAY = 86_400
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z: snapshot 0; snapshot k is taken k days later
LAST_DAY = 20


def send(conn: sqlite3.Connection, user_id: int, step: DmStep, at: int, mode: DmMode = DmMode.LIVE,
         owner: int = OWNER) -> None:
    dm_repo.claim(conn, owner, user_id, f"user{user_id}", step, mode, "Hi", at)
    dm_repo.mark_sent(conn, owner, user_id, step, mode, event_id=f"e{user_id}{step}{mode}", now=at + 5)


def write_history(conn: sqlite3.Connection, initial: set[int], joins: dict[int, set[int]],
                  leaves: dict[int, set[int]], days: int = LAST_DAY) -> None:
    """One complete fetch a day, as store/history_repo.py records them: joins and leaves per snapshot, the
    membership at the last one in follower_last_snapshot."""
    members: set[int] = set()
    ever: set[int] = set()
    for day in range(days + 1):
        joined = set(initial) if day == 0 else joins.get(day, set())
        left = leaves.get(day, set())
        members = (members | joined) - left
        ever |= joined
        snapshot_id = conn.execute(
            "INSERT INTO follower_snapshots (owner_id, taken_at, follower_count, joined, left_count) "
            "VALUES (?, ?, ?, ?, ?)", (OWNER, T0 + day * DAY, len(members), len(joined), len(left))).lastrowid
        conn.executemany("INSERT INTO follower_joins (snapshot_id, user_id, position) VALUES (?, ?, 0)",
                         [(snapshot_id, user_id) for user_id in joined])
        conn.executemany("INSERT INTO follower_leaves (snapshot_id, user_id) VALUES (?, ?)",
                         [(snapshot_id, user_id) for user_id in left])
    conn.executemany("INSERT INTO follower_last_snapshot VALUES (?, ?, ?, 0, 0, 0, 0)",
                     [(OWNER, user_id, user_id in members) for user_id in ever])


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """Followers 1–20 at day 0. First DMs to 1–10 at day 0.5 and to 11 at day 15 (its 7 days are not observed
    by day 20); retries to 1–4 at day 8.5.

    Recipients' leaves: 1 seen at day 3 (first DM: yes); 2 seen at day 8, the fetch before it at day 7, inside
    the first DM's window that ends at day 7.5 (yes: the interval overlaps); 3 seen at day 9, interval (8, 9]:
    after the first DM's window (no) but overlapping the retry's (yes).
    Never messaged: 12 left at day 5 (in the 7 days of the snapshots of days 0–4), 21 joined at day 6 and left at
    day 7 (the snapshot of day 6 only), 13 left at day 15, interval (14, 15] (snapshots of days 8–13).
    """
    conn = open_database(tmp_path / "churn.sqlite3")
    with conn:
        write_history(conn, set(range(1, 21)), joins={6: {21}},
                      leaves={3: {1}, 5: {12}, 7: {21}, 8: {2}, 9: {3}, 15: {13}})
        for user_id in range(1, 11):
            send(conn, user_id, DmStep.FIRST, T0 + DAY // 2)
        send(conn, 11, DmStep.FIRST, T0 + 15 * DAY)
        for user_id in range(1, 5):
            send(conn, user_id, DmStep.RETRY, T0 + 8 * DAY + DAY // 2)
        send(conn, 14, DmStep.FIRST, T0 + DAY, mode=DmMode.TEST)  # a test send reaches nobody real: "not messaged"
    yield conn
    conn.close()


def test_each_step_counts_recipients_seen_leaving_within_seven_days(conn: sqlite3.Connection) -> None:
    churn = measure(conn, OWNER)
    shares = {step.step: step.share for step in churn.steps}
    assert shares[DmStep.FIRST] == ShareLeft(left=2, total=10, pending=1)
    assert shares[DmStep.RETRY] == ShareLeft(left=1, total=4, pending=0)


def test_baseline_pools_the_not_messaged_members_of_each_observed_snapshot(conn: sqlite3.Connection) -> None:
    # Cohorts: the snapshots of days 0–13 (from the one current at the first DM to the last DM, and 7 days
    # observed). Not-messaged members (12–21 less recipients): 9 on days 0–4, 8 on day 5, 9 on day 6 (21 joined),
    # 8 on days 7–13: 45 + 8 + 9 + 56 = 118. Leavers counted per cohort: 12 × 5 + 21 × 1 + 13 × 6 = 12.
    assert measure(conn, OWNER).not_messaged == ShareLeft(left=12, total=118)


def assert_the_funnel_agrees(conn: sqlite3.Connection, owner: int) -> None:
    """The funnel's unfollow column is this module's count: same rule, same numbers."""
    funnel_steps = {step.step: step for step in campaign_funnel(conn, owner).steps}
    for measured in measure(conn, owner).steps:
        shown = funnel_steps[measured.step]
        share = measured.share
        assert (shown.unfollowed, shown.unfollow_known, shown.window_open) == (share.left, share.total, share.pending)
        assert shown.unfollowed_percent == share.percent


def test_the_funnel_counts_the_same_unfollows(conn: sqlite3.Connection) -> None:
    assert_the_funnel_agrees(conn, OWNER)
    first = campaign_funnel(conn, OWNER).steps[0]
    assert (first.sent, first.unfollowed, first.window_open) == (11, 2, 1)


def test_summary_line_and_percentages(conn: sqlite3.Connection) -> None:
    text = outreach_churn.summary(measure(conn, OWNER))
    assert text == ("7-day unfollow rate after DMs: first DM 20.0% (2 of 10), 1 more not yet known · "
                    "retry 25.0% (1 of 4) · not messaged 10.2%")


def test_recent_dms_are_not_yet_known(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "recent.sqlite3")
    with conn:
        write_history(conn, set(range(1, 6)), joins={}, leaves={20: {1}})
        send(conn, 1, DmStep.FIRST, T0 + 18 * DAY)   # day 25 not reached by any fetch
    churn = measure(conn, OWNER)
    assert churn.steps[0].share == ShareLeft(left=0, total=0, pending=1)
    assert_the_funnel_agrees(conn, OWNER)
    assert churn.not_messaged == ShareLeft(0, 0)   # no snapshot in the period has its 7 days observed
    assert outreach_churn.summary(churn) == ("7-day unfollow rate after DMs: first DM not yet known (1 sent) · "
                                             "retry: none sent · not messaged not yet known")
    conn.close()


def test_no_history_and_no_dms(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "empty.sqlite3")
    churn = measure(conn, OWNER)
    assert not churn.has_history
    assert all(step.share == ShareLeft(0, 0) and step.share.percent is None for step in churn.steps)
    assert "not yet known" in outreach_churn.summary(churn)
    with conn:
        write_history(conn, {1, 2}, joins={}, leaves={3: {2}})
    churn = measure(conn, OWNER)   # history but no DMs: nothing to compare, and no division by zero
    assert churn.has_history and churn.not_messaged == ShareLeft(0, 0)
    conn.close()


def test_measuring_leaves_no_transaction_open(conn: sqlite3.Connection) -> None:
    """Its temporary tables open a transaction: left open, its read lock would block the app's writers."""
    measure(conn, OWNER)
    assert not conn.in_transaction


def test_a_first_snapshot_without_join_rows_still_counts_its_members(tmp_path: Path) -> None:
    """Migration 6 gives existing folders a first snapshot without join rows: its members are members still."""
    conn = open_database(tmp_path / "backfilled.sqlite3")
    with conn:
        write_history(conn, set(range(1, 11)), joins={}, leaves={2: {5}, 4: {1}})
        conn.execute("DELETE FROM follower_joins")
        send(conn, 1, DmStep.FIRST, T0 + DAY // 2)
    churn = measure(conn, OWNER)
    assert churn.steps[0].share == ShareLeft(left=1, total=1)
    # Cohort: the snapshot of day 0 only (the last DM's); not messaged 2–10, of whom 5 left (seen at day 2).
    assert churn.not_messaged == ShareLeft(left=1, total=9)
    conn.close()


# -- end to end: real complete fetches of a sandbox that loses chosen followers after the DMs ---------------------


def test_counts_follow_the_sandbox_losing_chosen_followers_after_the_dms(
        tmp_path: Path, sandbox_server: SandboxServer, sandbox_gateway: XGateway, fake_clock: FakeClock) -> None:
    """Day 0: a complete fetch (2,500 followers), then first DMs to ten of them an hour later. Two recipients and
    one follower never messaged leave before the day-1 fetch; a third recipient only after the day-8 fetch, more
    than 7 days after the DM. Daily complete fetches until day 9."""
    population = sandbox_server.state.population
    conn = open_database(tmp_path / "twexport.sqlite3")

    def fetch() -> None:
        fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock)

    fetch()
    followers = population.follower_ids()
    recipients, bystander = followers[:10], followers[100]
    fake_clock.advance(3600)
    with conn:
        for user_id in recipients:
            send(conn, user_id, DmStep.FIRST, int(fake_clock.now()), owner=OWNER_SANDBOX)
    assert measure(conn, OWNER_SANDBOX).steps[0].share == ShareLeft(0, 0, pending=10)   # nothing observed yet
    for day in range(1, 10):
        fake_clock.advance(DAY_S)
        if day == 1:
            population.unfollow([recipients[0], recipients[1], bystander])
        if day == 9:
            population.unfollow([recipients[2]])
        fetch()
    churn = measure(conn, OWNER_SANDBOX)
    assert churn.steps[0].share == ShareLeft(left=2, total=10)
    assert churn.steps[1].share == ShareLeft(0, 0)
    # The one cohort: the day-0 snapshot (current at the DMs); its 2,490 followers never messaged lost one.
    assert churn.not_messaged == ShareLeft(left=1, total=2490)
    assert_the_funnel_agrees(conn, OWNER_SANDBOX)
    conn.close()
