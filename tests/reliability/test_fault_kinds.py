"""Every fault kind X shows, at a high rate on every endpoint, through real CLI processes: a run may stop, the
next resumes; in the end nothing is lost, nothing is sent twice, and no page is bought twice."""

from __future__ import annotations

import sqlite3

import pytest

from tests.reliability.harness import LIVE_DM_RUN, ROUNDS, Cli, configure_campaign, extra_page_requests, sandbox

KINDS = ("500", "503", "drop", "slow", "errors-only", "429", "429-bare", "sent-then-drop")
FOLLOWERS = 3000
TWEETS_ARGS = ("tweets", "download", "bob_builds", "--limit", "250", "--include-replies", "--format", "reply")
PACE = ("--rate-limit", "dm_send=40/1", "--rate-limit", "dm_events=100/1")
RATE = 0.12  # of every request to every endpoint
DMS = 25  # the campaign's daily cap: enough sends for faults to hit some


@pytest.fixture(scope="module")
def reference_dataset(tmp_path_factory) -> bytes:
    """The dataset a run without faults writes."""
    folder = tmp_path_factory.mktemp("reference")
    with sandbox(folder / "x", followers=50) as x:
        cli = Cli(folder / "data", x.base_url, folder / "cwd")
        assert cli.run(*TWEETS_ARGS).code == 0
    return (folder / "cwd" / "bob_builds_tweets.csv").read_bytes()


@pytest.mark.parametrize("round_", range(ROUNDS))
@pytest.mark.parametrize("kind", KINDS)
def test_every_job_survives_the_fault(tmp_path, figures, kind, round_, reference_dataset):
    flags = ("--fault", f"{kind}={RATE}", "--fault-seed", str(KINDS.index(kind) + 100 * round_),
             "--slow-seconds", "0.2", "--storm-seconds", "1", *PACE)
    with sandbox(tmp_path / "x", *flags, followers=FOLLOWERS) as x:
        cli = Cli(tmp_path / "data", x.base_url, tmp_path / "cwd")
        configure_campaign(cli.data_dir, live=True, daily_cap=DMS)

        runs = cli.run_until_done("followers", "fetch")
        with sqlite3.connect(cli.data_dir / "twexport.sqlite3") as conn:
            stored, gone = conn.execute(
                "SELECT count(*), count(unfollowed_at) FROM followers").fetchone()
        extra = extra_page_requests(x.requests(), "followers", 0, "pagination_token")

        since = x.request_count()
        runs += cli.run_until_done(*TWEETS_ARGS)
        written = (cli.cwd / "bob_builds_tweets.csv").read_bytes()
        extra += extra_page_requests(x.requests(since), "user_tweets", 0, "pagination_token")

        runs += cli.run_until_done(*LIVE_DM_RUN)
        sent = x.dms_per_participant()
        doubles = sum(1 for count in sent.values() if count > 1)

        tracebacks = sum(run.has_traceback for run in runs)
        faults = sum(1 for entry in x.requests() if entry["fault"])
        figures(f"fault {kind}", trials=1, faults_injected=faults, runs=len(runs), lost=FOLLOWERS - stored,
                wrongly_gone=gone, extra_pages=extra, identical=int(written == reference_dataset),
                double_dms=doubles, dms_sent=sum(sent.values()), tracebacks=tracebacks)
        assert faults > 0
        assert (stored, gone, extra, doubles, tracebacks) == (FOLLOWERS, 0, 0, 0, 0)
        assert written == reference_dataset
