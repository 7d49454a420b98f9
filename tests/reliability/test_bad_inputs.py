"""Hostile and broken inputs through real CLI processes: each gets one sentence on stderr, a documented exit
code, no traceback, and nothing the user had is lost."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.harness import Cli, Outcome, sandbox
from twexport_qt.core.errors import EXIT_BAD_INPUT
from twexport_qt.sandbox import SANDBOX_USER_ID

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Case:
    name: str
    arrange: Callable[[Path, Path], list[str]]  # (data dir, scratch dir) -> the command line's arguments
    expect_code: int = EXIT_BAD_INPUT
    expect_text: str = ""
    check: Callable[[Path, Path, Outcome], None] | None = None


def _garbage_database(data: Path, scratch: Path) -> list[str]:
    data.mkdir(parents=True)
    (data / "twexport.sqlite3").write_bytes(b"\x00GARBAGE" * 4096)
    return ["export", "followers", "--out", str(scratch / "f.csv")]


def _garbage_kept(data: Path, scratch: Path, outcome: Outcome) -> None:
    assert (data / "twexport.sqlite3").read_bytes() == b"\x00GARBAGE" * 4096


def _repaired(data: Path, scratch: Path, outcome: Outcome) -> None:
    assert "moved to" in outcome.stderr
    assert [p.read_bytes() for p in data.glob("twexport.sqlite3.damaged-*") if p.suffix not in (".wal", ".shm")
            and not p.name.endswith(("-wal", "-shm"))] == [b"\x00GARBAGE" * 4096]


def _corrupt_pages(data: Path, scratch: Path) -> list[str]:
    path = data / "twexport.sqlite3"
    conn = _new_database(path)
    with conn:
        conn.executemany("INSERT INTO followers (owner_id, user_id, username, first_seen, last_seen, description) "
                         "VALUES (?, ?, ?, 1, 1, ?)", [(SANDBOX_USER_ID, i, f"u{i}", "x" * 300)
                                                       for i in range(8000)])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as file:
        file.seek(path.stat().st_size // 2)
        file.write(b"\xff" * 65536)
    return ["export", "followers", "--out", str(scratch / "f.csv")]


def _newer_database(data: Path, scratch: Path) -> list[str]:
    conn = _new_database(data / "twexport.sqlite3")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    return ["followers", "fetch"]


def _new_database(path: Path) -> sqlite3.Connection:
    from twexport_qt.store.database import open_database

    path.parent.mkdir(parents=True, exist_ok=True)
    return open_database(path)


def _default_settings_with(old: str, new: str) -> str:
    """The default settings file, as the app writes it, with one value replaced by a hostile one."""
    from twexport_qt.settings.codec import settings_to_dict
    from twexport_qt.settings.model import AppSettings

    settings = AppSettings()
    settings.ensure_invariants()
    text = json.dumps(settings_to_dict(settings), indent=2)
    assert old in text
    return text.replace(old, new, 1)


HUGE_CAP = _default_settings_with('"daily_cap": 400', '"daily_cap": ' + "9" * 5000)
OVER_64_BITS_CAP = _default_settings_with('"daily_cap": 400', '"daily_cap": 99999999999999999999999')


def _settings(text: str) -> Callable[[Path, Path], list[str]]:
    def arrange(data: Path, scratch: Path) -> list[str]:
        data.mkdir(parents=True)
        (data / "settings.json").write_text(text, encoding="utf-8")
        return ["dm", "run", "--dry-run"]
    return arrange


def _settings_kept(text: str) -> Callable[[Path, Path, Outcome], None]:
    def check(data: Path, scratch: Path, outcome: Outcome) -> None:
        kept = [p for p in data.glob("settings.json*") if p.read_text(encoding="utf-8") == text]
        assert kept, "the user's settings file must be kept (as itself or as a backup)"
    return check


def _settings_folder(data: Path, scratch: Path) -> list[str]:
    (data / "settings.json").mkdir(parents=True)
    (data / "settings.json" / "note.txt").write_text("mine")
    return ["dm", "run", "--dry-run"]


def _archive_with_huge_ids(data: Path, scratch: Path) -> list[str]:
    tweets = [{"tweet": {"id_str": str(2**64 + n), "id": str(2**64 + n), "full_text": f"too big {n}",
                         "created_at": "Wed Oct 10 20:19:24 +0000 2018"}} for n in range(3)]
    tweets.append({"tweet": {"id_str": "1050118621198921728", "id": "1050118621198921728",
                             "full_text": "a fine tweet", "created_at": "Wed Oct 10 20:19:24 +0000 2018"}})
    archive = scratch / "archive.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps(tweets))
        zipped.writestr("data/account.js", 'window.YTD.account.part0 = [{"account": {"accountId": "42", '
                                           '"username": "me", "accountDisplayName": "Me"}}]')
    return ["tweets", "download", "--archive", str(archive), "--output", str(scratch / "a.csv")]


def _huge_ids_skipped(data: Path, scratch: Path, outcome: Outcome) -> None:
    assert "a fine tweet" in (scratch / "a.csv").read_text(encoding="utf-8")


DEFAULT_SETTINGS = _default_settings_with("{", "{")


def _export_onto(name: str) -> Callable[[Path, Path], list[str]]:
    def arrange(data: Path, scratch: Path) -> list[str]:
        _new_database(data / "twexport.sqlite3").close()
        (data / "settings.json").write_text(DEFAULT_SETTINGS, encoding="utf-8")
        return ["export", "followers", "--out", str(data / name)]
    return arrange


def _app_files_intact(data: Path, scratch: Path, outcome: Outcome) -> None:
    with sqlite3.connect(data / "twexport.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM dm_log").fetchone()[0] == 0  # still a database
    assert json.loads((data / "settings.json").read_text(encoding="utf-8")) == json.loads(DEFAULT_SETTINGS)


def _path_in_username(data: Path, scratch: Path) -> list[str]:
    return ["tweets", "download", "x.com/carol_codes/../../../../escaped/evil", "--limit", "5"]


def _stayed_in_cwd(data: Path, scratch: Path, outcome: Outcome) -> None:
    assert (scratch / "cwd" / "carol_codes_tweets.csv").exists()
    assert not list(scratch.parent.rglob("evil*"))


def _plain(args: list[str]) -> Callable[[Path, Path], list[str]]:
    return lambda data, scratch: list(args)


def _empty_usernames_file(data: Path, scratch: Path) -> list[str]:
    (scratch / "empty.txt").write_text("# nobody here\n\n", encoding="utf-8")
    return ["tweets", "download", str(scratch / "empty.txt")]


CASES = [
    Case("garbage database", _garbage_database, expect_text="is damaged", check=_garbage_kept),
    Case("garbage database --repair", lambda d, s: ["--repair", *_garbage_database(d, s)], expect_code=0,
         check=_repaired),
    Case("corrupt database pages", _corrupt_pages, expect_text="is damaged"),
    Case("database from a newer version", _newer_database, expect_text="newer TwExport"),
    Case("settings: 5,000-digit integer", _settings(HUGE_CAP), expect_code=0, check=_settings_kept(HUGE_CAP)),
    Case("settings: nested 100,000 deep", _settings("[" * 100_000 + "]" * 100_000), expect_code=0,
         check=_settings_kept("[" * 100_000 + "]" * 100_000)),
    Case("settings: integer beyond 64 bits", _settings(OVER_64_BITS_CAP), expect_code=0,
         check=_settings_kept(OVER_64_BITS_CAP)),
    Case("settings.json is a folder", _settings_folder, expect_code=0,
         check=lambda d, s, o: (d / "settings.json" / "note.txt").read_text() == "mine"),
    Case("archive tweet ids over 2^63", _archive_with_huge_ids, expect_code=0, check=_huge_ids_skipped),
    Case("export onto the database", _export_onto("twexport.sqlite3"), expect_text="data folder",
         check=_app_files_intact),
    Case("export onto settings.json", _export_onto("settings.json"), expect_text="data folder",
         check=_app_files_intact),
    Case("export onto a folder", _plain(["export", "followers", "--out", "/"]), expect_text="is a folder"),
    Case("path in a username", _path_in_username, expect_code=0, check=_stayed_in_cwd),
    Case("non-loopback --api-base-url", _plain(["--api-base-url", "https://api.example.com", "followers", "fetch"]),
         expect_text="loopback only"),
    Case("bad timeframe", _plain(["tweets", "download", "carol_codes", "--timeframe", "2020-13-45"]),
         expect_text="timeframe"),
    Case("bad limit", _plain(["tweets", "download", "carol_codes", "abc"]), expect_text="limit"),
    Case("unknown account", _plain(["tweets", "download", "nobody_here_zz"]), expect_code=0),
    Case("empty usernames file", _empty_usernames_file, expect_text="no valid username"),
    Case("unknown profile", _plain(["--profile", "Nope", "followers", "fetch"]), expect_text="no profile named"),
]


@pytest.fixture(scope="module")
def shared_sandbox(tmp_path_factory) -> Iterator:
    with sandbox(tmp_path_factory.mktemp("x"), followers=2000) as x:
        yield x


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_gets_a_sentence_not_a_traceback(tmp_path, figures, shared_sandbox, case):
    data, scratch = tmp_path / "data", tmp_path / "scratch"
    scratch.mkdir()
    args = case.arrange(data, scratch)
    base_url = None if "--api-base-url" in args else shared_sandbox.base_url
    outcome = Cli(data, base_url, scratch / "cwd").run(*args)
    figures("bad inputs", trials=1, tracebacks=int(outcome.has_traceback))
    assert not outcome.has_traceback, outcome.stderr
    assert outcome.code == case.expect_code, outcome.stdout + outcome.stderr
    if case.name.startswith("settings"):  # the app runs on repaired settings and says what it reset
        assert "warning: " in outcome.stderr and "settings" in outcome.stderr.lower(), outcome.stderr
    if case.expect_code != 0:
        lines = [line for line in outcome.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), outcome.stderr
        assert case.expect_text in lines[0], lines[0]
    if case.check is not None:
        case.check(data, scratch, outcome)


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder` (root only); skips the test where mounting is not allowed."""
    folder.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True).returncode:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_full_disk_stops_the_fetch_with_a_sentence_and_keeps_what_was_saved(tmp_path, figures):
    with sandbox(tmp_path / "x", followers=30_000) as x, small_disk(tmp_path / "disk", "2m") as disk:
        outcome = Cli(disk / "data", x.base_url, tmp_path / "cwd").run("followers", "fetch")
        figures("bad inputs", trials=1, tracebacks=int(outcome.has_traceback))
        assert not outcome.has_traceback, outcome.stderr
        assert outcome.code == EXIT_BAD_INPUT and "full" in outcome.stderr, outcome.stderr
        with sqlite3.connect(disk / "data" / "twexport.sqlite3") as conn:  # still readable, pages kept
            assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM followers").fetchone()[0] > 0


def test_a_read_only_data_folder_is_a_sentence(tmp_path, figures):
    """A data folder on a read-only mount (root) or without write permission (anyone else)."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    with (small_disk(tmp_path / "disk", "8m") if as_root else contextlib.nullcontext(tmp_path)) as place:
        data = place / "data"
        ready = Cli(data, None, tmp_path / "cwd").run("export", "skipped", "--out", str(tmp_path / "s.csv"))
        assert ready.code == 0, ready.stderr
        before = (data / "twexport.sqlite3").read_bytes()
        if as_root:
            subprocess.run(["mount", "-o", "remount,ro", str(place)], check=True)
        else:
            for path in [data, *data.iterdir()]:
                os.chmod(path, 0o555 if path.is_dir() else 0o444)
        try:
            outcome = Cli(data, None, tmp_path / "cwd").run("followers", "fetch")
        finally:
            if not as_root:
                for path in [data, *data.iterdir()]:
                    os.chmod(path, 0o700 if path.is_dir() else 0o600)
        figures("bad inputs", trials=1, tracebacks=int(outcome.has_traceback))
        assert not outcome.has_traceback, outcome.stderr
        assert outcome.code == EXIT_BAD_INPUT and "writ" in outcome.stderr, outcome.stderr
        assert (data / "twexport.sqlite3").read_bytes() == before
