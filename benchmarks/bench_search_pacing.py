"""Pace of full-archive search against the sandbox with X's rules, in simulated time.

Run: python benchmarks/bench_search_pacing.py [--accounts NAME ...] [--page-size N] [--no-spacing | --old-pacer]

X allows search/all 1 request per second besides 300 per 15 minutes, and its x-rate-limit-* headers describe
only the 15-minute window: a request sent sooner gets a 429 with budget left and a reset at the window's end.
The sandbox does the same, on a FakeClock shared with the app (waiting costs no wall time). The download reads
the accounts through search, replies included, with the app's pacer. Printed: search pages per minute of
simulated time (goal >= 55 at 1 request/s), the 429s the sandbox answered (goal 0), the wall time, and what a
100-page account costs.

`--no-spacing` gives the pacer no per-second rule, so only its "429 with budget left" retry sets the pace.
`--old-pacer` is the app before per-second rules were known: no spacing, and every 429 waited out until the
reset it names (the 15-minute window's end).

Keep the run under 300 pages (the default is about 130): beyond that the 15-minute window sets the pace
(20 pages per minute) and the figure would measure the window, not the per-second spacing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twexport_qt.core import errors
from twexport_qt.core.clock import FakeClock
from twexport_qt.gateway.endpoints import ENDPOINT_SEARCH_ALL
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.request_spacing import min_intervals
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.request_log import read_entries
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.store.database import open_database
from twexport_qt.tweets import sources
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions

GOAL_PAGES_PER_MIN = 55
MODES = {(False, False): "with per-second spacing", (True, False): "WITHOUT per-second spacing",
         (False, True): "OLD (no spacing, every 429 waited until its reset)"}
X_WINDOW_S, X_WINDOW_REQUESTS = 900, 300


class TimedSearches:
    """Wraps the gateway, recording the simulated start of every search request (refused ones too)."""

    def __init__(self, inner: XGateway, clock: FakeClock) -> None:
        self._inner, self._clock = inner, clock
        self.starts: list[float] = []

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    old_gateway = False  # True: forget what a 429's headers said, as the gateway did before per-second rules

    def search_all_page(self, *args, **kwargs):
        self.starts.append(self._clock.now())
        try:
            return self._inner.search_all_page(*args, **kwargs)
        except errors.RateLimited as exc:
            if not self.old_gateway:
                raise
            raise errors.RateLimited(str(exc), reset_at=exc.reset_at, endpoint=exc.endpoint) from exc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", nargs="+", default=["alice_writes", "bob_builds"],
                        help="sandbox accounts to search (default: alice_writes bob_builds)")
    parser.add_argument("--page-size", type=int, default=50, help="tweets per search page, 10-500 (default 50)")
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--no-spacing", action="store_true",
                       help="give the pacer no per-second rule: only the 429-with-budget-left retry paces")
    modes.add_argument("--old-pacer", action="store_true",
                       help="the pacer before per-second rules: no spacing, every 429 waited until its reset")
    args = parser.parse_args()
    if not 10 <= args.page_size <= 500:
        parser.error("--page-size must be between 10 and 500 (X's bounds)")
    sources.SEARCH_PAGE_SIZE = args.page_size
    clock = FakeClock()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "requests.jsonl"
        with running_sandbox(clock=clock, request_log=log) as server:  # X's default rate limits
            gateway = TimedSearches(XGateway(Credentials(bearer_token=SANDBOX_BEARER_TOKEN),
                                             base_url=server.base_url), clock)
            gateway.old_gateway = args.old_pacer
            pacer = Pacer(gateway.rate_limits, clock, spacing={} if args.no_spacing or args.old_pacer else None)
            request = DownloadRequest(tuple(args.accounts), "search", DatasetOptions(include_replies=True),
                                      Path(folder) / "bench.csv")
            wall_start = time.perf_counter()
            summary = run_download(open_database(":memory:"), gateway, pacer, clock, request)  # type: ignore[arg-type]
            wall = time.perf_counter() - wall_start
        searches = [entry for entry in read_entries(log) if entry["endpoint"] == Endpoint.SEARCH_ALL]
    refused = sum(1 for entry in searches if entry["status"] == 429)
    pages = len(searches) - refused
    span = gateway.starts[-1] - gateway.starts[0]
    per_minute = (pages - 1) / span * 60 if span > 0 else float("inf")
    fetched = sum(account.fetched for account in summary.accounts)
    interval = min_intervals()[ENDPOINT_SEARCH_ALL]
    print(f"accounts: {', '.join(args.accounts)}; full-archive search, {args.page_size} tweets/page, replies "
          f"included; sandbox with X's rules (1 request/s hidden from the headers, {X_WINDOW_REQUESTS}/15 min); "
          f"pacer: {MODES[(args.no_spacing, args.old_pacer)]}")
    print(f"search pages: {pages} ({fetched:,} tweets, {summary.written_total:,} written); 429 answers: {refused}"
          f" (goal 0); pacer: {pacer.spacing_waits} spacing waits, {pacer.rate_limit_waits} waits after a 429")
    print(f"simulated time first to last page: {span:,.1f} s = {per_minute:.1f} pages/min "
          f"(goal >= {GOAL_PAGES_PER_MIN} at 1 request/s); wall time: {wall:.1f} s")
    if pages > X_WINDOW_REQUESTS:
        print(f"note: {pages} pages exceed the {X_WINDOW_REQUESTS}-request window: the 15-minute window set part "
              "of this pace")
    seconds_per_page = span / (pages - 1) if pages > 1 else interval
    print(f"a 100-page account: {99 * seconds_per_page / 60:.1f} min at this pace; waiting for the reset each "
          f"refused page's 429 names would cost up to {99 * X_WINDOW_S / 3600:.0f} h")


if __name__ == "__main__":
    main()
