"""The DM state file: a restarted sandbox still knows every DM sent, ids keep increasing, and a file that
cannot be used stops the sandbox with a clear error instead of silently forgetting what was sent."""

from __future__ import annotations

import json

import pytest

from twexport_qt.core.clock import FakeClock
from twexport_qt.sandbox import SANDBOX_USER_ID, DmRecorder, SandboxConfig, SandboxServer, SandboxStateError
from twexport_qt.sandbox.testing import running_sandbox, sandbox_client

TEST_ACCOUNT_1, TEST_ACCOUNT_2 = 3001, 3002


def test_a_restarted_sandbox_knows_the_dms_sent_before(tmp_path, fake_clock):
    state_file = tmp_path / "sandbox-state.json"
    with running_sandbox(followers=50, clock=fake_clock, state_file=state_file) as server:
        client = sandbox_client(server)
        client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="first 👋", user_auth=True)
        fake_clock.advance(10)
        client.create_direct_message(participant_id=TEST_ACCOUNT_2, text="second", user_auth=True)
        before = server.state.dms.all_events()

    earlier_clock = FakeClock(fake_clock.now() - 3600)  # even a clock set back cannot reuse an id
    with running_sandbox(followers=50, clock=earlier_clock, state_file=state_file) as server:
        assert server.state.dms.all_events() == before
        client = sandbox_client(server)
        listed = client.get_direct_message_events(participant_id=TEST_ACCOUNT_1, user_auth=True)
        assert [(event.id, event.text) for event in listed.data] == [(before[0].event_id, "first 👋")]
        sent = client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="third", user_auth=True)
        assert int(sent.data["dm_event_id"]) > before[-1].event_id

    assert [event.text for event in DmRecorder(state_file).all_events()] == ["first 👋", "second", "third"]


def test_the_file_is_plain_json_with_string_ids(tmp_path, fake_clock):
    state_file = tmp_path / "state.json"
    recorder = DmRecorder(state_file)
    event = recorder.record(sender_id=SANDBOX_USER_ID, participant_id=TEST_ACCOUNT_1, text="hi", now=fake_clock.now())
    document = json.loads(state_file.read_text(encoding="utf-8"))
    assert document == {"version": 1, "last_event_id": str(event.event_id), "events": [{
        "id": str(event.event_id), "participant_id": "3001", "sender_id": str(SANDBOX_USER_ID), "text": "hi",
        "created_at": fake_clock.now(), "dm_conversation_id": f"3001-{SANDBOX_USER_ID}"}]}
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]  # no temp file left behind


def test_a_missing_file_starts_empty_and_is_created_at_once(tmp_path):
    state_file = tmp_path / "new-state.json"
    assert DmRecorder(state_file).count() == 0
    assert json.loads(state_file.read_text(encoding="utf-8"))["events"] == []


@pytest.mark.parametrize("content", ["{not json", "[]", '{"version": 99, "last_event_id": "0", "events": []}',
                                     '{"version": 1, "last_event_id": "0", "events": [{"id": "1"}]}'])
def test_an_unusable_file_is_a_clear_error_and_is_left_alone(tmp_path, content):
    state_file = tmp_path / "state.json"
    state_file.write_text(content, encoding="utf-8")
    with pytest.raises(SandboxStateError, match="not a valid DM record") as raised:
        SandboxServer(SandboxConfig(state_file=state_file))
    assert str(state_file) in str(raised.value) and "delete it" in str(raised.value)
    assert state_file.read_text(encoding="utf-8") == content


def test_an_unwritable_place_fails_at_start(tmp_path):
    with pytest.raises(SandboxStateError, match="cannot write"):
        DmRecorder(tmp_path / "no-such-dir" / "state.json")


def test_without_a_state_file_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recorder = DmRecorder()
    recorder.record(sender_id=SANDBOX_USER_ID, participant_id=TEST_ACCOUNT_1, text="hi", now=0.0)
    assert list(tmp_path.iterdir()) == []
