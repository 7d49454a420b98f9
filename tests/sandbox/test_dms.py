"""DM endpoints through tweepy: send, refusal, recorder, listing the conversation for reconciliation."""

from __future__ import annotations

import pytest
import tweepy

from twexport_qt.sandbox import SANDBOX_USER_ID

TEST_ACCOUNT_1 = 3001


def test_send_dm_is_201_and_recorded(client, sandbox):
    response = client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="Hi Test1 👋", user_auth=True)
    assert response.data["dm_conversation_id"] == f"{TEST_ACCOUNT_1}-{SANDBOX_USER_ID}"
    dms = sandbox.state.dms
    assert dms.count() == dms.count(participant_id=TEST_ACCOUNT_1) == 1
    event = dms.events_with(TEST_ACCOUNT_1)[0]
    assert (str(event.event_id), event.text) == (response.data["dm_event_id"], "Hi Test1 👋")


def test_follower_who_refuses_dms_gets_403_and_nothing_is_recorded(client, sandbox):
    population = sandbox.state.population
    refuser = next(user for user in population.users_at(range(200)) if not user.receives_your_dm)
    with pytest.raises(tweepy.Forbidden):
        client.create_direct_message(participant_id=refuser.id, text="hello", user_auth=True)
    assert sandbox.state.dms.count() == 0


def test_dm_needs_user_context(app_client):
    with pytest.raises(tweepy.Forbidden):
        app_client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="hi", user_auth=False)


def test_empty_text_is_400(client):
    with pytest.raises(tweepy.BadRequest):
        client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="", user_auth=True)


def test_dm_events_list_newest_first_with_pagination(client, fake_clock):
    for n in range(3):
        client.create_direct_message(participant_id=TEST_ACCOUNT_1, text=f"message {n}", user_auth=True)
        fake_clock.advance(5)
    client.create_direct_message(participant_id=3002, text="other conversation", user_auth=True)
    first = client.get_direct_message_events(participant_id=TEST_ACCOUNT_1, max_results=2, user_auth=True,
                                             dm_event_fields=["sender_id", "created_at"])
    assert [event.text for event in first.data] == ["message 2", "message 1"]
    assert first.data[0].sender_id == SANDBOX_USER_ID
    rest = client.get_direct_message_events(participant_id=TEST_ACCOUNT_1, max_results=2,
                                            pagination_token=first.meta["next_token"], user_auth=True)
    assert [event.text for event in rest.data] == ["message 0"]
    assert "next_token" not in rest.meta


def test_dm_events_carry_sender_and_time_only_when_asked(client):
    client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="hello", user_auth=True)
    bare = client.get_direct_message_events(participant_id=TEST_ACCOUNT_1, user_auth=True).data[0]
    assert set(bare.data) == {"id", "event_type", "text"}  # X's defaults
    asked = client.get_direct_message_events(participant_id=TEST_ACCOUNT_1, user_auth=True,
                                             dm_event_fields=["sender_id", "created_at"]).data[0]
    assert asked.sender_id == SANDBOX_USER_ID and asked.created_at is not None


def test_dm_send_budget_is_15_per_15_minutes(client, fake_clock):
    for n in range(15):
        client.create_direct_message(participant_id=TEST_ACCOUNT_1, text=f"m{n}", user_auth=True)
    with pytest.raises(tweepy.TooManyRequests) as raised:
        client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="one too many", user_auth=True)
    assert raised.value.reset_time >= fake_clock.now() + 899
    fake_clock.advance(901)
    client.create_direct_message(participant_id=TEST_ACCOUNT_1, text="next window", user_auth=True)
