"""Twitter Exporter's DM history in TwExport's DM log: whom the campaign then leaves alone, and whom it retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from twitter_exporter_fixtures import build_legacy_db

from tests.campaigns.conftest import OWNER_ID, App
from twexport_qt.campaigns import legacy_history
from twexport_qt.campaigns.legacy_history import REFUSED_REASON, SENT_REASON, import_history
from twexport_qt.campaigns.legacy_history_report import describe_history
from twexport_qt.campaigns.sender import run_campaign
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.campaigns.twitter_exporter_db import read_twitter_exporter_db
from twexport_qt.store import dm_repo

DAY = 86_400


def settings(**overrides) -> CampaignSettings:
    values = {"message": "Hi {name},\nnews", "retry_message": "Hi {name},\nagain", "retry_after_days": 7,
                  "test_mode": False, "dm_enabled": True, "live_confirmed": True, "daily_cap": 1440}
    return CampaignSettings(**{**values, **overrides})


def stamp(app: App, days_ago: float) -> str:
    """A Twitter Exporter time `days_ago` before the app's clock, written as UTC local time (tz=UTC below)."""
    moment = datetime.fromtimestamp(app.clock.now(), UTC) - timedelta(days=days_ago)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def accepting(app: App, *, known: bool = True) -> list[int]:
    """Followers X says accept our DMs; with known=False also those X says nothing about (planned as accepting)."""
    where = "receives_your_dm = 1" if known else "coalesce(receives_your_dm, 1) = 1"
    return [row[0] for row in app.conn.execute(f"SELECT user_id FROM followers WHERE {where} ORDER BY user_id")]


def refusing(app: App) -> set[int]:
    return {row[0] for row in app.conn.execute("SELECT user_id FROM followers WHERE receives_your_dm = 0")}


class Old:
    """Who Twitter Exporter messaged in these tests, by role."""

    def __init__(self, app: App) -> None:
        ids = accepting(app)
        self.twice, self.twice_too, self.once_due, self.once_recent, self.refused, self.refused_retry = ids[:6]
        self.refusing = app.conn.execute(
            "SELECT min(user_id) FROM followers WHERE receives_your_dm = 0").fetchone()[0]
        self.everyone = {self.twice, self.twice_too, self.once_due, self.once_recent, self.refused,
                         self.refused_retry, self.refusing}


def import_old_history(app: App, tmp_path, **overrides):
    old = Old(app)
    path = tmp_path / "twitter_export.db"
    path.unlink(missing_ok=True)
    build_legacy_db(
        path,
        followers=[(user_id, f"Name {user_id}") for user_id in old.everyone],
        dm_status=[(old.twice, stamp(app, 40)), (old.twice, stamp(app, 30)),
                   (old.twice_too, stamp(app, 3)), (old.twice_too, stamp(app, 2)),
                   (old.once_due, stamp(app, 30)), (old.once_recent, stamp(app, 2)),
                   (old.refused_retry, stamp(app, 20))],
        skip_user=[(old.refused, stamp(app, 10)), (old.refused_retry, stamp(app, 9)), (old.refusing, stamp(app, 9))])
    history = read_twitter_exporter_db(path, now=int(app.clock.now()), tz=UTC)
    result = import_history(app.conn, OWNER_ID, history, now=int(app.clock.now()),
                            retry_after_seconds=overrides.get("retry_after_seconds", 7 * DAY))
    return old, history, result


def dry_run_rows(app: App, state: str) -> dict[int, set[str]]:
    """{follower: steps} a dry run would send (state 'dry_run') or record as skipped ('skipped')."""
    planned: dict[int, set[str]] = {}
    for row in dm_repo.status_rows(app.conn, OWNER_ID, "dry_run"):
        if row.state == state:
            planned.setdefault(row.recipient_id, set()).add(row.step)
    return planned


def test_the_campaign_plans_nothing_for_them_but_the_due_retry_and_still_plans_everyone_else(app, tmp_path):
    old, _, _ = import_old_history(app, tmp_path)

    result = run_campaign(app.conn, app.gateway, app.pacer, app.clock, settings(dry_run=True))

    planned, skips = dry_run_rows(app, "dry_run"), dry_run_rows(app, "skipped")
    assert planned[old.once_due] == {"retry"}  # one DM 30 days ago: the retry is due, as in the old tool
    for person in old.everyone - {old.once_due}:
        assert person not in planned and person not in skips
    others = set(accepting(app, known=False)) - old.everyone
    assert others and {user_id for user_id, steps in planned.items() if steps == {"first"}} == others
    assert set(skips) == refusing(app) - old.everyone  # the others X refuses are still recorded as skipped
    assert result.dry_run == len(others) + 1


def test_a_live_run_sends_them_nothing_but_the_due_retry(app, tmp_path):
    old, _, _ = import_old_history(app, tmp_path)

    result = run_campaign(app.conn, app.gateway, app.pacer, app.clock, settings())

    assert result.stop_reason == "done", result.message
    assert [event.text for event in app.server.state.dms.events_with(old.once_due)] == [
        f"Hi {app.conn.execute('SELECT name FROM followers WHERE user_id = ?', (old.once_due,)).fetchone()[0]},"
        "\nagain"]
    for person in old.everyone - {old.once_due}:
        assert app.dms_sent_to(person) == 0
    assert result.sent == len(set(accepting(app, known=False)) - old.everyone) + 1


def test_rows_carry_the_old_times_and_states(app, tmp_path):
    old, _, result = import_old_history(app, tmp_path)
    now = int(app.clock.now())

    def row(user_id, step):
        return dm_repo.get(app.conn, OWNER_ID, user_id, step, "live")

    first, retry = row(old.twice, "first"), row(old.twice, "retry")
    assert (first.state, first.created_at, first.updated_at) == ("sent", now - 40 * DAY, now - 40 * DAY)
    assert (retry.state, retry.updated_at, retry.reason) == ("sent", now - 30 * DAY, SENT_REASON)
    assert first.event_id is None and first.recipient_username  # the username from TwExport's followers
    assert row(old.once_due, "retry") is None
    refused = row(old.refused, "first")
    assert (refused.state, refused.reason, refused.updated_at) == ("skipped", REFUSED_REASON, now - 10 * DAY)
    assert row(old.refused, "retry") is None  # a skipped first DM already keeps the retry from being planned
    # One DM, then X refused the retry: the old tool never tried again, so the retry step is taken as skipped.
    assert row(old.refused_retry, "first").state == "sent"
    assert row(old.refused_retry, "retry").state == "skipped"
    assert (result.firsts_added, result.retries_added, result.first_skips_added, result.retry_skips_added) == \
        (5, 2, 2, 1)
    assert (result.waiting_for_retry, result.retry_due_now) == (2, 1)  # once_due and once_recent


def test_importing_twice_changes_nothing(app, tmp_path):
    import_old_history(app, tmp_path)
    before = list(dm_repo.status_rows(app.conn, OWNER_ID, "live"))

    _old, history, second = import_old_history(app, tmp_path)

    assert second.added == 0 and second.already_logged == 10
    assert list(dm_repo.status_rows(app.conn, OWNER_ID, "live")) == before
    sentences = describe_history(history, second, account="@me", retry_after_days=7, zone="UTC")
    assert sentences[1].startswith("Nothing changed in the DM log of @me: everything in the database was already "
                                   "there (10 entries")


def test_twexports_own_rows_are_kept_and_a_failed_one_gives_way(app, tmp_path):
    old = Old(app)
    now = int(app.clock.now())
    dm_repo.claim(app.conn, OWNER_ID, old.twice, "x", "first", "live", "TwExport's text", now - DAY)
    dm_repo.mark_sent(app.conn, OWNER_ID, old.twice, "first", "live", event_id="E1", now=now - DAY)
    dm_repo.claim(app.conn, OWNER_ID, old.once_due, "y", "first", "live", "text", now - DAY)
    dm_repo.mark_failed(app.conn, OWNER_ID, old.once_due, "first", "live", reason="503", now=now - DAY)
    app.conn.commit()

    _, _, result = import_old_history(app, tmp_path)

    kept = dm_repo.get(app.conn, OWNER_ID, old.twice, "first", "live")
    assert (kept.event_id, kept.updated_at, kept.text) == ("E1", now - DAY, "TwExport's text")
    assert dm_repo.get(app.conn, OWNER_ID, old.twice, "retry", "live").state == "sent"  # the missing step added
    # A 'failed' row is due again: left alone it would send a DM Twitter Exporter had already sent.
    replaced = dm_repo.get(app.conn, OWNER_ID, old.once_due, "first", "live")
    assert (replaced.state, replaced.updated_at) == ("sent", now - 30 * DAY)
    assert (result.already_logged, result.failed_replaced) == (1, 1)


def test_a_failure_halfway_leaves_the_dm_log_as_it_was(app, tmp_path, monkeypatch):
    calls = []
    real = dm_repo.record_imported

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(legacy_history.dm_repo, "record_imported", failing)
    with pytest.raises(OSError):
        import_old_history(app, tmp_path)
    assert dm_repo.counts(app.conn, OWNER_ID, "live") == {}


def test_the_report_says_what_was_taken_and_what_follows(app, tmp_path):
    _, history, result = import_old_history(app, tmp_path)

    sentences = describe_history(history, result, account="@me (account id 1)", retry_after_days=7, zone="UTC")

    assert sentences == [
        f"Twitter Exporter's database {tmp_path / 'twitter_export.db'}: 5 followers with a first DM, 2 of them "
        "with the retry too, and 3 followers X refused DMs to (its times read as this computer's local time, UTC).",
        "Added to the DM log of @me (account id 1): 5 first DMs and 2 retries, as sent; 2 followers X refused DMs "
        "to, as skipped; the retry of 1 follower X refused DMs to after the first, as skipped.",
        "TwExport never messages again anyone Twitter Exporter messaged twice or could not message.",
        "2 followers got only the first DM: TwExport sends them the retry message 7 days after it, as Twitter "
        "Exporter did (1 is due now).",
    ]


def test_a_database_with_nothing_usable_says_so(tmp_path):
    from twexport_qt.campaigns.legacy_history import HistoryImportResult

    path = build_legacy_db(tmp_path / "tx.db", dm_status=[("someone", "2025-06-01 10:00:00.000")])
    history = read_twitter_exporter_db(path, now=1_767_225_600)

    assert describe_history(history, HistoryImportResult(1), account="@me", retry_after_days=7, zone="UTC") == [
        f"Twitter Exporter's database {path} has no DM or refusal TwExport can use: the DM log was not changed.",
        "Not imported: 1 row whose id is not an X user id (empty, not a whole number, not positive, or beyond "
        "9,223,372,036,854,775,807).",
    ]
