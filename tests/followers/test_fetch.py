"""Followers fetch against the sandbox: complete, resumable, paced, and aware of who left."""

from __future__ import annotations

import pytest

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.store import fetch_runs_repo, history_repo
from twexport_qt.store.database import open_database


class CrashAfterPages(Exception):
    """Stands for kill -9: nothing after it runs (no 'cancelled'/'failed' bookkeeping)."""


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "twexport.sqlite3"


def follower_ids(conn) -> list[int]:
    return [r[0] for r in conn.execute("SELECT user_id FROM followers WHERE owner_id = ? ORDER BY user_id",
                                       (SANDBOX_USER_ID,))]


def count_requests(gateway) -> list[str | None]:
    """Wrap followers_page to record the cursor of every page requested."""
    requested: list[str | None] = []
    original = gateway.followers_page

    def recording(user_id, cursor=None, max_results=1000):
        requested.append(cursor)
        return original(user_id, cursor, max_results)

    gateway.followers_page = recording
    return requested


def test_fetches_every_follower_with_profile_fields(db_path, sandbox_server, sandbox_gateway, fake_clock):
    conn = open_database(db_path)
    progress = []
    result = fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                             progress=progress.append)
    assert result.fetched == 2500 and result.pages == 3 and not result.resumed
    assert len(follower_ids(conn)) == 2500
    row = conn.execute("SELECT username, created_at, followers_count, receives_your_dm FROM followers "
                       "WHERE receives_your_dm = 0 LIMIT 1").fetchone()
    assert row["username"] and row["created_at"] > 1_100_000_000  # joined after 2004
    assert progress[-1].done == 2500 and progress[-1].total == 2500
    assert fetch_runs_repo.latest(conn, SANDBOX_USER_ID, "followers").state == "done"


def test_crash_mid_fetch_resumes_without_gap_or_repeated_page(db_path, sandbox_server, sandbox_gateway, fake_clock):
    requested = count_requests(sandbox_gateway)
    pages_seen = []

    def crash_after_two_pages(progress):
        pages_seen.append(progress.done)
        if len(pages_seen) == 2:
            raise CrashAfterPages()

    conn = open_database(db_path)
    with pytest.raises(CrashAfterPages):
        fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                        progress=crash_after_two_pages)
    conn.close()
    assert len(requested) == 2

    conn = open_database(db_path)  # "restart"
    assert len(follower_ids(conn)) == 2000  # two committed pages survived
    result = fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock)
    assert result.resumed and result.pages == 1 and result.total_in_run == 2500
    assert len(requested) == 3 and len(set(requested)) == 3  # no page requested twice
    assert len(follower_ids(conn)) == 2500


def test_cancel_keeps_the_cursor_for_next_time(db_path, sandbox_server, sandbox_gateway, fake_clock):
    cancel = CancelToken()
    conn = open_database(db_path)
    with pytest.raises(errors.Cancelled):
        fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                        progress=lambda p: cancel.cancel(), cancel=cancel)
    run = fetch_runs_repo.latest(conn, SANDBOX_USER_ID, "followers")
    assert run.state == "cancelled" and run.cursor and run.items == 1000
    result = fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock)
    assert result.resumed and result.fetched == 1500


def test_429_and_5xx_mid_fetch_recover(db_path, sandbox_server, sandbox_gateway, fake_clock):
    sandbox_server.state.limiter.set_limits(Endpoint.FOLLOWERS, [(1, 900)])
    sandbox_server.state.faults.fail_next(Endpoint.FOLLOWERS, "503")
    sandbox_server.state.faults.fail_next(Endpoint.FOLLOWERS, "drop")
    conn = open_database(db_path)
    waits = []
    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock, on_wait=waits.append)
    result = fetch_followers(conn, sandbox_gateway, pacer, fake_clock)
    assert result.fetched == 2500
    assert pacer.retries == 2
    assert any(w.reason == "rate_limit" for w in waits)  # budget of 1 per window: waited for resets
    assert pacer.rate_limit_waits == 0  # ...before the server had to say 429


def test_refresh_marks_unfollowers_and_new_followers(db_path, sandbox_server, sandbox_gateway, fake_clock):
    conn = open_database(db_path)
    fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock)
    first_fetch_time = fake_clock.now()
    leavers = follower_ids(conn)[:3]
    sandbox_server.state.population.unfollow(leavers)
    newcomers = sandbox_server.state.population.add_followers(2)
    fake_clock.advance(3600)
    result = fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock)
    assert result.unfollowed == 3
    gone = [r[0] for r in conn.execute("SELECT user_id FROM followers WHERE unfollowed_at IS NOT NULL")]
    assert sorted(gone) == sorted(leavers)
    new = [r[0] for r in conn.execute("SELECT user_id FROM followers WHERE first_seen > ?", (first_fetch_time,))]
    assert sorted(new) == sorted(newcomers)


def test_revoked_token_mid_fetch_fails_with_a_message_and_resumes_later(db_path, sandbox_server, sandbox_gateway,
                                                                       fake_clock):
    from twexport_qt.sandbox.auth import AuthContext

    conn = open_database(db_path)
    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock)
    with pytest.raises(errors.AuthError, match="revoked"):
        fetch_followers(conn, sandbox_gateway, pacer, fake_clock,
                        progress=lambda p: sandbox_server.state.auth.revoke(AuthContext.USER))
    run = fetch_runs_repo.latest(conn, SANDBOX_USER_ID, "followers")
    assert run.state == "failed" and run.items == 1000 and "revoked" in run.error
    sandbox_server.state.auth.restore(AuthContext.USER)  # the user re-entered valid credentials
    result = fetch_followers(conn, sandbox_gateway, pacer, fake_clock)
    assert result.resumed and result.fetched == 1500 and len(follower_ids(conn)) == 2500


def test_a_page_with_only_errors_is_retried_never_taken_for_the_end(db_path, sandbox_server, sandbox_gateway,
                                                                    fake_clock):
    requested = count_requests(sandbox_gateway)
    sandbox_server.state.faults.fail_next(Endpoint.FOLLOWERS, "errors-only", count=2)
    conn = open_database(db_path)
    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock)
    result = fetch_followers(conn, sandbox_gateway, pacer, fake_clock)
    assert result.fetched == 2500 and pacer.retries == 2
    assert requested == [None, None, None, requested[3], requested[4]]  # the first page thrice, then the others


def test_persistent_errors_only_answers_stop_the_fetch_resumable(db_path, sandbox_server, sandbox_gateway,
                                                                 fake_clock):
    conn = open_database(db_path)
    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock, max_retries=2)
    fail_second_page = [True]

    def after_first_page(progress):
        if fail_second_page.pop() if fail_second_page else False:
            sandbox_server.state.faults.fail_next(Endpoint.FOLLOWERS, "errors-only", count=3)

    with pytest.raises(errors.PartialAnswer, match="only errors"):
        fetch_followers(conn, sandbox_gateway, pacer, fake_clock, progress=after_first_page)
    run = fetch_runs_repo.latest(conn, SANDBOX_USER_ID, "followers")
    assert run.state == "failed" and run.items == 1000 and len(follower_ids(conn)) == 1000
    result = fetch_followers(conn, sandbox_gateway, pacer, fake_clock)
    assert result.resumed and result.total_in_run == 2500 and len(follower_ids(conn)) == 2500


def test_errors_only_on_a_refresh_marks_nobody_as_gone(db_path, sandbox_server, sandbox_gateway, fake_clock):
    conn = open_database(db_path)
    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock, max_retries=1)
    fetch_followers(conn, sandbox_gateway, pacer, fake_clock)
    fake_clock.advance(3600)
    sandbox_server.state.faults.fail_next(Endpoint.FOLLOWERS, "errors-only", count=2)
    with pytest.raises(errors.PartialAnswer):
        fetch_followers(conn, sandbox_gateway, pacer, fake_clock)
    assert conn.execute("SELECT count(*) FROM followers WHERE unfollowed_at IS NOT NULL").fetchone()[0] == 0
    result = fetch_followers(conn, sandbox_gateway, pacer, fake_clock)
    assert result.unfollowed == 0 and result.total_in_run == 2500


def test_the_last_page_and_the_end_of_the_run_commit_together(db_path, sandbox_server, sandbox_gateway, fake_clock,
                                                              monkeypatch):
    """A kill between them must not leave a run whose next start reads every page again."""
    requested = count_requests(sandbox_gateway)
    conn = open_database(db_path)
    finish = fetch_runs_repo.finish

    def killed_while_finishing(conn_, run, state, now, error=None):
        if state == "done":
            raise CrashAfterPages()
        finish(conn_, run, state, now, error)

    monkeypatch.setattr(fetch_runs_repo, "finish", killed_while_finishing)
    with pytest.raises(CrashAfterPages):
        fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock)
    monkeypatch.setattr(fetch_runs_repo, "finish", finish)
    conn.close()
    conn = open_database(db_path)
    assert len(follower_ids(conn)) == 2000  # the last page went with the "done" that never happened
    result = fetch_followers(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock)
    assert result.resumed and result.pages == 1 and len(follower_ids(conn)) == 2500
    assert len(requested) == 4 and requested[3] == requested[2]  # only the page in flight, once more


def test_two_complete_fetches_within_one_second_see_who_left_between_them(db_path, sandbox_server, sandbox_gateway,
                                                                          fake_clock):
    """Who left is whom the complete run did not see, by run, not by second: the fetch before may have ended in
    the very second this one started (the fake clock never moves here), and its followers are still not seen."""
    conn = open_database(db_path)
    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock)
    fetch_followers(conn, sandbox_gateway, pacer, fake_clock)
    leaver = follower_ids(conn)[1234]
    sandbox_server.state.population.unfollow([leaver])
    second = fetch_followers(conn, sandbox_gateway, pacer, fake_clock)
    runs = conn.execute("SELECT state, started_at, finished_at FROM fetch_runs WHERE kind = 'followers'").fetchall()
    assert [tuple(run) for run in runs] == [("done", int(fake_clock.now()), int(fake_clock.now()))] * 2
    assert second.unfollowed == 1
    assert [r[0] for r in conn.execute("SELECT user_id FROM followers WHERE unfollowed_at IS NOT NULL")] == [leaver]
    # The history's snapshot says the same: one member fewer, that one.
    _first, second_snapshot = history_repo.snapshots(conn, SANDBOX_USER_ID)
    assert (second_snapshot.follower_count, second_snapshot.left, second_snapshot.joined) == (2499, 1, 0)
    assert [row.user_id for row in history_repo.leaves(conn, SANDBOX_USER_ID)] == [leaver]
    # A third, still within the second, finds nobody else gone and keeps the leaver's date.
    third = fetch_followers(conn, sandbox_gateway, pacer, fake_clock)
    assert third.unfollowed == 0 and history_repo.snapshots(conn, SANDBOX_USER_ID)[-1].left == 0
