"""`main.py import twitter-exporter` as a user runs it: real processes on a temp data folder, X played by sandboxes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from twitter_exporter_fixtures import build_legacy_db, write_legacy_config

from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.settings.storage import load_settings, save_settings

ROOT = Path(__file__).resolve().parents[2]
ZONE = "Asia/Kolkata"  # UTC+5:30 all year: a local time that is visibly not UTC


def run(*args: str, home: Path, tz: str = ZONE, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "TWEXPORT_HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "TZ": tz}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)


def local(days_ago: float) -> str:
    """A Twitter Exporter timestamp: local time in ZONE, milliseconds, `days_ago` before now."""
    moment = datetime.now(ZoneInfo(ZONE)) - timedelta(days=days_ago)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def epoch_of(text: str) -> int:
    naive = datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(microsecond=0)
    return int(naive.replace(tzinfo=ZoneInfo(ZONE)).timestamp())


def planned_by_dry_run(home: Path) -> dict[int, set[str]]:
    """`dm run --dry-run` as a process; {follower: steps it would send}."""
    result = run("dm", "run", "--dry-run", home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    planned: dict[int, set[str]] = {}
    for user_id, step in query(home, "SELECT recipient_id, step FROM dm_log WHERE mode = 'dry_run' "
                                     "AND state = 'dry_run'"):
        planned.setdefault(user_id, set()).add(step)
    return planned


def query(home: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(home / "twexport.sqlite3")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_dm_run_leaves_alone_everyone_twitter_exporter_messaged_or_could_not(tmp_path, sandbox_server):
    home = tmp_path / "data"
    fetched = run("followers", "fetch", home=home)  # the Sandbox profile's 5,000 simulated followers
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    settings_file = home / "settings.json"
    settings = load_settings(settings_file).settings
    settings.profiles["Sandbox"].test_mode = False  # live mode, master switch off: dry runs plan for followers
    save_settings(settings, settings_file)
    before = planned_by_dry_run(home)
    twice, once_due, once_recent, refused, refused_retry = sorted(before)[:5]
    old = {twice: [local(40), local(30)], once_due: [local(30)], once_recent: [local(2)], refused_retry: [local(20)]}
    folder = tmp_path / "twitter-export"
    folder.mkdir()
    build_legacy_db(folder / "twitter_export.db", followers=[(user_id, "Someone") for user_id in before],
                    dm_status=[(user_id, stamp) for user_id, stamps in old.items() for stamp in stamps],
                    skip_user=[(refused, local(10)), (refused_retry, local(9))])
    config = write_legacy_config(folder)

    # The import names a new profile, and asks X (a sandbox here) whose the config's keys are.
    imported = run("--api-base-url", sandbox_server.base_url, "--profile", "Legacy", "import", "twitter-exporter",
                   str(config), home=home)

    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "    Hi {name},\n    subscription message and link" in imported.stdout
    assert (f"Added to the DM log of @sandbox_creator (account id {SANDBOX_USER_ID}): 4 first DMs and 1 retry, as "
            "sent; 1 follower X refused DMs to, as skipped; the retry of 1 follower X refused DMs to after the "
            "first, as skipped.") in imported.stdout
    assert "(its times read as this computer's local time, IST)" in imported.stdout
    assert query(home, "SELECT created_at, updated_at FROM dm_log WHERE recipient_id = ? AND step = 'first' "
                       "AND mode = 'live'", (twice,)) == [(epoch_of(old[twice][0]),) * 2]
    after = planned_by_dry_run(home)
    assert after[once_due] == {"retry"}  # one DM 30 days ago: the retry, as Twitter Exporter would have sent it
    for person in (twice, once_recent, refused, refused_retry):
        assert person not in after
    assert len(after) >= len(before)  # the daily cap is filled with the others

    settings_before, log_before = settings_file.read_bytes(), query(home, "SELECT * FROM dm_log WHERE mode = 'live'")
    again = run("--api-base-url", sandbox_server.base_url, "--profile", "Legacy", "import", "twitter-exporter",
                str(config), home=home)
    assert again.returncode == 0 and "Nothing changed in the DM log" in again.stdout
    assert query(home, "SELECT * FROM dm_log WHERE mode = 'live'") == log_before
    assert settings_file.read_bytes() == settings_before


def test_odd_rows_are_reported_in_sentences(tmp_path, sandbox_server):
    home = tmp_path / "data"
    three_days_ago = local(3)  # one moment: two calls to local() may fall in different milliseconds
    build_legacy_db(tmp_path / "twitter_export.db", followers=[(11, "Ann")],
                    dm_status=[(11, "garbage"), ("18446744073709551616", three_days_ago), (12, three_days_ago),
                               (12, three_days_ago)])
    result = run("--api-base-url", sandbox_server.base_url, "import", "twitter-exporter",
                 str(write_legacy_config(tmp_path)), home=home)
    assert result.returncode == 0, result.stderr
    assert "into profile 'Imported'" in result.stdout  # the default profile name, as in the File menu
    assert "Not imported: 1 row whose id is not an X user id" in result.stdout
    assert "1 duplicate row" in result.stdout
    assert "1 time could not be read or is impossible (such as 'garbage')" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(("arrange", "options", "message"), [
    ("no database", [], "does not exist. Nothing was imported. Name it with --db FILE, or import the settings "
                        "alone with --no-history."),
    ("config as database", ["--db", "{config}"], "is not an SQLite database"),
    ("damaged", [], "is damaged"),
    ("no tables", [], "has no dm_status table"),
    ("no config", [], "Could not read"),
    ("sandbox", [], "The Sandbox profile only talks to the built-in emulator"),
])
def test_bad_input_is_one_sentence_and_imports_nothing(tmp_path, arrange, options, message):
    home = tmp_path / "data"
    config = write_legacy_config(tmp_path)
    database = tmp_path / "twitter_export.db"
    if arrange == "damaged":
        build_legacy_db(database, followers=[(i, "x" * 200) for i in range(1, 3000)])
        data = bytearray(database.read_bytes())
        data[8192:] = b"\xa5" * (len(data) - 8192)
        database.write_bytes(bytes(data))
    elif arrange == "no tables":
        sqlite3.connect(database).execute("CREATE TABLE other (x)").connection.close()
    elif arrange in ("sandbox", "config as database"):
        build_legacy_db(database)
    elif arrange == "no config":
        config.unlink()
    profile = ["--profile", "Sandbox"] if arrange == "sandbox" else []

    result = run(*profile, "import", "twitter-exporter", str(config), *(o.format(config=config) for o in options),
                 home=home)

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert set(load_settings(home / "settings.json").settings.profiles) == {"Sandbox"}
    assert query(home, "SELECT count(*) FROM dm_log") == [(0,)]


def test_settings_alone_when_the_database_is_lost(tmp_path):
    home = tmp_path / "data"
    result = run("--profile", "Legacy", "import", "twitter-exporter", str(write_legacy_config(tmp_path)),
                 "--no-history", home=home)
    assert result.returncode == 0, result.stderr
    assert "Not imported (settings only)" in result.stdout
    assert load_settings(home / "settings.json").settings.profiles["Legacy"].message.startswith("Hi {name},\n")
