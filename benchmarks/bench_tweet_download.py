"""Pace of the tweet download against the sandbox, in simulated time (a FakeClock shared by app and sandbox).

Run: python benchmarks/bench_tweet_download.py [--per-window N]

The sandbox's timeline budget is cut to N requests per 15 minutes (default 10), so a download of two accounts
crosses several rate-limit windows and the pacer's waiting is what sets the pace, as it does at X for large
jobs. Printed: tweets read and written per simulated second, and the share of the rate-limit budget used in
the windows the download went through (goal >= 99%), next to the original tool's 0.5 tweets/s (it slept
2 s per tweet). Waiting costs no wall time: FakeClock.sleep only moves the hands.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twexport_qt.core.clock import FakeClock
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN, SANDBOX_CREDENTIALS
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.store.database import open_database
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions

WINDOW_S = 900
SEED_TWEETS_PER_S = 0.5
X_TIMELINE_REQUESTS_PER_WINDOW = 900  # per user, XAPI_FACTS §4.3
ACCOUNTS = ("alice_writes", "bob_builds")


class TimedGateway:
    """Records the simulated time of every timeline request."""

    def __init__(self, inner: XGateway, clock: FakeClock) -> None:
        self._inner, self._clock = inner, clock
        self.request_times: list[float] = []

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def user_tweets_page(self, *args, **kwargs):
        self.request_times.append(self._clock.now())
        return self._inner.user_tweets_page(*args, **kwargs)


def windows_of(times: list[float]) -> list[int]:
    """Requests per rate-limit window; a window opens at the first request after the previous one closed."""
    counts: list[int] = []
    window_end = float("-inf")
    for moment in times:
        if moment >= window_end:
            counts.append(0)
            window_end = moment + WINDOW_S
        counts[-1] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-window", type=int, default=10, help="timeline requests allowed per 15 minutes")
    args = parser.parse_args()
    clock = FakeClock()
    limits = {f"{Endpoint.USER_TWEETS}": [(args.per_window, WINDOW_S)]}
    with running_sandbox(clock=clock, rate_limits=limits) as server, tempfile.TemporaryDirectory() as folder:
        credentials = Credentials(bearer_token=SANDBOX_BEARER_TOKEN, **asdict(SANDBOX_CREDENTIALS))
        gateway = TimedGateway(XGateway(credentials, base_url=server.base_url), clock)
        pacer = Pacer(gateway.rate_limits, clock)
        request = DownloadRequest(ACCOUNTS, "timeline", DatasetOptions(include_replies=True),
                                  Path(folder) / "bench.csv")
        wall_start, start = time.perf_counter(), clock.now()
        summary = run_download(open_database(":memory:"), gateway, pacer, clock, request)  # type: ignore[arg-type]
        wall = time.perf_counter() - wall_start
    elapsed = clock.now() - start
    counts = windows_of(gateway.request_times)
    full = counts[:-1]  # the last window is cut short by the end of the download, not by pacing
    share_full = sum(full) / (args.per_window * len(full)) if full else float("nan")
    # Time the pacer spent beyond the windows themselves (its safety margin after each reset).
    overhead = (gateway.request_times[-1] - gateway.request_times[0]) - WINDOW_S * len(full)
    fetched = sum(a.fetched for a in summary.accounts)
    print(f"accounts: {', '.join(ACCOUNTS)}; timeline budget {args.per_window} requests / 15 min (sandbox)")
    print(f"requests: {len(gateway.request_times)} in {len(counts)} windows {counts}; 429 waits: "
          f"{pacer.rate_limit_waits}")
    print(f"simulated time: {elapsed:,.0f} s; wall time: {wall:.1f} s")
    print(f"read:    {fetched:,} tweets = {fetched / elapsed:.2f} tweets/s simulated")
    written_per_s = summary.written_total / elapsed
    print(f"written: {summary.written_total:,} tweets = {written_per_s:.2f} tweets/s simulated "
          f"(original tool: {SEED_TWEETS_PER_S} tweets/s, so {written_per_s / SEED_TWEETS_PER_S:.1f}x)")
    print(f"rate-limit budget used: {share_full:.1%} of the requests allowed in the completed windows "
          f"(goal >= 99%); time lost between windows: {overhead:.0f} s over {len(full)} resets")
    per_request = fetched / len(gateway.request_times)
    at_x = X_TIMELINE_REQUESTS_PER_WINDOW * per_request * share_full / WINDOW_S
    print(f"at X's real limit ({X_TIMELINE_REQUESTS_PER_WINDOW}/15 min) that pace reads ~{at_x:.0f} tweets/s "
          f"({per_request:.0f} tweets per request)")


if __name__ == "__main__":
    main()
