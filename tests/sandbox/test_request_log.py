"""The request log: one JSON line per request, written before the answer, with what tests of real app
processes need to see (endpoint, query with pagination tokens, status, fault, item count, DM participant)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import tweepy

from twexport_qt.sandbox import Endpoint, read_entries
from twexport_qt.sandbox.testing import running_sandbox, sandbox_client

FIELDS = {"t", "method", "endpoint", "path", "query", "status", "fault", "items", "auth", "participant_id",
          "dm_event_id"}


@pytest.fixture
def logged(tmp_path, fake_clock):
    log = tmp_path / "requests.jsonl"
    with running_sandbox(followers=1500, clock=fake_clock, request_log=log) as server:
        yield server, log


def test_pages_show_their_items_and_tokens(logged, fake_clock):
    server, log = logged
    client = sandbox_client(server)
    me = server.state.population.me.id
    first = client.get_users_followers(me, max_results=1000, user_auth=True)
    fake_clock.advance(60)
    client.get_users_followers(me, max_results=1000, pagination_token=first.meta["next_token"], user_auth=True)
    client.get_users_followers(2001, user_auth=True)  # someone else's: an empty page
    lines = read_entries(log)
    assert all(set(line) == FIELDS for line in lines)
    assert [(line["endpoint"], line["status"], line["items"], line["fault"]) for line in lines] == [
        ("followers", 200, 1000, None), ("followers", 200, 500, None), ("followers", 200, 0, None)]
    assert lines[0]["query"]["max_results"] == "1000" and "pagination_token" not in lines[0]["query"]
    assert lines[1]["query"]["pagination_token"] == first.meta["next_token"]
    assert (lines[0]["method"], lines[0]["path"], lines[0]["auth"]) == ("GET", f"/2/users/{me}/followers", "user")
    assert lines[1]["t"] == lines[0]["t"] + 60 == fake_clock.now()


def test_dm_sends_show_participant_and_event_even_when_dropped(logged):
    server, log = logged
    client = sandbox_client(server)
    sent = client.create_direct_message(participant_id=3001, text="hi", user_auth=True)
    server.state.faults.fail_next(Endpoint.DM_SEND, kind="sent-then-drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        client.create_direct_message(participant_id=3002, text="hi", user_auth=True)
    server.state.faults.fail_next(Endpoint.DM_SEND, kind="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        client.create_direct_message(participant_id=3003, text="hi", user_auth=True)
    dropped_event = server.state.dms.events_with(3002)[0].event_id
    assert [(line["participant_id"], line["status"], line["fault"], line["dm_event_id"], line["items"])
            for line in read_entries(log)] == [
        (3001, 201, None, sent.data["dm_event_id"], None),
        (3002, None, "sent-then-drop", str(dropped_event), None),
        (3003, None, "drop", None, None)]


def test_refusals_and_unknown_routes_are_logged_too(logged):
    server, log = logged
    with pytest.raises(tweepy.Unauthorized):
        sandbox_client(server, consumer_secret="wrong").get_me()
    requests.get(f"{server.base_url}/2/nowhere?x=1", timeout=5)
    server.state.faults.fail_next(Endpoint.USERS_ME, kind="429-bare")
    with pytest.raises(tweepy.TooManyRequests):
        sandbox_client(server).get_me()
    assert [(line["endpoint"], line["status"], line["auth"], line["fault"], line["query"])
            for line in read_entries(log)] == [
        ("users_me", 401, None, None, {}), (None, 404, None, None, {"x": "1"}),
        ("users_me", 429, "user", "429-bare", {})]


def test_concurrent_requests_give_whole_lines(logged):
    server, log = logged

    def work() -> None:
        client = sandbox_client(server, user_auth=False)
        for _ in range(10):
            client.get_user(username="alice_writes")

    with ThreadPoolExecutor(max_workers=6) as pool:
        clients = [pool.submit(work) for _ in range(6)]
    for finished in clients:
        finished.result()  # a failure in a client thread fails the test here
    lines = read_entries(log)
    assert len(lines) == 60 and {(line["endpoint"], line["status"], line["auth"]) for line in lines} == {
        ("users_lookup", 200, "app")}


def test_a_stopped_and_restarted_server_appends(tmp_path, fake_clock):
    log = tmp_path / "requests.jsonl"
    for _ in range(2):
        with running_sandbox(followers=5, clock=fake_clock, request_log=log) as server:
            sandbox_client(server).get_me()
    assert len(read_entries(log)) == 2
