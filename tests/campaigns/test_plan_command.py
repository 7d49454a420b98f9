"""`dm run --plan` as a real process on the embedded sandbox (5,000 followers): the calendar, from the database
alone, while another run holds the campaign, with no way to reach any API, and nothing sent."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from twexport_qt.app_context import DEFAULT_SANDBOX_FOLLOWERS
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.settings.storage import save_settings
from twexport_qt.store.job_locks import JobKind, JobLock

ROOT = Path(__file__).resolve().parents[2]
NOTHING_LISTENS = "http://127.0.0.1:9"  # the discard port: any request the command made would fail


def main_py(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def table(stdout: str) -> list[list[str]]:
    """The calendar's rows: date, day, first DMs, retries, retries falling due, cost, tiers..."""
    return [line.split() for line in stdout.splitlines() if re.match(r"\d{4}-\d{2}-\d{2}\s", line)]


def test_dm_run_plan_prints_the_sandbox_calendar_and_sends_nothing(tmp_path):
    settings = AppSettings()
    settings.active.set_switches(dm_enabled=True, test_mode=False, confirmed_at=1)  # live and confirmed
    save_settings(settings, tmp_path / "settings.json")
    fetched = main_py(tmp_path, "followers", "fetch")
    assert fetched.returncode == 0, fetched.stderr
    with sqlite3.connect(tmp_path / "twexport.sqlite3") as db:
        followers = db.execute("SELECT count(*) FROM followers WHERE owner_id = ?", (SANDBOX_USER_ID,)).fetchone()[0]
        accepting = db.execute("SELECT count(*) FROM followers WHERE owner_id = ? AND coalesce(receives_your_dm, 1)",
                               (SANDBOX_USER_ID,)).fetchone()[0]
    assert followers == DEFAULT_SANDBOX_FOLLOWERS

    # A campaign run holds the lock and no API answers: the plan needs neither.
    with JobLock(tmp_path, JobKind.DM_CAMPAIGN, "profile:Sandbox"):
        plan = main_py(tmp_path, "--api-base-url", NOTHING_LISTENS, "dm", "run", "--plan")
    assert plan.returncode == 0, plan.stderr
    out = plan.stdout
    assert out.startswith("Campaign plan for profile 'Sandbox', from ") and "Days are UTC dates." in out
    assert "Live sending is on: this is what goes out." in out
    assert f"Due now: {accepting:,} first DMs and 0 retries." in out
    assert f"{followers - accepting:,} followers are left out: they don't accept DMs." in out
    assert "at most 400 DMs per 24 hours, your daily cap" in out and "0 DMs were sent in the last 24 hours" in out

    rows = table(out)
    firsts = [int(row[2].replace(",", "")) for row in rows]
    retries = [int(row[3].replace(",", "")) for row in rows]
    assert sum(firsts) == sum(retries) == accepting  # everyone due, and each one's retry, within 60 days
    assert max(first + retry for first, retry in zip(firsts, retries)) <= 400
    assert rows[0][1] == "1" and firsts[0] > 0
    first_retry_day = next(int(row[1]) for row in rows if int(row[3].replace(",", "")))
    assert first_retry_day == 8  # 7 days after day 1's first DMs
    assert "Estimated cost: $" in out and "more after" not in out

    with sqlite3.connect(tmp_path / "twexport.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM dm_log").fetchone()[0] == 0


def test_plan_refuses_send_flags_and_a_profile_without_followers(tmp_path):
    refused = main_py(tmp_path, "dm", "run", "--plan", "--live")
    assert refused.returncode == 2 and "--plan only prints the plan" in refused.stderr
    settings = AppSettings()
    settings.profiles["Mine"] = Profile(name="Mine", message="Hi")
    settings.active_profile = "Mine"
    save_settings(settings, tmp_path / "settings.json")
    unfetched = main_py(tmp_path, "--api-base-url", NOTHING_LISTENS, "dm", "run", "--plan")
    assert unfetched.returncode == 2 and "run `followers fetch` first" in unfetched.stderr
