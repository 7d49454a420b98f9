"""Two runs of one job at once (a terminal and cron, or the app and a script): one works, the other says in one
sentence what is running since when, and nothing is fetched, written or sent twice."""

from __future__ import annotations

import csv
import sqlite3
import time

import pytest

from tests.reliability.harness import (
    LIVE_DM_RUN,
    ROUNDS,
    Cli,
    Outcome,
    configure_campaign,
    page_requests,
    sandbox,
    trials,
)
from twexport_qt.core.errors import EXIT_BUSY

BUSY_SENTENCE = "is already running since"


def run_two_at_once(cli: Cli, *args: str, other: Cli | None = None, stagger: float = 0.0) -> list[Outcome]:
    started = []
    for runner in (cli, other or cli):
        started.append(runner.start(*args))
        time.sleep(stagger)
    outcomes = []
    for process, out, err in started:
        process.wait(timeout=180)
        outcomes.append(Outcome(process.returncode, out.read_text(), err.read_text(), 0.0))
    return outcomes


def one_ran_one_refused(outcomes: list[Outcome]) -> Outcome:
    """The refused one, after checking the pair ended as it should."""
    assert not any(o.has_traceback for o in outcomes), [o.stderr for o in outcomes]
    codes = sorted(o.code for o in outcomes)
    assert codes == [0, EXIT_BUSY], [(o.code, o.stderr) for o in outcomes]
    refused = next(o for o in outcomes if o.code == EXIT_BUSY)
    assert BUSY_SENTENCE in refused.stderr and refused.stderr.count("\n") == 1, refused.stderr
    return refused


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_followers_fetches(tmp_path, figures, round_):
    with sandbox(tmp_path / "x", "--rate-limit", "followers=4/1", followers=8000) as x:
        cli = Cli(tmp_path / "data", x.base_url, tmp_path / "cwd")
        assert cli.run("export", "skipped", "--out", str(tmp_path / "warm.csv")).code == 0  # the data folder exists
        since = x.request_count()
        one_ran_one_refused(run_two_at_once(cli, "followers", "fetch", stagger=0.5))
        pages = page_requests(x.requests(since), "followers")
        with sqlite3.connect(cli.data_dir / "twexport.sqlite3") as conn:
            stored = conn.execute("SELECT count(*) FROM followers").fetchone()[0]
        figures("two followers fetches", trials=1, extra_pages=len(pages) - 8, lost=8000 - stored)
        assert len(pages) == 8 and stored == 8000


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_identical_tweet_downloads(tmp_path, figures, round_):
    args = ("tweets", "download", "carol_codes")
    with sandbox(tmp_path / "x", "--rate-limit", "user_tweets=2/1", followers=50) as x:
        reference = Cli(tmp_path / "reference", x.base_url, tmp_path / "reference-cwd")
        assert reference.run(*args).code == 0
        expected = (reference.cwd / "carol_codes_tweets.csv").read_bytes()
        cli = Cli(tmp_path / "data", x.base_url, tmp_path / "cwd")
        assert cli.run("export", "skipped", "--out", str(tmp_path / "warm.csv")).code == 0
        one_ran_one_refused(run_two_at_once(cli, *args, stagger=0.5))
        written = (cli.cwd / "carol_codes_tweets.csv").read_bytes()
        extra_rows = written.count(b"\n") - expected.count(b"\n")
        figures("two identical tweet downloads", trials=1, duplicate_rows=max(0, extra_rows))
        assert written == expected


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_dm_runs_never_double_a_dm_and_keep_the_daily_cap(tmp_path, figures, round_):
    with sandbox(tmp_path / "x", "--rate-limit", "dm_send=5/1", followers=60) as x:
        cli = Cli(tmp_path / "data", x.base_url, tmp_path / "cwd")
        configure_campaign(cli.data_dir, live=True, daily_cap=20)
        assert cli.run("followers", "fetch").code == 0
        one_ran_one_refused(run_two_at_once(cli, *LIVE_DM_RUN, stagger=0.5))
        again = cli.run(*LIVE_DM_RUN)  # the same day: the cap is spent
        assert again.code == 0 and "daily cap of 20" in again.stdout
        sent = x.dms_per_participant()
        doubles = sum(1 for count in sent.values() if count > 1)
        figures("two dm runs", trials=1, double_dms=doubles, over_cap=max(0, sum(sent.values()) - 20))
        assert doubles == 0 and sum(sent.values()) == 20


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_exports_to_one_file(tmp_path, figures, round_):
    with sandbox(tmp_path / "x", followers=5000) as x:
        cli = Cli(tmp_path / "data", x.base_url, tmp_path / "cwd")
        assert cli.run("followers", "fetch").code == 0
        target = tmp_path / "followers.csv"
        outcomes = run_two_at_once(cli, "export", "followers", "--out", str(target))
        assert [o.code for o in outcomes] == [0, 0] and not any(o.has_traceback for o in outcomes)
        with target.open(newline="", encoding="utf-8") as file:
            assert sum(1 for _ in csv.reader(file)) == 5001
        figures("two exports to one file", trials=1, half_files=0)


def test_two_commands_setting_up_a_new_data_folder(tmp_path, figures):
    tracebacks = 0
    with sandbox(tmp_path / "x", followers=100) as x:
        for trial in trials(4):
            data = tmp_path / f"new{trial}"
            first = Cli(data, x.base_url, tmp_path / "cwd")
            outcomes = run_two_at_once(first, "dm", "run", "--dry-run", other=first)
            tracebacks += sum(o.has_traceback for o in outcomes)
            assert [o.code for o in outcomes] == [0, 0], [o.stderr for o in outcomes]
        figures("two commands on a new data folder", trials=len(trials(4)), tracebacks=tracebacks)
    assert tracebacks == 0
