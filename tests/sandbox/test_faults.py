"""Fault injection through tweepy (5xx, dropped connections, slow answers) and its determinism."""

from __future__ import annotations

import pytest
import requests
import tweepy

from twexport_qt.sandbox import Endpoint, FaultConfig, FaultInjector


def test_fail_next_500_then_recovers(sandbox, client):
    sandbox.state.faults.fail_next("users_me", kind="500")
    with pytest.raises(tweepy.TwitterServerError) as raised:
        client.get_me()
    assert raised.value.response.status_code == 500
    assert client.get_me().data.username == "sandbox_creator"


def test_503_and_count(sandbox, client):
    sandbox.state.faults.fail_next(Endpoint.USERS_ME, kind="503", count=2)
    for _ in range(2):
        with pytest.raises(tweepy.TwitterServerError) as raised:
            client.get_me()
        assert raised.value.response.status_code == 503
    client.get_me()


def test_faults_do_not_spend_the_rate_budget(sandbox, raw_client):
    sandbox.state.faults.fail_next("users_me", kind="500")
    with pytest.raises(tweepy.TwitterServerError):
        raw_client.get_me()
    assert raw_client.get_me().headers["x-rate-limit-remaining"] == "74"


def test_dropped_connection_is_a_connection_error(sandbox, client):
    sandbox.state.faults.fail_next("followers", kind="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        client.get_users_followers(sandbox.state.population.me.id, user_auth=True)
    assert client.get_users_followers(sandbox.state.population.me.id, user_auth=True).data


def test_slow_fault_delays_then_answers(sandbox, client):
    delays: list[float] = []
    sandbox.state.faults.sleep = delays.append  # record instead of waiting
    sandbox.state.faults.fail_next("users_me", kind="slow")
    assert client.get_me().data.username == "sandbox_creator"
    assert delays == [sandbox.state.faults.config.slow_seconds]


def test_random_faults_are_seeded_and_can_target_endpoints():
    config = FaultConfig(error_rate=0.2, drop_rate=0.1, slow_rate=0.1, seed=9,
                         endpoints=frozenset({"followers"}))
    first, second = FaultInjector(config), FaultInjector(config)
    sequence = [getattr(first.draw("followers"), "kind", None) for _ in range(200)]
    assert sequence == [getattr(second.draw("followers"), "kind", None) for _ in range(200)]
    assert {"500", "503", "drop", "slow", None} == set(sequence)
    assert 0.3 < sum(kind is not None for kind in sequence) / 200 < 0.5
    assert all(first.draw("users_me") is None for _ in range(50))


def test_rates_are_validated():
    with pytest.raises(ValueError):
        FaultConfig(error_rate=0.7, drop_rate=0.5)
