"""Table exports as the user asks for them: CSV or XLSX, chosen columns in a chosen order, the Excel BOM, and a data
dictionary beside every file, the same for every export kind (`export` and `main.py export`)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from openpyxl import load_workbook

from twexport_qt import cli
from twexport_qt.exports.columns import COLUMNS, UnknownColumnsError
from twexport_qt.exports.exporters import EXPORT_KINDS, FOLLOWER_HEADER, ExportError, ExportKind, export
from twexport_qt.exports.formats import ExportFormat, TableOptions, dictionary_path, format_for_path
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.relationships import FOLLOWING_KIND, FollowingNotFetched
from twexport_qt.store import dm_repo, followers_repo, following_repo
from twexport_qt.store.database import open_database

OWNER = 42
T0 = 1_700_000_000
XLSX = TableOptions(format=ExportFormat.XLSX)


@pytest.fixture
def conn(tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [
            FollowerRecord(user_id=1_600_000_000_000_000_001, username="power", name="Power", followers_count=50_000,
                           created_at=T0 - 86_400, verified=True, receives_your_dm=True),
            FollowerRecord(user_id=2, username="mallory", name="=HYPERLINK(\"http://evil\",\"x\")",
                           description="-1+1 café ☕", followers_count=12, created_at=None),
        ], T0)
        dm_repo.claim(conn, OWNER, 2, "mallory", "first", "live", "Hi", T0 + 20)
        dm_repo.mark_skipped(conn, OWNER, 2, "mallory", "first", "live", reason="=cmd", now=T0 + 21)
        # OWNER follows "power" (a mutual) and "quiet" (who does not follow back); "mallory" is a fan.
        following_repo.upsert_following(conn, OWNER, [
            FollowerRecord(user_id=7, username="quiet", followers_count=3),
            FollowerRecord(user_id=1_600_000_000_000_000_001, username="power", followers_count=50_000),
        ], 0, T0, fetch_run_id=1)
        conn.execute("INSERT INTO fetch_runs (owner_id, kind, state, started_at, finished_at) "
                     "VALUES (?, ?, 'done', ?, ?)", (OWNER, FOLLOWING_KIND, T0, T0))
    yield conn
    conn.close()


def read(path, encoding: str = "utf-8") -> list[list[str]]:
    with open(path, newline="", encoding=encoding) as file:
        return list(csv.reader(file))


def test_every_column_of_every_table_export_is_defined_once():
    for description in EXPORT_KINDS.values():
        if description.is_table:
            undefined = [name for name in description.columns if name not in COLUMNS]
            assert undefined == [], f"{description.kind}: describe {undefined} in exports/columns.py"
    assert [kind for kind, description in EXPORT_KINDS.items() if not description.is_table] == [ExportKind.TWEETS]


@pytest.mark.parametrize("kind", [kind for kind, description in EXPORT_KINDS.items() if description.is_table])
def test_each_export_writes_the_columns_it_declares(conn, tmp_path, kind):
    """What the column chooser offers is what the export writes."""
    out = tmp_path / f"{kind}.csv"
    export(conn, OWNER, kind, out, now=T0 + 100)
    assert tuple(read(out)[0]) == EXPORT_KINDS[kind].columns


@pytest.mark.parametrize(("kind", "usernames"), [
    (ExportKind.FOLLOWING, ["quiet", "power"]),  # X's order: the most recently followed first
    (ExportKind.MUTUALS, ["power"]),
    (ExportKind.NOT_FOLLOWING_BACK, ["quiet"]),
    (ExportKind.FANS, ["mallory"]),
])
def test_relationship_exports_hold_their_accounts(conn, tmp_path, kind, usernames):
    out = tmp_path / f"{kind}.csv"
    assert export(conn, OWNER, kind, out) == len(usernames)
    rows = read(out)
    assert [row[rows[0].index("username")] for row in rows[1:]] == usernames
    if "follows_you" in rows[0]:
        assert [row[rows[0].index("follows_you")] for row in rows[1:]] == [
            "1" if name == "power" else "0" for name in usernames]
        assert [row[0] for row in rows[1:]] == [str(rank) for rank in range(1, len(usernames) + 1)]


def test_relationship_exports_need_a_following_fetch_and_write_nothing_before(tmp_path):
    conn = open_database(tmp_path / "empty.sqlite3")
    out = tmp_path / "fans.csv"
    with pytest.raises(FollowingNotFetched, match="Fetch who you follow first"):
        export(conn, OWNER, ExportKind.FANS, out)
    assert not out.exists()
    conn.close()


def test_chosen_columns_come_out_in_the_chosen_order(conn, tmp_path):
    out = tmp_path / "f.csv"
    export(conn, OWNER, ExportKind.FOLLOWERS, out, options=TableOptions(columns=("followers_count", "username")))
    assert read(out) == [["followers_count", "username"], ["50000", "power"], ["12", "mallory"]]
    assert [row[0] for row in read(dictionary_path(out))] == ["column", "followers_count", "username"]


def test_an_unknown_column_names_the_valid_ones_and_writes_nothing(conn, tmp_path):
    out = tmp_path / "f.csv"
    with pytest.raises(UnknownColumnsError) as raised:
        export(conn, OWNER, ExportKind.SKIPPED, out, options=TableOptions(columns=("username", "folowers")))
    assert str(raised.value) == ("Unknown column folowers for the skipped followers export: choose from "
                                 + ", ".join(EXPORT_KINDS[ExportKind.SKIPPED].columns) + ".")
    assert not out.exists() and not dictionary_path(out).exists()


def test_a_bom_csv_keeps_the_spreadsheet_safety_rules(conn, tmp_path):
    out = tmp_path / "excel.csv"
    export(conn, OWNER, ExportKind.FOLLOWERS, out, options=TableOptions(excel_bom=True))
    assert out.read_bytes().startswith(b"\xef\xbb\xbfuser_id,")
    rows = {row[1]: dict(zip(FOLLOWER_HEADER, row)) for row in read(out, "utf-8-sig")[1:]}
    assert rows["mallory"]["name"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows["mallory"]["description"] == "'-1+1 café ☕"
    assert read(dictionary_path(out), "utf-8-sig")[0] == ["column", "type", "unit", "meaning", "source"]


def test_the_dictionary_says_meaning_unit_and_x_source(conn, tmp_path):
    out = tmp_path / "f.csv"
    export(conn, OWNER, ExportKind.FOLLOWERS, out)
    lines = {row[0]: row for row in read(tmp_path / "f.dictionary.csv")[1:]}
    assert list(lines) == FOLLOWER_HEADER
    assert lines["followers_count"] == ["followers_count", "integer", "accounts", "Followers of this account",
                                        "X user field public_metrics.followers_count"]
    assert lines["created_at"][1:3] == ["timestamp", "UTC"]


def test_followers_as_a_workbook_are_typed_and_inert(conn, tmp_path):
    out = tmp_path / "f.xlsx"
    assert export(conn, OWNER, ExportKind.FOLLOWERS, out, options=XLSX) == 2
    sheet = load_workbook(out)["Export"]
    header = [cell.value for cell in sheet[1]]
    assert header == FOLLOWER_HEADER
    power, mallory = (dict(zip(header, row)) for row in sheet.iter_rows(min_row=2))
    assert power["user_id"].value == "1600000000000000001"
    assert power["followers_count"].value == 50_000
    assert power["created_at"].value == dt.datetime(2023, 11, 13, 22, 13, 20)
    assert power["verified"].value is True and power["receives_your_dm"].value is True
    assert mallory["receives_your_dm"].value is None and mallory["created_at"].value is None
    assert mallory["name"].data_type == "s" and mallory["name"].value == "=HYPERLINK(\"http://evil\",\"x\")"
    assert mallory["description"].value == "-1+1 café ☕"
    assert (tmp_path / "f.dictionary.csv").read_bytes().startswith(b"\xef\xbb\xbfcolumn,")  # for Excel users


def test_dm_status_and_funnel_workbooks(conn, tmp_path):
    export(conn, OWNER, ExportKind.DM_STATUS, tmp_path / "dm.xlsx", options=XLSX)
    (row,) = load_workbook(tmp_path / "dm.xlsx")["Export"].iter_rows(min_row=2, values_only=True)
    assert row[:5] == ("2", "mallory", "first", "skipped", "live")
    assert row[5] == dt.datetime(2023, 11, 14, 22, 13, 40) and row[8] == "=cmd"
    export(conn, OWNER, ExportKind.FUNNEL, tmp_path / "funnel.xlsx", now=T0 + 100, options=XLSX)
    sheet = load_workbook(tmp_path / "funnel.xlsx")["Export"]
    assert [cell.value for cell in sheet["A"]][1:] == ["first", "retry"]
    assert sheet["D2"].value is None and sheet["B2"].value == 0  # nothing sent: no percentage


def test_a_tweet_dataset_is_only_ever_copied(conn, tmp_path):
    with pytest.raises(ExportError, match="copied as it was downloaded"):
        export(conn, OWNER, ExportKind.TWEETS, tmp_path / "t.xlsx", options=XLSX)


def test_the_format_follows_the_file_extension():
    assert format_for_path("a/b.XLSX") == ExportFormat.XLSX
    assert format_for_path("b.csv") == format_for_path("b.txt") == ExportFormat.CSV
    assert dictionary_path("x/followers.xlsx").as_posix() == "x/followers.dictionary.csv"


def test_the_command_line_takes_format_columns_and_bom(data_dir, tmp_path, capsys):
    base = ["--data-dir", str(data_dir)]
    assert cli.main([*base, "followers", "fetch"]) == 0
    out = tmp_path / "out"
    out.mkdir()
    assert cli.main([*base, "export", "followers", "--out", str(out / "f.xlsx"), "--columns",
                     "username, followers_count"]) == 0
    printed = capsys.readouterr().out
    assert f"Data dictionary: {out / 'f.dictionary.csv'}" in printed
    sheet = load_workbook(out / "f.xlsx")["Export"]
    assert [cell.value for cell in sheet[1]] == ["username", "followers_count"]
    assert isinstance(sheet["B2"].value, int)
    assert cli.main([*base, "export", "followers", "--out", str(out / "plain"), "--format", "csv", "--bom"]) == 0
    assert (out / "plain").read_bytes().startswith(b"\xef\xbb\xbfuser_id,")
    capsys.readouterr()
    assert cli.main([*base, "export", "followers", "--out", str(out / "g.csv"), "--columns", "nope"]) == 2
    assert "Unknown column nope for the followers export: choose from user_id, username," in capsys.readouterr().err
    assert cli.main([*base, "export", "followers", "--out", str(out / "g.xlsx"), "--bom"]) == 2
    assert "--bom applies to CSV files only" in capsys.readouterr().err
    assert not (out / "g.csv").exists() and not (out / "g.xlsx").exists()
