"""Followers answering our DMs in the sandbox: by hand in tests (`DmRecorder.reply`), or simulated for
`sandbox serve --replies RATE` (seeded share, after a delay, some opting out)."""

from __future__ import annotations

import pytest

from twexport_qt.cli import main
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.config import SandboxConfig
from twexport_qt.sandbox.dm_recorder import DmRecorder
from twexport_qt.sandbox.follower_replies import REPLY_DELAY_S, STOP_SHARE, STOP_TEXTS, FollowerReplies
from twexport_qt.sandbox.server import describe

TEST_ACCOUNT_1 = 3001


def test_a_reply_is_listed_newest_first_with_the_follower_as_sender(client, sandbox, fake_clock):
    client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="Hi Test1", user_auth=True)
    fake_clock.advance(60)
    reply = sandbox.state.dms.record(sender_id=TEST_ACCOUNT_1, participant_id=TEST_ACCOUNT_1, text="stop",
                                     now=fake_clock.now())
    listed = client.get_direct_message_events(participant_id=TEST_ACCOUNT_1, user_auth=True,
                                              dm_event_fields=["sender_id", "created_at", "dm_conversation_id"])
    newest, ours = listed.data
    assert (newest.id, newest.text, newest.sender_id) == (reply.event_id, "stop", TEST_ACCOUNT_1)
    assert ours.sender_id == SANDBOX_USER_ID and newest.id > ours.id  # snowflake-like: later means larger
    assert newest.dm_conversation_id == ours.dm_conversation_id == f"{TEST_ACCOUNT_1}-{SANDBOX_USER_ID}"
    assert sandbox.state.dms.count(TEST_ACCOUNT_1) == 1  # counts what the account sent, not what it received


def test_reply_is_a_shorthand_and_survives_in_the_state_file(tmp_path, fake_clock):
    recorder = DmRecorder(tmp_path / "state.json")
    recorder.record(sender_id=SANDBOX_USER_ID, participant_id=TEST_ACCOUNT_1, text="hi", now=fake_clock.now())
    recorder.reply(TEST_ACCOUNT_1, "thanks", fake_clock.now())
    again = DmRecorder(tmp_path / "state.json")
    assert [(e.sender_id, e.text) for e in again.events_with(TEST_ACCOUNT_1)] == [(TEST_ACCOUNT_1, "thanks"),
                                                                                  (SANDBOX_USER_ID, "hi")]
    assert again.count() == 1


def test_simulated_replies_come_once_after_the_delay_and_only_to_messaged_followers(fake_clock):
    dms, replies = DmRecorder(), FollowerReplies(rate=1.0, seed=5)
    assert replies.catch_up(dms, 42, fake_clock.now()) is None  # never messaged: nothing to answer
    dms.record(sender_id=SANDBOX_USER_ID, participant_id=42, text="Hi", now=fake_clock.now())
    fake_clock.advance(REPLY_DELAY_S - 1)
    assert replies.catch_up(dms, 42, fake_clock.now()) is None  # not yet
    fake_clock.advance(1)
    reply = replies.catch_up(dms, 42, fake_clock.now())
    assert reply is not None and reply.sender_id == 42 and reply.text == replies.text_for(42)
    dms.record(sender_id=SANDBOX_USER_ID, participant_id=42, text="Just checking in", now=fake_clock.now())
    fake_clock.advance(10 * REPLY_DELAY_S)
    assert replies.catch_up(dms, 42, fake_clock.now()) is None  # one reply per follower
    assert FollowerReplies().catch_up(dms, 43, fake_clock.now()) is None  # off by default


def test_who_replies_and_what_is_seeded_and_a_share_opts_out():
    replies = FollowerReplies(rate=0.3, seed=9)
    ids = range(1_000, 11_000)
    repliers = [uid for uid in ids if replies.replies(uid)]
    assert 0.27 < len(repliers) / len(ids) < 0.33
    stops = [uid for uid in repliers if replies.text_for(uid) in STOP_TEXTS]
    assert STOP_SHARE - 0.05 < len(stops) / len(repliers) < STOP_SHARE + 0.05
    same = FollowerReplies(rate=0.3, seed=9)
    assert [same.text_for(uid) for uid in repliers[:50]] == [replies.text_for(uid) for uid in repliers[:50]]
    assert repliers != [uid for uid in ids if FollowerReplies(rate=0.3, seed=10).replies(uid)]
    with pytest.raises(ValueError):
        FollowerReplies(rate=1.5)


def test_replies_flag_becomes_the_config_and_the_banner(monkeypatch, data_dir, capsys):
    seen = []
    monkeypatch.setattr("twexport_qt.sandbox.server.serve_forever_cli", seen.append)
    assert main(["sandbox", "serve", "--replies", "0.2"]) == 0
    assert seen[0].reply_rate == 0.2
    assert any("follower replies:    0.2" in line for line in describe(seen[0]))
    assert not any("replies" in line for line in describe(SandboxConfig()))
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", "serve", "--replies", "2"])
    assert exited.value.code == 2 and "--replies must be between 0 and 1, got 2" in capsys.readouterr().err
