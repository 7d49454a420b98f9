"""The command line, run as a user runs it: `python main.py ...` in a fresh process on a temp data dir."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from twexport_qt import __version__
from twexport_qt.app_context import sandbox_credentials
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.sandbox import SANDBOX_USER_ID

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, home: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "TWEXPORT_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT)


def test_version_and_help(tmp_path):
    assert run("--version", home=tmp_path).stdout.strip() == f"TwExport {__version__}"
    help_text = run("--help", home=tmp_path).stdout
    for command in ("sandbox", "followers", "dm", "tweets", "export", "--self-check", "--data-dir"):
        assert command in help_text


def test_fetch_then_export_on_the_default_sandbox_profile(tmp_path):
    fetched = run("followers", "fetch", home=tmp_path)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert "5,000 followers" in fetched.stdout
    out = tmp_path / "exports" / "followers.csv"  # the data folder's exports folder is the one allowed inside it
    out.parent.mkdir()
    exported = run("export", "followers", "--out", str(out), home=tmp_path)
    assert exported.returncode == 0 and "5,000 rows" in exported.stdout
    with out.open(newline="", encoding="utf-8") as file:
        assert sum(1 for _ in csv.reader(file)) == 5001
    # A second fetch is a refresh: nobody left, nothing re-requested beyond one pass.
    again = run("followers", "fetch", home=tmp_path)
    assert again.returncode == 0 and "0 unfollowed" in again.stdout


def test_dm_dry_run_sends_nothing(tmp_path):
    result = run("dm", "run", "--dry-run", home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Dry run" in result.stdout and "nothing was sent" in result.stdout


def test_unknown_profile_is_a_clear_error(tmp_path):
    result = run("--profile", "Nope", "followers", "fetch", home=tmp_path)
    assert result.returncode == 2 and result.stderr.count("no profile named 'Nope'") == 1
    assert "Traceback" not in result.stderr


def test_export_without_data_says_what_to_do(tmp_path):
    home = tmp_path / "data"
    result = run("export", "skipped", "--out", str(tmp_path / "s.csv"), home=home)
    # The sandbox account id is known without fetching, so this is an empty (header-only) export.
    assert result.returncode == 0 and "0 rows" in result.stdout
    result = run("export", "tweets", "--out", str(tmp_path / "t.csv"), home=home)
    assert result.returncode == 2 and "download tweets first" in result.stderr


def test_sandbox_serve_speaks_the_x_api(tmp_path):
    env = {**os.environ, "TWEXPORT_HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "sandbox", "serve", "--port", "0",
                                "--followers", "50"], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        first_line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first_line).group(0)
        gateway = XGateway(sandbox_credentials(), base_url=url)
        assert int(gateway.me()["id"]) == SANDBOX_USER_ID
        assert len(gateway.followers_page(SANDBOX_USER_ID).data) == 50
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("bad", [["followers"], ["export", "nonsense", "--out", "x.csv"]])
def test_bad_arguments_exit_with_usage(tmp_path, bad):
    result = run(*bad, home=tmp_path)
    assert result.returncode == 2 and "usage:" in result.stderr


def test_the_api_base_url_variable_is_checked_like_the_flag(tmp_path):
    env_run = subprocess.run([sys.executable, str(ROOT / "main.py"), "followers", "fetch"], capture_output=True,
                             text=True, cwd=ROOT, timeout=60,
                             env={**os.environ, "TWEXPORT_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
                                  "TWEXPORT_API_BASE_URL": "https://api.example.com"})
    assert env_run.returncode == 2 and "loopback only" in env_run.stderr and "Traceback" not in env_run.stderr
