"""Following fetch against the sandbox: complete, resumable, paced, and exact about who is still followed; the
relationship counts it gives, checked against the sandbox's truth as the audience changes over simulated time."""

from __future__ import annotations

import pytest

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.followers.following_fetch import fetch_following
from twexport_qt.followers.relationships import FOLLOWING_KIND, following_fetched
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.testing import churn, relationship_truth
from twexport_qt.store import fetch_runs_repo, following_repo
from twexport_qt.store.database import open_database

PAGE = 300  # small pages: the sandbox account (2,500 followers) follows about a thousand accounts


class CrashAfterPages(Exception):
    """Stands for kill -9: nothing after it runs (no 'cancelled'/'failed' bookkeeping)."""


@pytest.fixture
def conn(tmp_path):
    connection = open_database(tmp_path / "twexport.sqlite3")
    yield connection
    connection.close()


def stored_following(conn) -> set[int]:
    return {row[0] for row in conn.execute("SELECT user_id FROM following WHERE owner_id = ?", (SANDBOX_USER_ID,))}


def stored_followers(conn) -> set[int]:
    return {row[0] for row in conn.execute(
        "SELECT user_id FROM followers WHERE owner_id = ? AND unfollowed_at IS NULL", (SANDBOX_USER_ID,))}


def requested_cursors(gateway) -> list[str | None]:
    requested: list[str | None] = []
    original = gateway.following_page

    def recording(user_id, cursor=None, max_results=1000):
        requested.append(cursor)
        return original(user_id, cursor, max_results)

    gateway.following_page = recording
    return requested


def fetch_both(conn, gateway, clock) -> None:
    pacer = Pacer(gateway.rate_limits, clock)
    fetch_followers(conn, gateway, pacer, clock)
    fetch_following(conn, gateway, pacer, clock, page_size=PAGE)


def test_fetches_every_followed_account_in_x_order(conn, sandbox_server, sandbox_gateway, fake_clock):
    progress = []
    result = fetch_following(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                             page_size=PAGE, progress=progress.append)
    truth = relationship_truth(sandbox_server.state.population)
    assert result.total_in_run == len(truth.following) and not result.resumed and result.removed == 0
    assert result.pages == -(-len(truth.following) // PAGE)
    ordered = [row[0] for row in conn.execute("SELECT user_id FROM following ORDER BY position")]
    assert ordered == list(truth.following)  # newest followed first, as X lists them
    assert progress[-1].done == progress[-1].total == len(truth.following)
    assert following_fetched(conn, SANDBOX_USER_ID)
    named = conn.execute("SELECT username, followers_count, description FROM following WHERE user_id = 2001").fetchone()
    assert tuple(named) == ("alice_writes", 48_210, "writer & editor. essays on craft, coffee and AI ✍️")


def test_counts_follow_the_sandbox_truth_as_the_audience_changes(conn, sandbox_server, sandbox_gateway, fake_clock):
    population = sandbox_server.state.population
    for day in range(3):
        if day:
            churned = churn(population, joined=40, left=120, clock=fake_clock, seed=day)
            # The sandbox account also unfollows a few it followed and follows one of the newcomers.
            population.following.unfollow(population.following.ids()[5 + day:8 + day])
            population.following.follow([churned.joined[0]])
        fetch_both(conn, sandbox_gateway, fake_clock)
        truth = relationship_truth(population)
        totals = following_repo.totals(conn, SANDBOX_USER_ID)
        assert stored_following(conn) == set(truth.following)
        assert stored_followers(conn) == set(truth.followers)
        assert (totals.following, totals.followers, totals.mutuals, totals.not_following_back, totals.fans) == (
            len(truth.following), len(truth.followers), len(truth.mutuals), len(truth.not_following_back),
            len(truth.fans))
        not_back = {row[1] for row in following_repo.iter_following(conn, SANDBOX_USER_ID, not_following_back=True)}
        assert not_back == truth.not_following_back
    assert len(truth.mutuals) > 100 and truth.fans and truth.not_following_back


def test_a_follower_who_left_is_no_longer_a_mutual(conn, sandbox_server, sandbox_gateway, fake_clock):
    population = sandbox_server.state.population
    fetch_both(conn, sandbox_gateway, fake_clock)
    mutual = sorted(relationship_truth(population).mutuals)[0]
    population.unfollow([mutual])
    fake_clock.advance(3600)
    fetch_both(conn, sandbox_gateway, fake_clock)
    assert mutual in stored_following(conn)  # still followed by the account...
    not_back = {row[1] for row in following_repo.iter_following(conn, SANDBOX_USER_ID, not_following_back=True)}
    assert mutual in not_back  # ...but no longer following it


def test_crash_mid_fetch_resumes_without_repeating_a_page(conn, tmp_path, sandbox_server, sandbox_gateway,
                                                          fake_clock):
    requested = requested_cursors(sandbox_gateway)
    pages = []

    def crash_after_two_pages(progress):
        pages.append(progress.done)
        if len(pages) == 2:
            raise CrashAfterPages()

    with pytest.raises(CrashAfterPages):
        fetch_following(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                        page_size=PAGE, progress=crash_after_two_pages)
    conn.close()
    conn = open_database(tmp_path / "twexport.sqlite3")  # "restart"
    assert len(stored_following(conn)) == 2 * PAGE
    assert not following_fetched(conn, SANDBOX_USER_ID)
    result = fetch_following(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                             page_size=PAGE)
    truth = relationship_truth(sandbox_server.state.population)
    assert result.resumed and result.total_in_run == len(truth.following)
    assert len(requested) == len(set(requested)) == result.pages + 2  # no page requested twice
    assert [row[0] for row in conn.execute("SELECT user_id FROM following ORDER BY position")] == list(
        truth.following)
    conn.close()


def test_a_partial_fetch_removes_nobody_and_the_complete_one_does(conn, sandbox_server, sandbox_gateway,
                                                                  fake_clock):
    population = sandbox_server.state.population
    fetch_following(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                    page_size=PAGE)
    dropped = population.following.ids()[-3:]  # the oldest follows: on the last page
    population.following.unfollow(dropped)
    fake_clock.advance(3600)
    cancel = CancelToken()

    def cancel_after_first_page(_progress):
        cancel.cancel()

    with pytest.raises(errors.Cancelled):
        fetch_following(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                        page_size=PAGE, progress=cancel_after_first_page, cancel=cancel)
    assert set(dropped) <= stored_following(conn)  # a partial run knows nothing of who is gone
    assert fetch_runs_repo.latest(conn, SANDBOX_USER_ID, FOLLOWING_KIND).state == "cancelled"
    result = fetch_following(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                             page_size=PAGE)
    assert result.resumed and result.removed == 3
    assert stored_following(conn) == set(relationship_truth(population).following)


def test_waits_for_the_rate_limit_window_instead_of_failing(conn, sandbox_server, sandbox_gateway, fake_clock):
    sandbox_server.state.limiter.set_limits(Endpoint.FOLLOWING, [(1, 900)])
    sandbox_server.state.faults.fail_next(Endpoint.FOLLOWING, "503")
    waits = []
    pacer = Pacer(sandbox_gateway.rate_limits, fake_clock, on_wait=waits.append)
    started = fake_clock.now()
    result = fetch_following(conn, sandbox_gateway, pacer, fake_clock, page_size=PAGE)
    assert result.total_in_run == len(relationship_truth(sandbox_server.state.population).following)
    assert any(wait.reason == "rate_limit" and "following" in wait.endpoint for wait in waits)
    assert fake_clock.now() - started >= 900 * (result.pages - 1)  # one page per window
    assert pacer.retries == 1


def test_the_default_window_is_x_s_15_requests(conn, sandbox_server, sandbox_gateway, fake_clock):
    """No kinder than X: the 16th page request within 15 minutes is refused with a 429 and X's headers."""
    client_answers = [sandbox_gateway.following_page(SANDBOX_USER_ID, None, 5) for _ in range(15)]
    assert all(page.data for page in client_answers)
    state = sandbox_gateway.rate_limits.get("GET /2/users/:id/following")
    assert state is not None and state.limit == 15 and state.remaining == 0
    with pytest.raises(errors.RateLimited):
        sandbox_gateway.following_page(SANDBOX_USER_ID, None, 5)


def test_an_expired_cursor_restarts_from_the_first_page(conn, sandbox_server, sandbox_gateway, fake_clock):
    with pytest.raises(CrashAfterPages):
        fetch_following(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                        page_size=PAGE, progress=lambda _p: (_ for _ in ()).throw(CrashAfterPages()))
    with conn:
        conn.execute("UPDATE fetch_runs SET cursor = 'not-a-token' WHERE kind = ?", (FOLLOWING_KIND,))
    requested = requested_cursors(sandbox_gateway)
    result = fetch_following(conn, sandbox_gateway, Pacer(sandbox_gateway.rate_limits, fake_clock), fake_clock,
                             page_size=PAGE)
    assert requested[0] == "not-a-token" and requested[1] is None  # refused, then the top again
    assert stored_following(conn) == set(relationship_truth(sandbox_server.state.population).following)
    assert result.removed == 0
