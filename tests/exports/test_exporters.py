"""Each export's columns and rows against the store; stranger-written cells come out inert; no partial files."""

from __future__ import annotations

import csv

import pytest

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.exports.exporters import (
    DM_STATUS_HEADER,
    EXPORT_KINDS,
    FOLLOWER_HEADER,
    ExportError,
    ExportKind,
    export,
)
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.store import dm_repo, followers_repo, tweets_repo
from twexport_qt.store.database import open_database

OWNER = 42
T0 = 1_700_000_000


def follower(user_id: int, username: str, followers: int, following: int = 10, **kw) -> FollowerRecord:
    return FollowerRecord(user_id=user_id, username=username, name=kw.pop("name", username.title()),
                          followers_count=followers, following_count=following, created_at=T0 - user_id, **kw)


@pytest.fixture
def conn(tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [
            follower(1, "power", 50_000),
            follower(2, "rising", 2_000),
            follower(3, "regular", 12, name="=HYPERLINK(\"http://evil\",\"click\")",
                     description="+SUM(1,2) my bio, with \"quotes\"\nand a line break"),
            follower(4, "refuser", 5, name="@cmd|' /C calc'!A0", receives_your_dm=False),
        ], T0)
        dm_repo.claim(conn, OWNER, 1, "power", "first", "live", "Hi Power", T0 + 10)
        dm_repo.mark_sent(conn, OWNER, 1, "first", "live", event_id="evt-1", now=T0 + 11)
        dm_repo.claim(conn, OWNER, 4, "refuser", "first", "live", "Hi", T0 + 20)
        dm_repo.mark_skipped(conn, OWNER, 4, "refuser", "first", "live", reason="does not accept DMs", now=T0 + 21)
    return conn


def read(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_followers_export_has_every_profile_column_and_row(conn, tmp_path):
    out = tmp_path / "followers.csv"
    assert export(conn, OWNER, ExportKind.FOLLOWERS, out) == 4
    header, *rows = read(out)
    assert header == FOLLOWER_HEADER
    by_user = {row[0]: dict(zip(header, row)) for row in rows}
    assert by_user["1"]["tier"] == "Power user" and by_user["1"]["dm_status"] == "first:sent"
    assert by_user["2"]["tier"] == "Rising" and by_user["3"]["tier"] == "Regular"
    assert by_user["1"]["created_at"] == "2023-11-14T22:13:19Z"  # ISO 8601 UTC, not epoch seconds
    assert by_user["3"]["description"] == "'+SUM(1,2) my bio, with \"quotes\"\nand a line break"


def test_formula_payloads_in_names_and_bios_are_inert(conn, tmp_path):
    out = tmp_path / "followers.csv"
    export(conn, OWNER, ExportKind.FOLLOWERS, out)
    text_cells = [cell for row in read(out)[1:] for cell in row]
    assert "'=HYPERLINK(\"http://evil\",\"click\")" in text_cells
    assert "'@cmd|' /C calc'!A0" in text_cells
    assert not any(cell[:1] in "=+@" for cell in text_cells if cell)


def test_followers_export_applies_the_filter(conn, tmp_path):
    out = tmp_path / "some.csv"
    assert export(conn, OWNER, ExportKind.FOLLOWERS, out, follower_filter=FollowerFilter(min_followers=1_000)) == 2
    assert sorted(row[1] for row in read(out)[1:]) == ["power", "rising"]


def test_activity_criteria_count_back_from_the_app_clock_not_the_wall_clock(tmp_path):
    """The views judge "inactive for N days" on the app's clock (a Sandbox or a test clock); the export given
    that clock must hold the same followers, whatever today's date is."""
    conn = open_database(tmp_path / "activity.sqlite3")
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [
            follower(1, "recent", 10, last_posted_at=T0 - 2 * 86_400),
            follower(2, "quiet", 10, last_posted_at=T0 - 90 * 86_400),
        ], T0)
    inactive = FollowerFilter(inactive_days=30)
    out = tmp_path / "inactive.csv"
    assert export(conn, OWNER, ExportKind.FOLLOWERS, out, follower_filter=inactive, now=T0) == 1
    assert [row[1] for row in read(out)[1:]] == ["quiet"]
    # On the wall clock (years after T0) both look inactive: the clock given is what counts.
    assert export(conn, OWNER, ExportKind.FOLLOWERS, out, follower_filter=inactive) == 2


def test_high_value_export_holds_every_tier_but_the_catch_all(conn, tmp_path):
    out = tmp_path / "high.csv"
    assert export(conn, OWNER, ExportKind.HIGH_VALUE, out) == 2
    header, *rows = read(out)
    assert {row[header.index("username")]: row[header.index("tier")] for row in rows} == {
        "power": "Power user", "rising": "Rising"}


def test_dm_status_export_maps_timestamps_by_follower_id(conn, tmp_path):
    out = tmp_path / "dm.csv"
    assert export(conn, OWNER, ExportKind.DM_STATUS, out) == 2
    header, *rows = read(out)
    assert header == DM_STATUS_HEADER
    sent = dict(zip(header, rows[0]))
    assert (sent["follower_id"], sent["state"], sent["event_id"]) == ("1", "sent", "evt-1")
    assert sent["updated_at"] == "2023-11-14T22:13:31Z"


def test_skipped_export_has_the_reason(conn, tmp_path):
    out = tmp_path / "skipped.csv"
    assert export(conn, OWNER, ExportKind.SKIPPED, out) == 1
    header, row = read(out)
    record = dict(zip(header, row))
    assert record["user_id"] == "4" and record["reason"] == "does not accept DMs"
    assert record["name"].startswith("'@")  # neutralised here too


def test_cancelled_export_leaves_no_file_and_keeps_an_existing_one(conn, tmp_path):
    out = tmp_path / "followers.csv"
    out.write_text("previous export\n")
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        export(conn, OWNER, ExportKind.FOLLOWERS, out, cancel=cancel)
    assert out.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_without_fetched_followers_the_message_says_what_to_do(tmp_path):
    conn = open_database(tmp_path / "empty.sqlite3")
    with pytest.raises(ExportError, match="fetch followers first"):
        export(conn, None, ExportKind.FOLLOWERS, tmp_path / "x.csv")
    with pytest.raises(ExportError, match="download tweets first"):
        export(conn, OWNER, ExportKind.TWEETS, tmp_path / "t.csv")


def test_tweet_dataset_export_copies_only_the_committed_part(conn, tmp_path):
    dataset = tmp_path / "alice_tweets.csv"
    committed = "tweets\nfirst tweet\nsecond tweet\n"
    dataset.write_text(committed + "half-written row from a crash")
    with conn:
        job, _ = tweets_repo.create_or_resume_job(conn, "key", "{}", str(dataset), T0)
        tweets_repo.commit_output(conn, job.id, 2, len(committed.encode()), T0)
    out = tmp_path / "export.csv"
    assert export(conn, OWNER, ExportKind.TWEETS, out) == 2
    assert out.read_text() == committed


def test_export_kinds_keep_the_command_line_names_and_each_has_a_title_and_file_name():
    assert [kind.value for kind in ExportKind] == ["followers", "high-value", "dm-status", "skipped", "funnel",
                                                   "tweets", "following", "mutuals", "not-following-back", "fans"]
    assert set(EXPORT_KINDS) == set(ExportKind)
    assert all(EXPORT_KINDS[kind].kind is kind and EXPORT_KINDS[kind].default_file_name.endswith(".csv")
               for kind in ExportKind)
