"""Scripted churn on the sandbox population: deterministic days of gains and losses, and the follower list that
history tests take for the truth."""

from __future__ import annotations

import pytest

from twexport_qt.core.clock import FakeClock
from twexport_qt.sandbox.population import Population
from twexport_qt.sandbox.testing import DAY_S, churn


def test_a_day_loses_and_gains_exactly_as_scripted():
    population = Population(seed=5, followers=300)
    before = population.follower_ids()
    clock = FakeClock()
    start = clock.now()
    day = churn(population, joined=12, left=7, clock=clock)
    assert clock.now() == start + DAY_S
    assert len(set(day.left)) == 7 and set(day.left) <= set(before)
    assert day.followers == population.follower_ids() and len(day.followers) == 300 - 7 + 12
    assert day.followers[:12] == day.joined  # the newest come first, as X lists them
    assert not set(day.left) & set(day.followers)
    assert [population.by_id(user_id) is not None for user_id in day.joined] == [True] * 12


def test_the_same_script_gives_the_same_days():
    first, second = Population(seed=9, followers=200), Population(seed=9, followers=200)
    days = [(churn(first, joined=3, left=4, seed=day), churn(second, joined=3, left=4, seed=day)) for day in range(3)]
    assert all(a == b for a, b in days)
    assert churn(first, joined=0, left=4, seed=1).left != churn(second, joined=0, left=4, seed=2).left


def test_follower_ids_are_the_api_order():
    population = Population(seed=3, followers=40)
    population.unfollow(population.follower_ids()[5:8])
    listed = [user.id for user in population.users_at(population.follower_indices_desc(10**9, 100))]
    assert population.follower_ids() == listed


def test_cannot_lose_more_than_there_are():
    with pytest.raises(ValueError, match="cannot lose"):
        churn(Population(seed=1, followers=3), joined=0, left=4)
