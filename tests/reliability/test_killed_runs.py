"""SIGKILL at random moments, then run again: nothing lost, nothing sent twice, no page bought twice.

Each case first runs the job uninterrupted (its duration bounds the random kill times), then runs it in a fresh
data folder through a few kills and a final uninterrupted run, and compares with the reference.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.reliability.harness import (
    LIVE_DM_RUN,
    TEST_DM_RUN,
    Cli,
    configure_campaign,
    extra_page_requests,
    kill_delays,
    page_requests,
    sandbox,
    trials,
)

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kills processes with SIGKILL")

FOLLOWERS = 10_000  # 10 pages
# Pages come paced by a rate window, as on X, only faster: 4 per 1-second window (X: 300 per 15 minutes).
FOLLOWERS_PACE = ("--rate-limit", "followers=4/1")
KILLS_PER_TRIAL = 3
SEED = 2026


def follower_count(data_dir: Path, *, gone: bool = False) -> int:
    with sqlite3.connect(data_dir / "twexport.sqlite3") as conn:
        where = "unfollowed_at IS NOT NULL" if gone else "1"
        return conn.execute(f"SELECT count(*) FROM followers WHERE {where}").fetchone()[0]


def test_followers_fetch_and_refresh_killed_at_random(tmp_path, figures):
    rng = random.Random(SEED)
    with sandbox(tmp_path / "x", *FOLLOWERS_PACE, followers=FOLLOWERS) as x:
        reference = Cli(tmp_path / "reference", x.base_url, tmp_path / "cwd").run("followers", "fetch")
        assert reference.code == 0, reference.stderr
        for trial in trials(2):
            cli = Cli(tmp_path / f"data{trial}", x.base_url, tmp_path / "cwd")
            for phase in ("fetch", "refresh"):
                since = x.request_count()
                previous_run = latest_fetch_run(cli.data_dir)[0]
                kills = 0
                for delay in kill_delays(rng, KILLS_PER_TRIAL, reference.seconds):
                    outcome = cli.run("followers", "fetch", kill_after=delay)
                    assert not outcome.has_traceback, outcome.stderr
                    kills += outcome.killed
                    run_id, state = latest_fetch_run(cli.data_dir)
                    if run_id > previous_run and state == "done":  # finished, maybe killed while exiting:
                        break                                      # another run would be a refresh
                else:
                    outcome = cli.run("followers", "fetch")
                assert outcome.killed or outcome.code == 0, outcome.stderr
                requests = x.requests(since)
                extra = extra_page_requests(requests, "followers", kills, "pagination_token")
                lost = FOLLOWERS - follower_count(cli.data_dir)
                wrongly_gone = follower_count(cli.data_dir, gone=True)
                figures(f"followers {phase} killed", trials=1, kills=kills, extra_pages=extra, lost=lost,
                        wrongly_gone=wrongly_gone)
                assert (extra, lost, wrongly_gone) == (0, 0, 0), [
                    (e["status"], e["query"].get("pagination_token")) for e in requests if e["endpoint"] == "followers"]
                if phase == "fetch":  # a run that was never killed after its last page reads each page once
                    assert len(page_requests(requests, "followers")) <= FOLLOWERS // 1000 + kills


def latest_fetch_run(data_dir: Path) -> tuple[int, str]:
    """(id, state) of the newest followers fetch run; (0, "") before the first."""
    if not (data_dir / "twexport.sqlite3").exists():
        return 0, ""
    with sqlite3.connect(data_dir / "twexport.sqlite3") as conn:
        row = conn.execute("SELECT id, state FROM fetch_runs ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, "")


def read_dataset(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


@pytest.mark.parametrize("output_format", ["csv", "jsonl"])
def test_tweets_download_killed_at_random(tmp_path, figures, output_format):
    rng = random.Random(SEED + len(output_format))
    args = ("tweets", "download", "bob_builds", "--limit", "900", "--include-replies", "--format", "reply",
            "--sentiment", "3", "--output-format", output_format)
    with sandbox(tmp_path / "x", "--rate-limit", "user_tweets=4/1", followers=100) as x:
        reference_cli = Cli(tmp_path / "reference", x.base_url, tmp_path / "reference-cwd")
        reference = reference_cli.run(*args)
        assert reference.code == 0, reference.stderr
        expected = read_dataset(tmp_path / "reference-cwd" / f"bob_builds_tweets.{output_format}")
        assert expected.count(b"\n") >= 900
        for trial in trials(2):
            cli = Cli(tmp_path / f"data{trial}", x.base_url, tmp_path / f"cwd{trial}")
            since = x.request_count()
            kills = 0
            for delay in kill_delays(rng, KILLS_PER_TRIAL, reference.seconds):
                outcome = cli.run(*args, kill_after=delay)
                assert not outcome.has_traceback, outcome.stderr
                kills += outcome.killed
            final = cli.run(*args)
            assert final.code == 0 and not final.has_traceback, final.stderr
            written = read_dataset(cli.cwd / f"bob_builds_tweets.{output_format}")
            extra = extra_page_requests(x.requests(since), "user_tweets", kills, "pagination_token")
            lost = max(0, expected.count(b"\n") - written.count(b"\n"))
            figures(f"tweets download {output_format} killed", trials=1, kills=kills, extra_pages=extra, lost=lost,
                    identical=int(written == expected))
            assert written == expected and extra == 0


def test_built_dataset_download_killed_at_random(tmp_path, figures):
    """A chat-JSONL download with de-duplication and a split stores pages as it goes and writes its files at the
    end: killed at any moment (during the pages, the build or the card), the next run ends with the very files an
    uninterrupted run writes, and no stored page is bought again."""
    rng = random.Random(SEED + 7)
    args = ("tweets", "download", "bob_builds", "--limit", "900", "--include-replies", "--output-format",
            "chat-jsonl", "--dedupe", "--scrub-contacts", "--split", "0.8,0.1,0.1", "--seed", "7", "--yes")

    def dataset_files(cwd: Path) -> dict[str, bytes]:  # the card names its build time: compared apart
        return {path.name: path.read_bytes() for path in sorted(cwd.glob("bob_builds_tweets.*.jsonl"))}

    with sandbox(tmp_path / "x", "--rate-limit", "user_tweets=4/1", followers=100) as x:
        reference_cli = Cli(tmp_path / "reference", x.base_url, tmp_path / "reference-cwd")
        reference = reference_cli.run(*args)
        assert reference.code == 0, reference.stderr
        expected = dataset_files(tmp_path / "reference-cwd")
        assert sorted(expected) == ["bob_builds_tweets.test.jsonl", "bob_builds_tweets.train.jsonl",
                                    "bob_builds_tweets.validation.jsonl"]
        cli = Cli(tmp_path / "data", x.base_url, tmp_path / "cwd")
        since = x.request_count()
        kills = 0
        for delay in kill_delays(rng, KILLS_PER_TRIAL, reference.seconds):
            outcome = cli.run(*args, kill_after=delay)
            assert not outcome.has_traceback, outcome.stderr
            kills += outcome.killed
        final = cli.run(*args)
        assert final.code == 0 and not final.has_traceback, final.stderr
        written = dataset_files(cli.cwd)
        extra = extra_page_requests(x.requests(since), "user_tweets", kills, "pagination_token")
        figures("chat-jsonl + split download killed", trials=1, kills=kills, extra_pages=extra,
                identical=int(written == expected))
        assert written == expected and extra == 0
        assert (cli.cwd / "README.md").exists()


@pytest.mark.parametrize("mode", ["test", "live"])
def test_dm_run_killed_at_random(tmp_path, figures, mode):
    rng = random.Random(SEED + (mode == "live"))
    # DMs at a pace where kills land mid-campaign: 10 per second window (X: 15 per 15 minutes).
    with sandbox(tmp_path / "x", "--rate-limit", "dm_send=10/1", "--rate-limit", "dm_events=100/1",
                 followers=40) as x:
        for trial in trials(3):
            cli = Cli(tmp_path / f"data{trial}", x.base_url, tmp_path / "cwd")
            configure_campaign(cli.data_dir, live=mode == "live")
            assert cli.run("followers", "fetch").code == 0
            before = x.dms_per_participant()
            dm_run = LIVE_DM_RUN if mode == "live" else TEST_DM_RUN
            kills = 0
            for delay in kill_delays(rng, KILLS_PER_TRIAL, 3.0 if mode == "live" else 1.5):
                outcome = cli.run(*dm_run, kill_after=delay)
                assert not outcome.has_traceback, outcome.stderr
                kills += outcome.killed
            final = cli.run(*dm_run)
            assert final.code == 0 and not final.has_traceback, final.stdout + final.stderr
            sent = x.dms_per_participant() - before
            doubles = sum(1 for count in sent.values() if count > 1)
            figures(f"dm run {mode} killed", trials=1, kills=kills, double_dms=doubles, dms_sent=sum(sent.values()))
            assert doubles == 0
            if mode == "test":
                assert set(sent) <= {"3001", "3002"}
            # A rerun in an hour's time neither sends again nor finds anything left to do but what X never got.
            again = cli.run(*dm_run)
            assert again.code == 0 and x.dms_per_participant() - before == sent


def test_export_killed_at_random_never_leaves_half_a_file(tmp_path, figures):
    rng = random.Random(SEED)
    with sandbox(tmp_path / "x", followers=FOLLOWERS) as x:
        cli = Cli(tmp_path / "data", x.base_url, tmp_path / "cwd")
        assert cli.run("followers", "fetch").code == 0
        target = tmp_path / "out" / "followers.csv"
        target.parent.mkdir()
        reference = cli.run("export", "followers", "--out", str(target))
        assert reference.code == 0
        kills = half_files = 0
        attempts = len(trials(6))
        for delay in kill_delays(rng, attempts, reference.seconds):
            target.unlink(missing_ok=True)
            outcome = cli.run("export", "followers", "--out", str(target), kill_after=delay)
            kills += outcome.killed
            if target.exists():
                with target.open(newline="", encoding="utf-8") as file:
                    half_files += sum(1 for _ in csv.reader(file)) != FOLLOWERS + 1
        parts = list(target.parent.glob(".*.part"))
        for part in parts:  # as if the next export came a day later
            old = time.time() - 86_400
            os.utime(part, (old, old))
        assert cli.run("export", "followers", "--out", str(target)).code == 0
        left = list(target.parent.glob(".*.part"))
        figures("export killed", trials=attempts, kills=kills, half_files=half_files, stale_parts_left=len(left))
        assert half_files == 0 and left == []
