"""Followers fetch through the real path (tweepy -> sandbox -> pacer -> SQLite), on simulated time.

Run: python benchmarks/bench_followers_fetch.py [--followers 100000] [--per-window 15]

The sandbox's followers budget is cut to N requests per 15 minutes (default 15, the old Basic-era limit), so the
fetch crosses many rate-limit windows and the pacer decides the pace. Printed: requests per window, the share of
the budget used in completed windows (goal >= 99%), 429s received (goal 0), simulated duration next to the
theoretical minimum, and wall-clock throughput of the whole pipeline (JSON, tweepy parsing, SQLite commits).
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twexport_qt.app_context import sandbox_credentials
from twexport_qt.core.clock import FakeClock
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.store.database import open_database

WINDOW_S = 900


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--per-window", type=int, default=15)
    args = parser.parse_args()

    clock = FakeClock()
    start = clock.now()
    with running_sandbox(followers=args.followers, seed=3, clock=clock,
                         rate_limits={Endpoint.FOLLOWERS: [(args.per_window, WINDOW_S)]}) as server:
        gateway = XGateway(sandbox_credentials(), base_url=server.base_url)
        windows: collections.Counter[int] = collections.Counter()
        statuses: collections.Counter[int] = collections.Counter()

        def count(response, *_args, **_kwargs):
            if "/followers" in response.request.url:
                windows[int((clock.now() - start) // WINDOW_S)] += 1
                statuses[response.status_code] += 1

        gateway.client.session.hooks["response"].append(count)
        conn = open_database(Path(tempfile.mkdtemp()) / "bench.sqlite3")
        pacer = Pacer(gateway.rate_limits, clock)
        wall = time.perf_counter()
        result = fetch_followers(conn, gateway, pacer, clock)
        wall = time.perf_counter() - wall

    pages = math.ceil(args.followers / 1000)
    per_window = [windows[w] for w in sorted(windows)]
    full = per_window[:-1]
    share = sum(full) / (args.per_window * len(full)) if full else float("nan")
    simulated = clock.now() - start
    minimum = (math.ceil(pages / args.per_window) - 1) * WINDOW_S
    print(f"followers: {result.fetched:,} in {result.pages} pages; budget {args.per_window} requests / 15 min")
    print(f"requests per window: {per_window[:6]}{' ...' if len(per_window) > 6 else ''} ({len(per_window)} windows)")
    print(f"budget used in completed windows: {share:.1%} (goal >= 99%)")
    print(f"429 responses: {statuses.get(429, 0)} (goal 0)")
    print(f"simulated time: {simulated / 60:.1f} min (minimum possible {minimum / 60:.1f} min)")
    print(f"wall time: {wall:.1f} s = {result.fetched / wall:,.0f} followers/s through tweepy + SQLite")


if __name__ == "__main__":
    main()
