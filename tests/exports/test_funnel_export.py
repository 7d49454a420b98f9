"""The campaign funnel as an export: File → Export's `funnel` kind and `export funnel --out FILE`."""

from __future__ import annotations

import csv

from twexport_qt import cli
from twexport_qt.campaigns import outreach_churn
from twexport_qt.campaigns.funnel import CSV_HEADER
from twexport_qt.exports.exporters import EXPORT_KINDS, ExportKind, export
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.store import dm_repo, followers_repo
from twexport_qt.store.database import open_database

OWNER = 42
DAY = 86_400
T0 = 1_767_225_600


def read(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_funnel_export_has_a_row_per_step_with_counts_and_percentages(tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(user_id=i, username=f"u{i}")
                                                      for i in range(1, 5)], T0 - DAY)
        for user_id in range(1, 5):
            dm_repo.claim(conn, OWNER, user_id, f"u{user_id}", "first", "live", "Hi", T0)
            dm_repo.mark_sent(conn, OWNER, user_id, "first", "live", event_id=f"e{user_id}", now=T0)
        dm_repo.add_do_not_contact(conn, OWNER, 1, "opted out: unsubscribe", T0 + DAY)
        # Complete fetches the day before, two days after (2 and 3 gone) and a week after the DMs.
        for at, gone in ((T0 - DAY, ()), (T0 + 2 * DAY, (2, 3)), (T0 + 7 * DAY, ())):
            snapshot_id = conn.execute("INSERT INTO follower_snapshots (owner_id, taken_at, follower_count, joined, "
                                       "left_count) VALUES (?, ?, 0, 0, ?)", (OWNER, at, len(gone))).lastrowid
            conn.executemany("INSERT INTO follower_leaves (snapshot_id, user_id) VALUES (?, ?)",
                             [(snapshot_id, user_id) for user_id in gone])
    out = tmp_path / "funnel.csv"
    assert export(conn, OWNER, ExportKind.FUNNEL, out, now=T0 + 8 * DAY) == 2
    header, first, retry = read(out)
    assert tuple(header) == CSV_HEADER
    row = dict(zip(header, first))
    assert (row["step"], row["sent"], row["opted_out"], row["opted_out_percent"]) == ("first", "4", "1", "25.0")
    assert (row["unfollowed_within_7_days"], row["unfollowed_within_7_days_percent"]) == ("2", "50.0")
    assert row["sent_less_than_7_days_ago"] == "0"
    assert dict(zip(header, retry))["sent"] == "0" and dict(zip(header, retry))["replied_percent"] == ""
    conn.close()


def test_the_exported_unfollows_are_the_outreach_churn_figures(tmp_path):
    """Two DMs sent three days before the last complete fetch are not yet known: the share is of the other four
    (2 of 4, 50%), as outreach_churn and the DM tab count it, not of all six sent (33.3%)."""
    conn = open_database(tmp_path / "db.sqlite3")
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(user_id=i, username=f"u{i}")
                                                      for i in range(1, 7)], T0 - DAY)
        for user_id, sent_at in ((1, T0), (2, T0), (3, T0), (4, T0), (5, T0 + 4 * DAY), (6, T0 + 4 * DAY)):
            dm_repo.claim(conn, OWNER, user_id, f"u{user_id}", "first", "live", "Hi", sent_at)
            dm_repo.mark_sent(conn, OWNER, user_id, "first", "live", event_id=f"e{user_id}", now=sent_at)
        for at, gone in ((T0 - DAY, ()), (T0 + 2 * DAY, (2, 3)), (T0 + 7 * DAY, ())):
            snapshot_id = conn.execute("INSERT INTO follower_snapshots (owner_id, taken_at, follower_count, joined, "
                                       "left_count) VALUES (?, ?, 0, 0, ?)", (OWNER, at, len(gone))).lastrowid
            conn.executemany("INSERT INTO follower_leaves (snapshot_id, user_id) VALUES (?, ?)",
                             [(snapshot_id, user_id) for user_id in gone])
    out = tmp_path / "funnel.csv"
    export(conn, OWNER, ExportKind.FUNNEL, out)
    header, *rows = read(out)
    exported = {row["step"]: row for row in (dict(zip(header, values)) for values in rows)}
    churn = outreach_churn.outreach_churn(conn, OWNER)
    for measured in churn.steps:
        row, share = exported[measured.step], measured.share
        assert int(row["unfollowed_within_7_days"]) == share.left
        assert int(row["sent_less_than_7_days_ago"]) == share.pending
        assert row["unfollowed_within_7_days_percent"] == ("" if share.percent is None else f"{share.percent:.1f}")
    first = exported["first"]
    assert (first["sent"], first["unfollowed_within_7_days"], first["sent_less_than_7_days_ago"],
            first["unfollowed_within_7_days_percent"]) == ("6", "2", "2", "50.0")
    conn.close()


def test_export_funnel_on_the_command_line(data_dir, tmp_path, capsys):
    assert EXPORT_KINDS[ExportKind.FUNNEL].default_file_name == "campaign_funnel.csv"
    out = tmp_path / "out" / "funnel.csv"
    out.parent.mkdir()
    assert cli.main(["--data-dir", str(data_dir), "export", "funnel", "--out", str(out)]) == 0
    assert "Exported campaign funnel: 2 rows" in capsys.readouterr().out
    rows = read(out)
    assert tuple(rows[0]) == CSV_HEADER and [row[0] for row in rows[1:]] == ["first", "retry"]
