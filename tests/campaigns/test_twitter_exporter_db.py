"""Reading Twitter Exporter's database: its times, its odd rows, and files that are not what they should be."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from twitter_exporter_fixtures import SCHEMA, build_legacy_db

from twexport_qt.campaigns.twitter_exporter_db import (
    LegacyDatabaseError,
    local_time_to_epoch,
    read_twitter_exporter_db,
)

NOW = 1_767_225_600  # 2026-01-01T00:00:00Z
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(("text", "expected"), [
    ("2021-01-15 10:30:00.123", utc(2021, 1, 15, 9, 30)),     # CET: UTC+1
    ("2021-07-15 10:30:00.999", utc(2021, 7, 15, 8, 30)),     # CEST: UTC+2
    ("2021-03-28 03:30:00.000", utc(2021, 3, 28, 1, 30)),     # first hour of summer time
    ("2021-07-15 10:30", utc(2021, 7, 15, 8, 30)),            # str(datetime)[:-3] when microseconds were 0
    ("2021-07-15 10:30:05", utc(2021, 7, 15, 8, 30, 5)),
    (" 2021-07-15 10:30:05.5 ", utc(2021, 7, 15, 8, 30, 5)),
])
def test_local_times_become_utc_epoch_seconds(text, expected):
    assert local_time_to_epoch(text, BERLIN) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2021-02-30 10:00:00.000", "2021-07-15T10:30:00",
                                  "2021-07-15 10:30:00+02:00", "15/07/2021 10:30", "2021-07-15 25:00:00.000",
                                  "9" * 5000, None, 20210715, b"2021-07-15 10:30:00.000"])
def test_anything_else_is_no_time(text):
    assert local_time_to_epoch(text, BERLIN) is None


def test_without_a_zone_the_computers_local_time_is_used(tmp_path):
    """Twitter Exporter ran on this computer: its naive local times are read in this computer's zone (TZ)."""
    code = ("from twexport_qt.campaigns.twitter_exporter_db import local_time_to_epoch;"
            "print(local_time_to_epoch('2021-07-15 10:30:00.000'))")
    env = {**os.environ, "TZ": "America/New_York", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert int(out) == utc(2021, 7, 15, 14, 30)  # EDT: UTC-4


def test_rows_become_people_oldest_dm_first(tmp_path):
    path = build_legacy_db(
        tmp_path / "tx.db", followers=[(1, "Ann"), (2, "Bob"), (3, "Cat")],
        dm_status=[(1, "2021-05-09 10:00:00.000"), (1, "2021-05-01 10:00:00.000"), (2, "2021-05-01 10:00:00.000")],
        skip_user=[(3, "2021-05-02 10:00:00.000")])

    history = read_twitter_exporter_db(path, now=NOW, tz=BERLIN)

    assert history.people[1].dms == [utc(2021, 5, 1, 8), utc(2021, 5, 9, 8)]
    assert history.people[2].dms == [utc(2021, 5, 1, 8)] and not history.people[2].skipped
    assert history.people[3].dms == [] and history.people[3].skipped
    assert history.people[3].skipped_at == utc(2021, 5, 2, 8)
    assert all(person.known_follower for person in history.people.values())
    assert history.duplicate_rows == history.extra_rows == history.bad_timestamps == 0


def test_odd_rows_are_counted_and_left_out(tmp_path):
    path = tmp_path / "tx.db"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    rows = [
        (1, "2021-05-01 10:00:00.000"), (1, "2021-05-01 10:00:00.000"),  # one DM copied
        (2, "2021-05-01 10:00:00.000"), (2, "2021-05-02 10:00:00.000"), (2, "2021-05-03 10:00:00.000"),  # 3 DMs
        (3, "garbage"), (3, "garbage"),  # two DMs at unknown times: both count
        (4, "1999-01-01 00:00:00.000"),  # before X existed
        (5, "2030-01-01 00:00:00.000"),  # after now
        (None, "2021-05-01 10:00:00.000"), ("bob", "2021-05-01 10:00:00.000"), (-7, "2021-05-01 10:00:00.000"),
        (0, "2021-05-01 10:00:00.000"), (2.5, "2021-05-01 10:00:00.000"),
    ]
    conn.executemany("INSERT INTO dm_status VALUES (?, ?)", rows)
    # Beyond SQLite's 64 bits: the INTEGER column keeps it as a REAL (or as text), never as an id.
    conn.execute("INSERT INTO dm_status VALUES (?, '2021-05-01 10:00:00.000')", (str(2**64),))
    conn.execute("INSERT INTO dm_status VALUES ('9223372036854775808', '2021-05-01 10:00:00.000')")
    conn.executemany("INSERT INTO skip_user VALUES (?, ?)", [(6, "2021-05-01 10:00:00.000"), (6, "again")])
    conn.commit()
    conn.close()

    history = read_twitter_exporter_db(path, now=NOW, tz=BERLIN)

    assert sorted(history.people) == [1, 2, 3, 4, 5, 6]
    assert history.people[1].dms == [utc(2021, 5, 1, 8)]
    assert history.duplicate_rows == 2  # dm_status of 1, skip_user of 6
    assert history.people[2].dms == [utc(2021, 5, 1, 8), utc(2021, 5, 2, 8)]
    assert (history.extra_rows, history.people_with_extra_rows) == (1, 1)
    assert history.people[3].dms == [None, None]
    assert history.people[4].dms == [None] and history.people[5].dms == [None]
    assert history.bad_timestamps == 4 and history.bad_timestamp_example == "'garbage'"
    assert history.bad_ids["dm_status"] == 7
    assert history.not_in_follower_table == 6


def _sqlite(path: Path, script: str) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.close()


def _damaged(path: Path) -> None:
    """A real database whose table pages were overwritten: the header still says SQLite."""
    build_legacy_db(path, followers=[(i, f"name {i}") for i in range(1, 2000)],
                    dm_status=[(i, "2021-05-01 10:00:00.000") for i in range(1, 2000)])
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: None, "does not exist"),
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: p.write_bytes(b"PK\x03\x04 this is a zip file, not SQLite" * 100), "is not an SQLite database"),
    (lambda p: p.write_bytes(b""), "has no dm_status table"),
    (lambda p: _sqlite(p, "CREATE TABLE follower (id integer primary key, name text)"), "has no dm_status table"),
    (lambda p: _sqlite(p, "CREATE TABLE dm_status (id integer, ts text); CREATE TABLE skip_user (id integer, "
                          "timestamp text); CREATE TABLE follower (id integer)"), "dm_status table of"),
    (_damaged, "is damaged"),
])
def test_bad_files_are_sentences(tmp_path, make, message):
    path = tmp_path / "twitter_export.db"
    make(path)
    with pytest.raises(LegacyDatabaseError, match=message) as raised:
        read_twitter_exporter_db(path, now=NOW)
    text = str(raised.value)
    assert text.endswith(".") and "Traceback" not in text and len(text) < 400


def test_the_old_file_is_opened_read_only_and_left_exactly_as_it_was(tmp_path):
    path = build_legacy_db(tmp_path / "tx.db", followers=[(1, "Ann")], dm_status=[(1, "2021-05-01 10:00:00.000")])
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, sorted(os.listdir(tmp_path)))
    path.chmod(0o444)  # as on a read-only copy: opening must not need write access

    read_twitter_exporter_db(path, now=NOW)

    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns,
            sorted(os.listdir(tmp_path))) == before
