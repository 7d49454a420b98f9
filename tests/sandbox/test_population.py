"""The synthetic population on its own: laziness, realism, determinism, id/username round trips."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from twexport_qt.sandbox.population import FOLLOWER_ID_BASE, WELL_KNOWN, Population, UserRecord

MILLION = 1_000_000


def test_page_500_of_a_million_is_generated_on_demand_and_consistent():
    population = Population(seed=11, followers=MILLION)
    start = MILLION - 1 - 499 * 1000  # newest first: page 500 starts 499,000 below the newest follower
    indices = population.follower_indices_desc(start, 1000)
    page = population.users_at(indices)
    assert len(page) == 1000 and indices[0] == start and indices[-1] == start - 999
    assert len({user.id for user in page}) == 1000
    assert len({user.username for user in page}) == 1000
    assert all(user.id > FOLLOWER_ID_BASE for user in page)
    # Generated alone or within a page, a follower is the same.
    assert population.by_id(page[123].id) == page[123]
    assert population.by_username(page[456].username) == page[456]
    assert population.follower_count == MILLION


def test_scalar_and_vector_generation_agree():
    population = Population(seed=2, followers=5000)
    batch = population.users_at(np.arange(100, 200))
    assert [population.users_at([i])[0] for i in range(100, 200)] == batch


def test_population_is_realistic():
    users = Population(seed=5, followers=30_000).users_at(np.arange(30_000))

    def share(predicate: Callable[[UserRecord], bool]) -> float:
        return sum(map(predicate, users)) / len(users)

    assert 0.02 < share(lambda u: u.verified) < 0.04
    assert {u.verified_type for u in users if u.verified} == {"blue", "business", "government"}
    assert 0.04 < share(lambda u: u.protected) < 0.06
    assert 0.08 < share(lambda u: not u.receives_your_dm) < 0.12
    followers = sorted(u.followers_count for u in users)
    assert followers[len(followers) // 2] < 200 < 100_000 < followers[-1]  # heavy tail
    assert any(u.name[0] in "=@" for u in users)  # formula-injection material
    assert any("founder" in u.description for u in users) and any("<b>" in u.description for u in users)
    assert any(ord(ch) > 0xFFFF for u in users for ch in u.name)  # emoji
    earliest = dt.datetime(2006, 3, 21, tzinfo=dt.UTC).timestamp()
    assert all(earliest <= u.created_at < dt.datetime(2026, 1, 2, tzinfo=dt.UTC).timestamp() for u in users)
    big = [u for u in users if u.followers_count > 10_000]
    assert np.mean([u.following_count for u in big]) > np.mean([u.following_count for u in users])


def test_unknown_ids_and_usernames_are_not_found():
    population = Population(seed=1, followers=10)
    real = population.users_at([3])[0]
    assert population.by_id(real.id + 1) is None  # wrong jitter
    assert population.by_id(FOLLOWER_ID_BASE + 50 * 1000) is None  # index beyond the population
    assert population.by_username(real.username.replace("_", "x_", 1)) is None
    assert population.by_username("ALICE_WRITES") == next(u for u in WELL_KNOWN if u.username == "alice_writes")


def test_on_a_clock_past_the_population_end_followers_are_as_active_as_on_that_date() -> None:
    """The app's Sandbox runs on the real clock: "posted in the last 30 days" must not be empty a year later."""
    import numpy as np

    from twexport_qt.core.clock import FakeClock
    from twexport_qt.sandbox.config import SandboxConfig
    from twexport_qt.sandbox.population import POPULATION_END
    from twexport_qt.sandbox.state import SandboxState

    def recent_share(now: float) -> float:
        state = SandboxState.from_config(SandboxConfig(followers=2_000, seed=5), clock=FakeClock(now))
        users = state.population.users_at(np.arange(2_000))
        posted = [u.last_posted_ms / 1000 for u in users if u.last_posted_ms is not None]
        return sum(now - 30 * 86_400 <= at <= now for at in posted) / len(posted)

    a_year_later = POPULATION_END + 334 * 86_400
    then, today = recent_share(POPULATION_END), recent_share(a_year_later)
    assert then > 0.2 and abs(today - then) < 0.1  # accounts are a year older, so a little less recent
