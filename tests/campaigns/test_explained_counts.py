"""Results that explain themselves: a dry run names the daily cap and what fits today; a test send that sends
nothing says why; an edited message can be tested again (once), while the live log is never re-sent."""

from __future__ import annotations

import dataclasses

from tests.campaigns.campaign_support import live, run
from tests.campaigns.conftest import OWNER_ID, App
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.store import dm_repo

TEST_ACCOUNTS = ["test_account_1", "test_account_2", "test_account_3"]


def trial(**overrides) -> CampaignSettings:
    values = {"message": "Hi {first_name}", "retry_message": "Again {first_name}", "dm_enabled": True,
                  "test_accounts": TEST_ACCOUNTS[:2]}
    return CampaignSettings(**{**values, **overrides})


def texts_to(app: App, user_id: int) -> list[str]:
    return sorted(event.text for event in app.server.state.dms.events_with(user_id))


def test_a_dry_run_names_the_daily_cap_and_how_many_of_the_due_dms_fit_today(app):
    result = run(app, live(retry_message="", daily_cap=20, dry_run=True))
    assert result.summary() == (
        "51 due; 20 would be sent today (daily cap 20, 0 sent in the last 24 hours); 9 skipped because they "
        "don't accept DMs; 31 wait for the following days (the plan shows when). Only recorded, nothing was sent.")
    assert app.server.state.dms.count() == 0


def test_a_dry_run_counts_the_dms_already_sent_in_the_last_24_hours(app):
    assert run(app, live(retry_message="", daily_cap=20)).sent == 20  # a live run fills today's cap
    result = run(app, live(retry_message="", daily_cap=20, dry_run=True))
    assert result.summary().startswith(
        "31 due; 0 would be sent today (daily cap 20, 20 sent in the last 24 hours); 0 skipped because they don't "
        "accept DMs; 31 wait for the following days")


def test_a_second_test_send_says_why_it_sends_nothing(app):
    assert run(app, trial()).sent == 2
    again = run(app, trial())
    assert again.sent == 0
    assert again.summary() == ("0 sent: both test accounts already got this exact text; change the message to test "
                               "it again.")
    one = run(app, trial(test_accounts=TEST_ACCOUNTS[:1]))
    assert one.summary().startswith("0 sent: the test account @test_account_1 already got this exact text")
    retry = trial(test_retry_message=True)
    assert run(app, retry).sent == 2
    assert run(app, retry).summary().startswith("0 sent: both test accounts already got this exact retry text; "
                                                "change the retry message to test it again")


def test_an_edited_message_is_tested_again_once_and_a_new_account_alone_gets_the_same_text(app):
    assert run(app, trial()).sent == 2
    edited = trial(message="Hello {first_name}, welcome")
    assert run(app, edited).sent == 2
    assert texts_to(app, 3001) == ["Hello Test1, welcome", "Hi Test1"]
    assert texts_to(app, 3002) == ["Hello Test2, welcome", "Hi Test2"]
    third = run(app, edited)
    assert third.sent == 0 and "already got this exact text" in third.summary()
    assert app.server.state.dms.count() == 4

    widened = run(app, dataclasses.replace(edited, test_accounts=TEST_ACCOUNTS))
    assert widened.sent == 1 and texts_to(app, 3003) == ["Hello Test3, welcome"]
    assert "not sent again: @test_account_1 and @test_account_2 already got this exact text" in widened.summary()
    rows = {row.recipient_id: row for row in dm_repo.status_rows(app.conn, OWNER_ID, "test")}
    assert {row.text for row in rows.values()} == {"Hello Test1, welcome", "Hello Test2, welcome",
                                                   "Hello Test3, welcome"}
    assert dm_repo.counts(app.conn, OWNER_ID, "live") == {}


def test_a_live_dm_is_never_sent_again_whatever_the_text(app):
    sent = run(app, live(retry_message="", daily_cap=5))
    assert sent.sent == 5
    recipient = next(row for row in dm_repo.status_rows(app.conn, OWNER_ID, "live") if row.state == "sent")
    with app.conn:
        assert not dm_repo.claim(app.conn, OWNER_ID, recipient.recipient_id, recipient.recipient_username, "first",
                                 "live", "A brand new text", int(app.clock.now()))
    assert dm_repo.get(app.conn, OWNER_ID, recipient.recipient_id, "first", "live").text == recipient.text
    app.clock.advance(86_400)
    run(app, live(retry_message="", daily_cap=5, message="A brand new text {name}"))
    assert len(app.server.state.dms.events_with(recipient.recipient_id)) == 1


def test_an_unconfirmed_test_send_is_not_retaken_by_a_new_text(app):
    with app.conn:
        assert dm_repo.claim(app.conn, OWNER_ID, 3001, "test_account_1", "first", "test", "Old", 100)
        assert not dm_repo.claim(app.conn, OWNER_ID, 3001, "test_account_1", "first", "test", "New", 200)
    assert dm_repo.get(app.conn, OWNER_ID, 3001, "first", "test").text == "Old"
