"""Fault injection through tweepy (5xx, dropped connections, slow answers, errors-only 200s, 429 storms,
sends processed before a dropped connection) and its determinism."""

from __future__ import annotations

import time

import pytest
import requests
import tweepy

from twexport_qt.core.clock import FakeClock
from twexport_qt.sandbox import Endpoint, FaultConfig, FaultInjector, FaultKind, read_entries
from twexport_qt.sandbox.testing import running_sandbox, sandbox_client


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


# --- X's other failure modes: errors-only 200s, 429 storms, sends processed before a dropped connection ---

RATE_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")
TEST_ACCOUNT_1 = 3001


def test_errors_only_is_a_200_with_only_errors_and_spends_budget(sandbox, raw_client):
    sandbox.state.faults.fail_next(Endpoint.USERS_ME, kind="errors-only")
    response = raw_client.get_me()
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["errors"]  # no data, no meta
    assert body["errors"][0]["type"] == "https://api.twitter.com/2/problems/resource-unavailable"
    assert "resource_type" not in body["errors"][0]  # not about a suspended/protected account
    assert response.headers["x-rate-limit-remaining"] == "74"  # X counts it
    assert raw_client.get_me().headers["x-rate-limit-remaining"] == "73"


def test_errors_only_through_tweepy_objects_has_no_data(sandbox, client):
    sandbox.state.faults.fail_next(Endpoint.FOLLOWERS, kind="errors-only")
    page = client.get_users_followers(sandbox.state.population.me.id, user_auth=True)
    assert page.data is None and page.meta == {} and page.errors[0]["title"] == "Service Unavailable"


def test_errors_only_dm_send_records_nothing(sandbox, client):
    sandbox.state.faults.fail_next(Endpoint.DM_SEND, kind="errors-only")
    response = client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="hello", user_auth=True)
    assert response.data is None and response.errors
    assert sandbox.state.dms.count() == 0


def test_429_storm_has_rate_headers_and_ends_after_storm_seconds(sandbox, raw_client, fake_clock):
    me = sandbox.state.population.me.id
    fake_clock.advance(0.5)  # the reset is the storm's end rounded up
    storm_end = fake_clock.now() + sandbox.state.faults.config.storm_seconds
    sandbox.state.faults.fail_next(Endpoint.FOLLOWERS, kind="429")
    for _ in range(2):
        with pytest.raises(tweepy.TooManyRequests) as raised:
            raw_client.get_users_followers(me, user_auth=True)
        headers = raised.value.response.headers
        assert {name: headers[name] for name in RATE_HEADERS} == {
            "x-rate-limit-limit": "300", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(storm_end) + 1)}
        assert raised.value.reset_time == int(storm_end) + 1
        assert raised.value.response.json()["title"] == "Too Many Requests"
        fake_clock.advance(1)
    assert raw_client.get_me().status_code == 200  # the storm is on one endpoint only
    fake_clock.advance(storm_end - fake_clock.now())
    answer = raw_client.get_users_followers(me, user_auth=True)
    assert answer.status_code == 200
    assert answer.headers["x-rate-limit-remaining"] == "299"  # storm answers spent no budget
    storms = [fault for fault in sandbox.state.faults.injected if fault.kind == "429"]
    assert len(storms) == 2 and {fault.storm_until for fault in storms} == {storm_end}


def test_429_bare_storm_has_no_rate_headers(fake_clock):
    with running_sandbox(followers=50, clock=fake_clock, faults=FaultConfig(storm_seconds=10)) as server:
        client = sandbox_client(server)
        server.state.faults.fail_next(Endpoint.USERS_ME, kind="429-bare")
        for _ in range(3):
            with pytest.raises(tweepy.TooManyRequests) as raised:
                client.get_me()
            assert raised.value.reset_time is None
            assert not [name for name in raised.value.response.headers if name.startswith("x-rate-limit")]
            fake_clock.advance(3)
        fake_clock.advance(1)  # 12 s > 10 s
        assert client.get_me().data.username == "sandbox_creator"


def test_two_queued_storms_follow_each_other(sandbox, client, fake_clock):
    sandbox.state.faults.fail_next(Endpoint.USERS_ME, kind="429", count=2)
    for _ in range(2):
        with pytest.raises(tweepy.TooManyRequests):
            client.get_me()
        fake_clock.advance(3)
    client.get_me()


def test_sent_then_drop_records_the_dm_spends_budget_and_drops(sandbox, client, raw_client):
    sandbox.state.faults.fail_next(Endpoint.DM_SEND, kind="sent-then-drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="did it go?", user_auth=True)
    assert [event.text for event in sandbox.state.dms.events_with(TEST_ACCOUNT_1)] == ["did it go?"]
    conversation = client.get_direct_message_events(participant_id=TEST_ACCOUNT_1, user_auth=True)
    assert [event.text for event in conversation.data] == ["did it go?"]  # the reconcile path can see it
    sent = raw_client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="again", user_auth=True)
    assert sent.headers["x-rate-limit-remaining"] == "13"  # 15 - the dropped one - this one


def test_drop_processes_nothing_and_spends_no_budget(sandbox, client, raw_client):
    sandbox.state.faults.fail_next(Endpoint.DM_SEND, kind="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="lost", user_auth=True)
    assert sandbox.state.dms.count() == 0
    sent = raw_client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="again", user_auth=True)
    assert sent.headers["x-rate-limit-remaining"] == "14"


def test_slow_send_is_processed_even_if_the_client_timed_out(sandbox):
    sandbox.state.faults.configure(FaultConfig(slow_seconds=0.4))
    sandbox.state.faults.fail_next(Endpoint.DM_SEND, kind="slow")
    impatient = sandbox_client(sandbox, timeout=(2.0, 0.1))
    with pytest.raises(requests.exceptions.ReadTimeout):
        impatient.create_direct_message(participant_id=TEST_ACCOUNT_1, text="slowly", user_auth=True)
    deadline = time.monotonic() + 3
    while sandbox.state.dms.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [event.text for event in sandbox.state.dms.all_events()] == ["slowly"]


def test_a_fault_that_spends_budget_waits_behind_x_own_429(fake_clock):
    with running_sandbox(followers=50, clock=fake_clock, rate_limits={"dm_send": [(1, 60)]}) as server:
        client = sandbox_client(server)
        client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="one", user_auth=True)
        server.state.faults.fail_next(Endpoint.DM_SEND, kind="sent-then-drop")
        with pytest.raises(tweepy.TooManyRequests):  # the budget is spent: X's 429 comes first
            client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="two", user_auth=True)
        assert server.state.faults.injected == []
        fake_clock.advance(60)
        with pytest.raises(requests.exceptions.ConnectionError):  # the queued fault hits the next one through
            client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="three", user_auth=True)
        assert [event.text for event in server.state.dms.all_events()] == ["one", "three"]
        assert [fault.kind for fault in server.state.faults.injected] == ["sent-then-drop"]


def _draw_kinds(config: FaultConfig, count: int) -> list[str | None]:
    clock = FakeClock()
    injector = FaultInjector(config, clock=clock)
    kinds = []
    for _ in range(count):
        kinds.append(getattr(injector.draw("followers"), "kind", None))
        clock.advance(config.storm_seconds)  # past any storm, so every draw is a fresh one
    return kinds


def test_random_new_kinds_are_seeded_and_all_reachable():
    config = FaultConfig(rates=dict.fromkeys(FaultKind, 0.08), seed=5)
    sequence = _draw_kinds(config, 400)
    assert sequence == _draw_kinds(config, 400)
    assert set(sequence) == {*FaultKind, None}
    assert 0.55 < sum(kind is not None for kind in sequence) / 400 < 0.75
    assert _draw_kinds(FaultConfig(rates=dict.fromkeys(FaultKind, 0.08), seed=6), 400) != sequence


def test_new_rates_leave_the_original_sequence_alone():
    legacy = FaultConfig(error_rate=0.2, drop_rate=0.1, slow_rate=0.1, seed=9)
    extended = FaultConfig(error_rate=0.2, drop_rate=0.1, slow_rate=0.1, seed=9, rates={"errors-only": 0.2})
    for before, after in zip(_draw_kinds(legacy, 300), _draw_kinds(extended, 300)):
        assert after == before or (before is None and after == FaultKind.ERRORS_ONLY)


def test_storm_answers_take_no_random_draw(fake_clock):
    config = FaultConfig(rates={"429": 0.5, "500": 0.5}, seed=0)
    reference = _draw_kinds(config, 6)  # the clock moves past every storm: one random draw per request
    assert reference[0] == "429"
    injector = FaultInjector(config, clock=fake_clock)
    first = injector.draw("followers")
    storm = [injector.draw("followers") for _ in range(3)]
    assert all(fault.kind == "429" and fault.storm_until == first.storm_until for fault in storm)
    assert injector.draw("users_me") is not None  # other endpoints still draw (and use up the generator)
    after = []
    for _ in range(4):
        fake_clock.advance(config.storm_seconds)
        after.append(getattr(injector.draw("followers"), "kind", None))
    assert after == reference[2:]


def test_random_faults_through_http_are_reproducible(tmp_path):
    config = FaultConfig(rates={"errors-only": 0.15, "429": 0.1, "429-bare": 0.1, "sent-then-drop": 0.1,
                                "500": 0.1, "drop": 0.1}, seed=21, endpoints=frozenset({"users_me"}))

    def run(name: str) -> list[tuple[int | None, str | None]]:
        clock = FakeClock()
        log = tmp_path / f"{name}.jsonl"
        with running_sandbox(followers=10, clock=clock, faults=config, request_log=log,
                             rate_limits={"users_me": [(1000, 60)]}) as server:
            client = sandbox_client(server)
            for _ in range(40):
                try:
                    client.get_me()
                except (tweepy.TweepyException, requests.exceptions.ConnectionError):
                    pass
                clock.advance(5)  # past any storm
        return [(line["status"], line["fault"]) for line in read_entries(log)]

    first = run("first")
    assert first == run("second")
    assert {fault for _, fault in first} == {None, "errors-only", "429", "429-bare", "sent-then-drop", "500", "drop"}
    assert all(status is None for status, fault in first if fault in ("drop", "sent-then-drop"))


def test_new_fault_config_is_validated():
    with pytest.raises(ValueError):
        FaultConfig(rates={"nope": 0.1})
    with pytest.raises(ValueError):
        FaultConfig(error_rate=0.5, rates={"errors-only": 0.6})
    with pytest.raises(ValueError):
        FaultConfig(storm_seconds=0)
    with pytest.raises(ValueError):
        FaultInjector().fail_next("users_me", kind="418")
    assert FaultConfig(rates={"500": 0.1, "503": 0.2, "drop": 0.7}).rates[FaultKind.DROP] == 0.7  # float sums
