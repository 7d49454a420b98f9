"""The funnel per campaign step: sent, replied (dm_replies), opted out (do-not-contact "opted out…"), unfollowed
within 7 days of the DM as complete fetches saw it (outreach_churn's rule; tests/campaigns/test_outreach_churn.py
checks that both views agree); with and without the reply table."""

from __future__ import annotations

import pytest

from twexport_qt.campaigns import funnel
from twexport_qt.campaigns.funnel import FunnelStep, campaign_funnel
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.store import dm_repo, followers_repo
from twexport_qt.store.database import open_database

OWNER = 42
DAY = 86_400
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z: the first DMs
T_RETRY = T0 + 7 * DAY
NOW = T0 + 30 * DAY

# The reply table as migration 4 creates it (created here too, for a database from before it).
REPLIES_TABLE = ("CREATE TABLE IF NOT EXISTS dm_replies (owner_id INTEGER NOT NULL, user_id INTEGER NOT NULL, "
                 "event_id TEXT NOT NULL, created_at INTEGER NOT NULL, opt_out INTEGER NOT NULL DEFAULT 0, "
                 "recorded_at INTEGER NOT NULL, PRIMARY KEY (owner_id, event_id))")


def send(conn, user_id: int, step: str, at: int, mode: str = "live") -> None:
    dm_repo.claim(conn, OWNER, user_id, f"user{user_id}", step, mode, "Hi", at)
    dm_repo.mark_sent(conn, OWNER, user_id, step, mode, event_id=f"e{user_id}{step}{mode}", now=at + 5)


def reply(conn, user_id: int, at: int) -> None:
    conn.execute("INSERT INTO dm_replies (owner_id, user_id, event_id, created_at, opt_out, recorded_at) "
                 "VALUES (?, ?, ?, ?, 0, ?)", (OWNER, user_id, f"r{user_id}-{at}", at, at))


@pytest.fixture
def conn(tmp_path):
    """Ten followers got the first DM; 1–4 also the retry. What followed is set up per person."""
    conn = open_database(tmp_path / "funnel.sqlite3")
    with conn:
        conn.execute(REPLIES_TABLE)
        followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(user_id=i, username=f"user{i}")
                                                      for i in range(1, 13)], T0 - DAY)
        for user_id in range(1, 11):
            send(conn, user_id, "first", T0)
        for user_id in range(1, 5):
            send(conn, user_id, "retry", T_RETRY)
        send(conn, 11, "first", T0, mode="test")  # test sends reach nobody real: not in the funnel
        conn.execute("INSERT INTO dm_log (owner_id, recipient_id, step, mode, state, created_at, updated_at) "
                     "VALUES (?, 12, 'first', 'live', 'skipped', ?, ?)", (OWNER, T0, T0))  # never sent

        reply(conn, 5, T0 + DAY)                  # replied to the first DM
        reply(conn, 6, T0 + 2 * DAY)              # replied and opted out
        dm_repo.add_do_not_contact(conn, OWNER, 6, "opted out: stop", T0 + 2 * DAY)
        reply(conn, 1, T_RETRY + DAY)             # replied only after the retry: the retry's reply
        reply(conn, 7, T0 - 3 * DAY)              # wrote before our DM: not a reply to it
        dm_repo.add_do_not_contact(conn, OWNER, 8, "Opted out by hand", T0 + DAY)   # case-insensitive prefix
        dm_repo.add_do_not_contact(conn, OWNER, 9, "asked a friend", T0 + DAY)      # another reason: not counted
        # A complete fetch a day from the day before the first DMs. Leaves seen by the fetches 2 days after the
        # retry (9 after the first DM), 3 days after the first DM and 10 days after it.
        leaves = {T_RETRY + 2 * DAY: 2, T0 + 3 * DAY: 9, T0 + 10 * DAY: 10}
        for at in range(T0 - DAY, NOW + 1, DAY):
            snapshot_id = conn.execute(
                "INSERT INTO follower_snapshots (owner_id, taken_at, follower_count, joined, left_count) "
                "VALUES (?, ?, 0, 0, ?)", (OWNER, at, int(at in leaves))).lastrowid
            if at in leaves:
                conn.execute("INSERT INTO follower_leaves (snapshot_id, user_id) VALUES (?, ?)",
                             (snapshot_id, leaves[at]))
    yield conn
    conn.close()


def fetched_until(conn, last: int) -> None:
    """As if the last complete followers fetch was at `last`."""
    with conn:
        conn.execute("DELETE FROM follower_snapshots WHERE taken_at > ?", (last,))


def test_each_step_counts_replies_opt_outs_and_unfollows_within_7_days(conn):
    first, retry = campaign_funnel(conn, OWNER).steps
    assert (first.step, first.sent, first.replied, first.opted_out, first.unfollowed) == ("first", 10, 2, 2, 1)
    assert (retry.step, retry.sent, retry.replied, retry.opted_out, retry.unfollowed) == ("retry", 4, 1, 0, 1)
    assert first.percent(first.replied) == 20.0 and retry.unfollowed_percent == 25.0
    assert first.window_open == retry.window_open == 0


def shares(step: FunnelStep) -> list[str]:
    """The replied, opted-out and unfollowed cells of the DM tab's funnel."""
    return [funnel.count_with_share(step, step.replied), funnel.count_with_share(step, step.opted_out),
            funnel.unfollowed_with_share(step)]


def test_counts_read_with_their_percentage_of_sent(conn):
    first, retry = campaign_funnel(conn, OWNER).steps
    assert shares(first) == ["2 (20.0%)", "2 (20.0%)", "1 (10.0%)"]
    assert shares(retry) == ["1 (25.0%)", "0 (0.0%)", "1 (25.0%)"]


def test_dms_whose_7_days_no_complete_fetch_covered_are_not_yet_known(conn):
    fetched_until(conn, T_RETRY + DAY)  # the last complete fetch a day after the retries
    measured = campaign_funnel(conn, OWNER)
    assert [step.window_open for step in measured.steps] == [0, 4]
    first, retry = measured.steps
    assert (first.unfollowed, first.unfollow_known, retry.unfollowed, retry.unfollow_known) == (1, 10, 0, 0)
    assert shares(retry)[2] == "not yet known" and retry.unfollowed_percent is None
    assert any("4 of the DMs are too recent to know" in line for line in funnel.notes(measured))
    assert funnel.csv_rows(measured)[1][6:] == (0, "", 4)


def test_a_leave_is_counted_once_a_fetch_sees_it_even_if_the_dm_is_older(conn):
    """Leaves are only known at complete fetches: user 2 left between the fetches of days 8 and 9 after the first
    DM; the retry (day 7) counts it, the first DM (window to day 7) does not."""
    fetched_until(conn, T_RETRY + 9 * DAY)
    first, retry = campaign_funnel(conn, OWNER).steps
    assert (first.unfollowed, retry.unfollowed, retry.window_open) == (1, 1, 0)


def test_without_the_reply_table_replies_are_not_tracked_and_the_rest_still_counts(conn):
    with conn:
        conn.execute("DROP TABLE dm_replies")  # a database from before migration 4
    measured = campaign_funnel(conn, OWNER)
    first, retry = measured.steps
    assert first.replied is None and retry.replied is None and not measured.replies_tracked
    assert (first.sent, first.opted_out, first.unfollowed) == (10, 2, 1)
    assert shares(first) == ["not tracked yet", "2 (20.0%)", "1 (10.0%)"]
    assert any("not tracked" in line for line in funnel.notes(measured))
    assert funnel.csv_rows(measured)[0][2:4] == ("", "")


def test_nothing_sent_gives_zeros_without_percentages(tmp_path):
    conn = open_database(tmp_path / "empty.sqlite3")
    conn.execute(REPLIES_TABLE)
    measured = campaign_funnel(conn, OWNER)
    assert shares(measured.steps[1]) == ["0", "0", "0"]
    assert funnel.csv_rows(measured)[0] == ("first", 0, 0, "", 0, "", 0, "", 0)
    conn.close()
