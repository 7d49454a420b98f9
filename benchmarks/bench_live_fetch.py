"""How soon a fetch's committed page shows in the Followers tab: rows in the table model, points in the plot.

    python benchmarks/bench_live_fetch.py [--n 1000000] [--db PATH] [--rebuild] [--pages 5] [--page-size 1000]

Two stores: an empty one (the first page of a first fetch) and the cached million-follower database of
bench_followers_view.py (copied, so the cache stays as it is), for a fetch late in a million-follower account.
The tab is the real one, started the way the window starts it (`start_fetch`, a job thread, the page reaching the
tab through `JobContext.stored`); only X is replaced: the job commits pages of synthetic new followers (one
transaction each, as `followers.fetch` does) and stamps the moment each commit returns. The GUI thread then waits
for the table model to hold the page's rows and for the visible plot to have its points, and the job holds the
next page until both are there, so every page is timed alone. Printed per store: the latency of every page to
the model and to the plot (median and worst), and the GUI thread's longest pause meanwhile (a 5 ms heartbeat).

The goal (issue 14): at most 1 s from a page's commit to its rows being visible, at any account size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_followers_store import OWNER_ID, synthetic_rows
from bench_followers_view import Heartbeat, add_database_arguments, ensure_database

from twexport_qt import paths
from twexport_qt.store import followers_repo

NEW_USER_IDS_FROM = 10**15  # the new followers' ids: far from the cached database's
SEEN_AT = 1_767_312_000
WAIT_S = 60.0  # for a page to show before the benchmark gives up on it


@dataclass
class PageTimes:
    committed: float  # perf_counter() when the page's commit returned (in the job thread)
    rows: float | None = None  # when the model held its rows (GUI thread)
    points: float | None = None  # when the visible plot had its points


@dataclass
class Pages:
    """What the job thread and the GUI thread share: the pages committed, and when each was seen."""

    times: list[PageTimes] = field(default_factory=list)
    shown: threading.Event = field(default_factory=threading.Event)


def synthetic_fetch(rows: list[tuple], page_size: int, pages: Pages) -> Any:
    """A stand-in for `followers.fetch.fetch_followers` that writes `rows` as pages of new followers of OWNER_ID,
    tells each committed page and waits until the GUI thread has seen it."""
    from twexport_qt.followers.fetch import FetchResult, PageStored

    def fetch(conn: Any, _gateway: Any, _pacer: Any, _clock: Any, *, on_page_stored: Any = None,
              **_options: Any) -> FetchResult:
        count = 0
        for number, start in enumerate(range(0, len(rows), page_size), start=1):
            page = rows[start:start + page_size]
            with conn:
                followers_repo.upsert_profile_rows(conn, OWNER_ID, page, SEEN_AT)
            pages.shown.clear()
            pages.times.append(PageTimes(time.perf_counter()))
            if on_page_stored is not None:
                on_page_stored(PageStored(OWNER_ID, len(page), number))
            if not pages.shown.wait(WAIT_S):
                raise TimeoutError(f"page {number} did not show within {WAIT_S:.0f} s")
            count += len(page)
        return FetchResult(OWNER_ID, number, count, count, False, 0, count)

    return fetch


def new_followers(count: int, seed: int) -> list[tuple]:
    rows = synthetic_rows(count, seed)
    return [(NEW_USER_IDS_FROM + i, f"new{i}", *row[2:]) for i, row in enumerate(rows)]


def run_store(label: str, database: Path | None, args: argparse.Namespace) -> None:
    from PySide6.QtWidgets import QApplication

    from twexport_qt.app_context import AppContext
    from twexport_qt.core.clock import FakeClock
    from twexport_qt.secrets.backends import SessionOnlyBackend
    from twexport_qt.secrets.store import SecretStore
    from twexport_qt.settings.model import AppSettings
    from twexport_qt.ui import followers_tab
    from twexport_qt.ui.followers_tab import FollowersTab
    from twexport_qt.ui.job_controller import JobController
    from twexport_qt.ui.job_panel import JobPanel

    app = QApplication.instance() or QApplication([])
    rows = new_followers(args.pages * args.page_size, args.seed + 1)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        if database is not None:
            print(f"  copying {database.name} ...", flush=True)
            shutil.copyfile(database, data_dir / paths.DATABASE_FILE_NAME)
        context = AppContext(data_dir, settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()),
                             clock=FakeClock(), configure_log=False)
        context.remember_owner(OWNER_ID)  # the Sandbox profile, pointed at the benchmark's account
        pages = Pages()
        # X replaced by the synthetic pages: the tab's fetch job calls this instead of followers.fetch's.
        followers_tab.fetch_followers = synthetic_fetch(rows, args.page_size, pages)
        jobs = JobController(JobPanel())
        tab = FollowersTab(context, jobs)
        tab.resize(1400, 900)
        tab.show()

        finished: list[str] = []
        jobs.jobFinished.connect(finished.append)

        def settle() -> None:
            """Until the tab shows the account and the query thread is idle (its text index is built)."""
            while (tab.model is None or tab.model.is_busy or tab.model.snapshot is None or tab.plots_pending
                   or tab.queries.is_running):
                app.processEvents()
                time.sleep(0.001)

        settle()
        assert tab.model is not None
        stored_before = tab.model.rowCount()
        points_before = len(tab.plot_network.points)
        print(f"{label}: {stored_before:,} followers stored, the tab settled; {args.pages} pages of "
              f"{args.page_size:,} new followers", flush=True)
        heartbeat = Heartbeat()
        heartbeat.start()
        worker = tab.start_fetch()
        assert worker is not None
        while len(pages.times) < args.pages or not pages.shown.is_set():
            app.processEvents()
            if pages.times and not pages.shown.is_set():
                page = pages.times[-1]
                number = len(pages.times)
                now = time.perf_counter()
                if page.rows is None and tab.model.rowCount() >= stored_before + number * args.page_size:
                    page.rows = now
                if page.points is None and len(tab.plot_network.points) >= points_before + number * args.page_size:
                    page.points = now
                if page.rows is not None and page.points is not None:
                    pages.shown.set()
                elif now - page.committed > WAIT_S:
                    raise SystemExit(f"page {number} did not show within {WAIT_S:.0f} s")
            time.sleep(0.0005)
        pause = heartbeat.stop()
        report(pages.times, pause)
        while not finished:  # the job's end reloads the account (it would find who left): let it finish
            app.processEvents()
            time.sleep(0.001)
        settle()
        print(f"  after the fetch: {tab.model.rowCount():,} rows", flush=True)
        tab.shutdown()
        jobs.shutdown()
        context.close()


def report(times: list[PageTimes], pause_s: float) -> None:
    def latencies(kind: str) -> list[float]:
        return [(getattr(page, kind) - page.committed) * 1000 for page in times]

    for number, page in enumerate(times, start=1):
        assert page.rows is not None and page.points is not None
        print(f"  page {number}: rows in the model {(page.rows - page.committed) * 1000:7.1f} ms, "
              f"points in the plot {(page.points - page.committed) * 1000:7.1f} ms", flush=True)
    for kind, name in (("rows", "rows in the model"), ("points", "points in the plot")):
        values = latencies(kind)
        print(f"  {name:<20} median {statistics.median(values):7.1f} ms, worst {max(values):7.1f} ms", flush=True)
    print(f"  longest GUI pause meanwhile {pause_s * 1000:7.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_arguments(parser)
    parser.add_argument("--pages", type=int, default=5, help="pages the synthetic fetch commits per store")
    parser.add_argument("--page-size", type=int, default=1000, help="followers a page (X's maximum is 1,000)")
    parser.add_argument("--skip-large", action="store_true", help="time the empty store only")
    args = parser.parse_args()
    run_store("first fetch (empty store)", None, args)
    if not args.skip_large:
        run_store(f"late in a fetch ({args.n:,} followers stored)", ensure_database(args), args)


if __name__ == "__main__":
    main()
