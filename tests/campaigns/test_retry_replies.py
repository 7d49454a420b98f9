"""Retries honour the person's answer: no retry after a reply, an opt-out ends all contact, and a history that
cannot be read holds the retry instead of sending it blindly. Against the sandbox, on a FakeClock."""

from __future__ import annotations

import dataclasses

import pytest

from tests.campaigns.campaign_support import live, run
from tests.campaigns.conftest import OWNER_ID, SANDBOX_FOLLOWERS, App
from twexport_qt.campaigns.planner import plan_campaign, preview
from twexport_qt.campaigns.retry_guard import MAX_UNREADABLE_IN_A_ROW
from twexport_qt.campaigns.settings import CampaignSettings, InvalidCampaignSettings
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.follower_replies import REPLY_TEXTS, STOP_TEXTS
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.store import dm_repo

DAY = 86_400
PACER_ATTEMPTS = 6  # the Pacer's first try and 5 retries of an error it retries


def accepting(app: App) -> list[int]:
    return sorted(row[0] for row in app.conn.execute("SELECT user_id FROM followers WHERE receives_your_dm = 1"))


def history_reads(app: App) -> list[str]:
    """Every DM-history request the app made, from the response hook (one per attempt)."""
    reads: list[str] = []
    app.gateway.client.session.hooks["response"].append(
        lambda response, *args, **kwargs: reads.append(response.request.url)
        if "/dm_events" in response.request.url else None)
    return reads


def retry_row(app: App, user_id: int, mode: str = "live"):
    return dm_repo.get(app.conn, OWNER_ID, user_id, "retry", mode)


def after_first_dms(app: App, days_later: float = 8) -> None:
    assert run(app, live()).sent == len(accepting(app))
    app.clock.advance(days_later * DAY)


def test_a_follower_who_replied_gets_no_retry_and_the_reply_is_recorded_without_its_text(app):
    replier, quiet, chatted_before = accepting(app)[:3]
    app.server.state.dms.reply(chatted_before, "hey, long time no see", app.clock.now())  # before the campaign
    app.clock.advance(60)
    run(app, live())
    app.clock.advance(DAY)
    reply = app.server.state.dms.reply(replier, "Thanks, will do!", app.clock.now())
    app.clock.advance(7 * DAY)

    result = run(app, live())

    row = retry_row(app, replier)
    assert (row.state, row.reason) == ("skipped", "replied") and dm_repo.REPLIED_REASON == "replied"
    assert app.dms_sent_to(replier) == 1  # the first DM only: no retry went out
    [recorded] = dm_repo.replies_from(app.conn, OWNER_ID, replier)
    assert (recorded.event_id, recorded.created_at, recorded.opt_out) == (str(reply.event_id), int(reply.created_at),
                                                                         False)
    assert not dm_repo.is_do_not_contact(app.conn, OWNER_ID, replier)
    assert app.dms_sent_to(quiet) == app.dms_sent_to(chatted_before) == 2  # no reply: the retry goes out
    assert dm_repo.replies_from(app.conn, OWNER_ID, chatted_before) == []  # a message before our DM is no reply
    assert (result.replied, result.opted_out, result.retries_held) == (1, 0, 0)
    assert result.sent == len(accepting(app)) - 1 and result.stop_reason == "done"
    assert "1 retry not sent because the follower replied" in result.summary()
    stored = app.conn.execute("SELECT * FROM dm_replies").fetchall()
    assert len(stored) == 1 and not any("will do" in str(value) for value in stored[0])  # never the text


def test_an_opt_out_goes_on_the_do_not_contact_list_and_gets_nothing_more_ever(app):
    stopper, polite = accepting(app)[:2]
    after_first_dms(app, days_later=2)
    app.server.state.dms.reply(stopper, "STOP please", app.clock.now())
    app.server.state.dms.reply(polite, "don't stop, love these", app.clock.now())
    app.clock.advance(6 * DAY)

    result = run(app, live())

    assert (result.replied, result.opted_out) == (2, 1)
    assert "1 of them asked to get no more DMs" in result.message
    [entry] = [e for e in dm_repo.do_not_contact_list(app.conn, OWNER_ID) if e.user_id == stopper]
    assert entry.reason == "opted out: stop" and entry.reason.startswith(dm_repo.OPT_OUT_REASON_PREFIX)
    assert [r.opt_out for r in dm_repo.replies_from(app.conn, OWNER_ID, stopper)] == [True]
    assert not dm_repo.is_do_not_contact(app.conn, OWNER_ID, polite)  # replied (no retry), did not opt out
    assert retry_row(app, polite).reason == "replied"
    for _ in range(3):  # later runs, months later: nothing more for either
        app.clock.advance(40 * DAY)
        run(app, live())
    assert app.dms_sent_to(stopper) == app.dms_sent_to(polite) == 1


@pytest.mark.parametrize("fault", ["errors-only", "500"])
def test_an_unreadable_history_holds_the_retry_until_a_run_can_read_it(app, fault):
    after_first_dms(app)
    app.server.state.faults.fail_next(Endpoint.DM_EVENTS, kind=fault, count=PACER_ATTEMPTS)  # the first read fails

    result = run(app, live())

    [held] = [uid for uid in accepting(app) if retry_row(app, uid) is None]
    assert app.dms_sent_to(held) == 1  # never sent blindly
    assert result.retries_held == 1 and result.sent == len(accepting(app)) - 1
    assert result.stop_reason == "error"
    assert "1 retry not sent this run: X's DM history could not be read" in result.message
    assert "due for the next run" in result.summary()

    result = run(app, live())  # X answers again: the held retry goes out

    assert (result.sent, result.retries_held, result.stop_reason) == (1, 0, "done")
    assert app.dms_sent_to(held) == 2


def test_when_x_keeps_failing_the_remaining_retries_are_held_without_reading(app):
    after_first_dms(app)
    reads = history_reads(app)
    app.server.state.faults.fail_next(Endpoint.DM_EVENTS, kind="500", count=PACER_ATTEMPTS * MAX_UNREADABLE_IN_A_ROW)

    result = run(app, live())

    assert len(reads) == PACER_ATTEMPTS * MAX_UNREADABLE_IN_A_ROW  # three conversations tried, then no more reads
    assert (result.sent, result.retries_held) == (0, len(accepting(app)))
    assert app.server.state.dms.count() == len(accepting(app))  # first DMs only
    assert run(app, live()).sent == len(accepting(app))  # next run: all read and sent


def test_dm_history_is_read_only_for_retries_about_to_be_sent(app):
    reads = history_reads(app)
    run(app, live())  # first DMs: no reads
    assert reads == []
    app.clock.advance(6 * DAY)
    run(app, live())  # no retry due yet
    run(app, live(dry_run=True))  # a dry run reads nothing (and pays nothing)
    assert reads == []
    app.clock.advance(2 * DAY)

    result = run(app, live(daily_cap=10))  # only 10 retries fit today: only those 10 conversations are read

    assert result.sent == 10 and len(reads) == 10
    retried = {row.recipient_id for row in dm_repo.status_rows(app.conn, OWNER_ID) if row.step == "retry"}
    assert {int(url.split("/with/")[1].split("/")[0]) for url in reads} == retried
    assert app.pacer.rate_limit_waits == 0 and 429 not in app.statuses  # paced, never refused


def test_test_mode_checks_the_test_accounts_reply_to_the_test_first_dm(app):
    settings = CampaignSettings(message="Hi {first_name}", retry_message="Again {first_name}", dm_enabled=True,
                                test_accounts=["test_account_1", "test_account_2"])
    run(app, settings)
    app.clock.advance(60)
    app.server.state.dms.reply(3001, "Stop", app.clock.now())
    reads = history_reads(app)

    result = run(app, dataclasses.replace(settings, test_retry_message=True))

    assert (result.sent, result.replied, result.opted_out) == (1, 1, 1) and len(reads) == 2
    assert retry_row(app, 3001, "test").reason == "replied"
    assert next(e.text for e in app.server.state.dms.events_with(3002)) == "Again Test2"
    assert dm_repo.is_do_not_contact(app.conn, OWNER_ID, 3001)


def test_a_first_dm_imported_from_another_tool_is_compared_by_time(app):
    """The old tool's DMs have no event id (and are not in the sandbox's history): times decide."""
    replied, quiet = accepting(app)[:2]
    sent_at = int(app.clock.now())
    with app.conn:
        for user_id in (replied, quiet):
            dm_repo.record_imported(app.conn, OWNER_ID, user_id, f"user{user_id}", "first", "sent", reason="",
                                    at=sent_at)
    app.server.state.dms.reply(quiet, "an old conversation", sent_at - DAY)  # before the imported DM
    app.clock.advance(DAY)
    app.server.state.dms.reply(replied, "got it, thanks", app.clock.now())
    app.clock.advance(7 * DAY)

    run(app, live())

    assert retry_row(app, replied).reason == "replied" and app.dms_sent_to(replied) == 0  # the old tool sent the first
    assert retry_row(app, quiet).state == "sent" and app.dms_sent_to(quiet) == 1


def test_the_opt_out_line_ends_previews_test_sends_and_live_dms(app):
    line = "Reply STOP to opt out."
    settings = live(opt_out_line=line)
    plan = plan_campaign(app.conn, OWNER_ID, settings, int(app.clock.now()))
    assert all(dm.text.endswith(f"!\n\n{line}") for dm in preview(plan))
    run(app, CampaignSettings(message="Hi {first_name}", dm_enabled=True, test_accounts=["test_account_1"],
                              opt_out_line=line))
    assert [e.text for e in app.server.state.dms.events_with(3001)] == [f"Hi Test1\n\n{line}"]
    run(app, settings)
    assert all(app.server.state.dms.events_with(uid)[0].text.endswith(f"!\n\n{line}") for uid in accepting(app))


def test_the_opt_out_line_is_off_by_default_and_plain_text():
    assert CampaignSettings(message="Hi").template_for("first", "Regular") == "Hi"
    settings = CampaignSettings(message="Hi {name}", opt_out_line="Reply {STOP} to opt out.")
    assert settings.template_for("first", "Regular") == "Hi {name}\n\nReply {{STOP}} to opt out."
    with pytest.raises(InvalidCampaignSettings, match="with the opt-out line the message has"):
        CampaignSettings(message="x" * 9_990, opt_out_line="Reply STOP to opt out.").check_templates()
    with pytest.raises(InvalidCampaignSettings, match="one line"):
        CampaignSettings(message="Hi", opt_out_line="a\nb")
    with pytest.raises(InvalidCampaignSettings, match="letter or digit"):
        CampaignSettings(message="Hi", opt_out_words=["stop", "!!"])


def test_simulated_followers_reply_in_a_standalone_style_sandbox(fake_clock, tmp_path):
    """`sandbox serve --replies RATE`: a seeded share of messaged followers answer, some with an opt-out."""
    with running_sandbox(followers=SANDBOX_FOLLOWERS, clock=fake_clock, reply_rate=0.5) as server:
        app = App(server, fake_clock, tmp_path / "db.sqlite3")
        fetch_followers(app.conn, app.gateway, app.pacer, fake_clock)
        try:
            after_first_dms(app)
            simulated = server.state.replies
            will_reply = [uid for uid in accepting(app) if simulated.replies(uid)]
            stops = [uid for uid in will_reply if simulated.text_for(uid) in STOP_TEXTS]
            assert 0 < len(stops) < len(will_reply) < len(accepting(app))

            result = run(app, live())

            assert (result.replied, result.opted_out) == (len(will_reply), len(stops))
            assert {e.user_id for e in dm_repo.do_not_contact_list(app.conn, OWNER_ID)} == set(stops)
            assert all(app.dms_sent_to(uid) == 1 for uid in will_reply)
            assert all(server.state.dms.events_with(uid)[0].text in (*REPLY_TEXTS, *STOP_TEXTS) for uid in will_reply)
        finally:
            app.close()
