"""New-followers-only refreshes against the sandbox (which lists followers newest first, as X does): they read the
new followers and one check page, bill about that, mark nobody as gone, and leave full fetches' bookkeeping whole."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.billing.conftest import DAY, BilledApp
from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.followers.fetch import (
    FOLLOWERS_KIND,
    NEW_FOLLOWERS_KIND,
    NoFollowersStored,
    PageStored,
    fetch_followers,
    known_follower_count,
)
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.store import fetch_runs_repo

OWNED_READ = Decimal("0.001")  # the sandbox reads the account's own followers as Owned Reads
ME = Decimal("0.010")          # the /users/me look-up every fetch starts with


@pytest.fixture
def app(sandbox_server, fake_clock, tmp_path):
    billed = BilledApp(sandbox_server, fake_clock, tmp_path / "twexport.sqlite3")
    yield billed
    billed.close()


def record_page_sizes(gateway: XGateway) -> list[int]:
    """The `max_results` of every followers page the gateway asks X for."""
    sizes: list[int] = []
    original = gateway.followers_page

    def recording(user_id, cursor=None, max_results=1000):
        sizes.append(max_results)
        return original(user_id, cursor, max_results)

    gateway.followers_page = recording
    return sizes


def fetch(app: BilledApp, *, new_only: bool = False, job: str = "fetch", **kwargs):
    gateway = app.gateway(job)
    return fetch_followers(app.conn, gateway, app.pacer(gateway), app.clock, new_only=new_only, **kwargs)


def gone(app: BilledApp) -> list[int]:
    return sorted(row[0] for row in app.conn.execute(
        "SELECT user_id FROM followers WHERE owner_id = ? AND unfollowed_at IS NOT NULL", (SANDBOX_USER_ID,)))


def stored(app: BilledApp, user_ids: list[int]) -> int:
    marks = ", ".join("?" * len(user_ids))
    return app.conn.execute(f"SELECT count(*) FROM followers WHERE owner_id = ? AND unfollowed_at IS NULL "
                            f"AND user_id IN ({marks})", (SANDBOX_USER_ID, *user_ids)).fetchone()[0]


def bill_of(app: BilledApp, action) -> Decimal:
    before = app.server.billing.total()
    action()
    return app.server.billing.total() - before


def test_reads_the_new_followers_and_one_check_page_and_bills_about_them(app, sandbox_server, fake_clock):
    fetch(app)
    fake_clock.advance(DAY)  # another UTC day: nothing read yesterday is de-duplicated
    newcomers = sandbox_server.state.population.add_followers(30)
    gateway = app.gateway("new followers")
    sizes = record_page_sizes(gateway)
    results = []
    bill = bill_of(app, lambda: results.append(
        fetch_followers(app.conn, gateway, app.pacer(gateway), fake_clock, new_only=True)))
    result = results[0]
    assert sizes == [30, 100]  # exactly the 30 expected, then a check page of known followers where it stops
    assert (result.new_followers, result.fetched, result.pages, result.unfollowed) == (30, 130, 2, 0)
    assert result.new_only and not result.resumed
    assert stored(app, newcomers) == 30
    assert bill == ME + 130 * OWNED_READ == Decimal("0.14")  # vs $2.54 for a full refresh
    assert app.ledger_total() == app.server.billing.total()


def test_with_nothing_new_it_reads_one_check_page(app, fake_clock):
    fetch(app)
    fake_clock.advance(DAY)
    gateway = app.gateway("new followers")
    sizes = record_page_sizes(gateway)
    bill = bill_of(app, lambda: fetch_followers(app.conn, gateway, app.pacer(gateway), fake_clock, new_only=True))
    assert sizes == [100]
    assert bill == ME + 100 * OWNED_READ
    assert app.ledger_total() == app.server.billing.total()


def test_a_check_page_with_new_followers_is_followed_by_another(app, sandbox_server, fake_clock):
    """Leavers hide as many new followers from the count: the refresh reads on until a page of known ones."""
    fetch(app)
    fake_clock.advance(DAY)
    old = [row[0] for row in app.conn.execute("SELECT user_id FROM followers ORDER BY user_id LIMIT 3")]
    sandbox_server.state.population.unfollow(old)
    newcomers = sandbox_server.state.population.add_followers(30)
    gateway = app.gateway("new followers")
    sizes = record_page_sizes(gateway)
    result = fetch_followers(app.conn, gateway, app.pacer(gateway), fake_clock, new_only=True)
    assert sizes == [27, 100, 100]  # 2,527 followers, 2,500 stored: 27 expected; the first check page has 3 more
    assert result.new_followers == 30 and stored(app, newcomers) == 30


def test_marks_nobody_as_gone_and_a_later_full_refresh_still_finds_the_leavers(app, sandbox_server, fake_clock):
    fetch(app)
    fake_clock.advance(DAY)
    full_before = fetch_runs_repo.last_finished(app.conn, SANDBOX_USER_ID, FOLLOWERS_KIND)
    leavers = [row[0] for row in app.conn.execute("SELECT user_id FROM followers ORDER BY user_id LIMIT 3")]
    sandbox_server.state.population.unfollow(leavers)
    newcomers = sandbox_server.state.population.add_followers(5)
    result = fetch(app, new_only=True)
    assert result.unfollowed == 0 and gone(app) == []
    # Not a complete fetch: the stats' "last fetch" and "new since" still go by the full runs.
    assert fetch_runs_repo.last_finished(app.conn, SANDBOX_USER_ID, FOLLOWERS_KIND) == full_before
    assert fetch_runs_repo.latest(app.conn, SANDBOX_USER_ID, NEW_FOLLOWERS_KIND).state == "done"
    fake_clock.advance(3600)
    full = fetch(app)
    assert full.unfollowed == 3 and gone(app) == sorted(leavers)
    assert full.new_followers == 0 and stored(app, newcomers) == 5  # the refresh had found them


def test_a_cancelled_full_fetch_stays_resumable_across_a_new_only_refresh(app, sandbox_server, fake_clock):
    fetch(app)  # a complete fetch, so that the next full one can tell who left
    fake_clock.advance(DAY)
    cancel = CancelToken()
    with pytest.raises(errors.Cancelled):
        fetch(app, progress=lambda progress: cancel.cancel(), cancel=cancel)
    interrupted = fetch_runs_repo.resumable(app.conn, SANDBOX_USER_ID, FOLLOWERS_KIND)
    assert interrupted is not None and interrupted.items == 1000
    # A leaver among the older followers the interrupted run has still to read.
    leaver = app.conn.execute("SELECT user_id FROM followers WHERE last_seen < ? ORDER BY user_id LIMIT 1",
                              (interrupted.started_at,)).fetchone()[0]
    sandbox_server.state.population.unfollow([leaver])
    newcomers = sandbox_server.state.population.add_followers(5)
    fake_clock.advance(60)
    assert known_follower_count(app.conn, SANDBOX_USER_ID) == 2500  # the interrupted run's total, not 2,500 stored
    gateway = app.gateway("new followers")
    sizes = record_page_sizes(gateway)
    refresh = fetch_followers(app.conn, gateway, app.pacer(gateway), fake_clock, new_only=True)
    assert sizes == [4, 100, 100]  # 2,504 followers vs 2,500 known: 4 expected, then one more after the leaver
    assert refresh.new_followers == 5 and gone(app) == []
    after = fetch_runs_repo.resumable(app.conn, SANDBOX_USER_ID, FOLLOWERS_KIND)
    assert after is not None and (after.id, after.cursor, after.items) == (interrupted.id, interrupted.cursor, 1000)
    resumed = fetch(app)
    assert resumed.resumed and resumed.pages == 2 and resumed.total_in_run == 2499
    assert resumed.unfollowed == 1 and gone(app) == [leaver]
    assert stored(app, newcomers) == 5  # seen by the refresh after the run started: not taken for leavers


def test_a_cancelled_refresh_resumes_below_the_new_followers_it_stored(app, sandbox_server, fake_clock):
    """Starting again from the top would stop at the page it stored and never reach the older new followers."""
    fetch(app)
    newcomers = sandbox_server.state.population.add_followers(250)
    cancel = CancelToken()
    with pytest.raises(errors.Cancelled):
        fetch(app, new_only=True, page_size=100, progress=lambda progress: cancel.cancel(), cancel=cancel)
    assert stored(app, newcomers) == 100
    assert fetch_runs_repo.resumable(app.conn, SANDBOX_USER_ID, NEW_FOLLOWERS_KIND) is not None
    gateway = app.gateway("new followers")
    sizes = record_page_sizes(gateway)
    result = fetch_followers(app.conn, gateway, app.pacer(gateway), fake_clock, new_only=True, page_size=100)
    assert result.resumed and result.new_followers == 150 and stored(app, newcomers) == 250
    assert sizes == [100, 50, 100]
    assert fetch_runs_repo.resumable(app.conn, SANDBOX_USER_ID, NEW_FOLLOWERS_KIND) is None
    assert fetch(app, new_only=True).pages == 1  # done: the next refresh starts from the newest again


def test_without_stored_followers_it_reads_nothing(app):
    gateway = app.gateway("new followers")
    sizes = record_page_sizes(gateway)
    with pytest.raises(NoFollowersStored, match="fetch them all first"):
        fetch_followers(app.conn, gateway, app.pacer(gateway), app.clock, new_only=True)
    assert sizes == []
    assert fetch_runs_repo.latest(app.conn, SANDBOX_USER_ID, NEW_FOLLOWERS_KIND) is None


def test_a_full_refresh_counts_its_new_followers(app, sandbox_server, fake_clock):
    assert fetch(app).new_followers == 2500
    sandbox_server.state.population.add_followers(7)
    fake_clock.advance(3600)
    assert fetch(app).new_followers == 7


def test_each_committed_page_is_told_in_both_kinds_of_fetch(app, sandbox_server, fake_clock):
    told: list[PageStored] = []

    def on_page_stored(page: PageStored) -> None:  # the page is in the database when a view hears of it
        told.append(page)
        assert app.conn.execute("SELECT count(*) FROM followers").fetchone()[0] >= sum(p.followers for p in told)

    fetch(app, on_page_stored=on_page_stored)
    assert [(page.owner_id, page.followers, page.pages) for page in told] == [
        (SANDBOX_USER_ID, 1000, 1), (SANDBOX_USER_ID, 1000, 2), (SANDBOX_USER_ID, 500, 3)]
    told.clear()
    fake_clock.advance(DAY)
    sandbox_server.state.population.add_followers(30)
    fetch(app, new_only=True, job="new followers", on_page_stored=on_page_stored)
    assert [(page.followers, page.pages) for page in told] == [(30, 1), (100, 2)]  # the new ones, the check page
