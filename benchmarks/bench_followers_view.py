"""How the Followers tab behaves at a million followers: snapshot load, filter/search/sort, first screen.

    python benchmarks/bench_followers_view.py [--n 1000000] [--db PATH] [--rebuild]

The database is built once with `bench_followers_store.synthetic_rows` (plus some unfollowed followers and
live DMs, so every filter path has work to do) and cached at --db, because building it takes minutes.
Every figure is wall time and, next to it, the CPU time of the whole process: on a shared machine wall time
alone can be inflated by other work, and a CPU time far above wall time means a second thread was busy.

What is timed is what the user waits for: the filter change applied to the table model, the count label, both
plots' `set_selected` and a repaint (`grab()`) of the visible plot and table. For every step it also prints the
GUI thread's longest pause (a 5 ms heartbeat timer) and its longest SQL read (cells, tooltips, inline work), and
at the end the longest of each over all steps: the target is no SQL wait over 50 ms in the GUI thread.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_followers_store import OWNER_ID, synthetic_rows

from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

SEEN_AT = 1_767_225_600
DEFAULT_DB = Path(tempfile.gettempdir()) / "twexport-bench-followers-view-{n}.sqlite3"


def build_database(path: Path, n: int, seed: int) -> None:
    """A database with `n` followers of OWNER_ID: 2% unfollowed, DMs logged for 5% of them."""
    partial = path.with_suffix(".partial")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    print(f"building {n:,} followers into {path} (cached for later runs) ...", flush=True)
    rows = synthetic_rows(n, seed)
    conn = open_database(partial)
    with conn:
        for start in range(0, n, 50_000):
            followers_repo.upsert_profile_rows(conn, OWNER_ID, rows[start:start + 50_000], SEEN_AT)
        user_ids = [row[0] for row in rows]
        conn.executemany("UPDATE followers SET unfollowed_at = ? WHERE owner_id = ? AND user_id = ?",
                         ((SEEN_AT, OWNER_ID, user_id) for user_id in user_ids[::50]))
        states = ("sent", "sent", "sent", "skipped", "failed")
        conn.executemany(
            "INSERT INTO dm_log (owner_id, recipient_id, recipient_username, step, mode, state, created_at, "
            "updated_at) VALUES (?, ?, '', 'first', 'live', ?, ?, ?)",
            ((OWNER_ID, user_id, states[i % len(states)], SEEN_AT, SEEN_AT)
             for i, user_id in enumerate(user_ids[3::20])),
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    partial.rename(path)


def timed(label: str, action: Callable[[], Any], repeat: int = 1) -> Any:
    """Run `action` `repeat` times; print the best wall time and the CPU time of that run."""
    best: tuple[float, float] | None = None
    result = None
    for _ in range(repeat):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        result = action()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        if best is None or wall < best[0]:
            best = (wall, cpu)
    assert best is not None
    print(f"  {label:<62} {best[0] * 1000:9.1f} ms wall {best[1] * 1000:9.1f} ms CPU", flush=True)
    return result


def ensure_database(args: argparse.Namespace) -> Path:
    path = Path(str(args.db).format(n=args.n))
    if args.rebuild or not path.exists():
        build_database(path, args.n, args.seed)
    return path


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the cached benchmark database (`ensure_database` reads them); bench_text_search shares it."""
    parser.add_argument("--n", type=int, default=1_000_000, help="followers in the benchmark database")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default=str(DEFAULT_DB), help="database cache file ({n} is replaced)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_arguments(parser)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--stats", choices=("keep", "analyze", "drop"), default="keep",
                        help="run ANALYZE on the cached database, drop its statistics, or keep it as it is "
                             "(the app never runs ANALYZE; without statistics SQLite picks a slow plan for the "
                             "DM-status subquery of rows_by_rowid/summary when dm_log is large)")
    args = parser.parse_args()
    path = ensure_database(args)
    set_statistics(path, args.stats)
    if args.build_only:
        return
    run(path, args)


def set_statistics(path: Path, how: str) -> None:
    conn = open_database(path)
    if how == "analyze":
        conn.execute("ANALYZE")
    elif how == "drop" and conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        conn.execute("DELETE FROM sqlite_stat1")
    conn.commit()
    has_stats = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is not None
    has_stats = has_stats and conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
    conn.close()
    print(f"query planner statistics (ANALYZE): {'present' if has_stats else 'absent'}", flush=True)


def run(path: Path, args: argparse.Namespace) -> None:
    seed_filter = time_snapshot(path, args)  # its arrays are freed before the GUI part loads its own
    run_gui(path, seed_filter)


def time_snapshot(path: Path, args: argparse.Namespace):
    from twexport_qt.followers.filters import FollowerFilter
    from twexport_qt.followers.snapshot import FollowerSnapshot
    from twexport_qt.followers.stats import snapshot_summary

    conn = open_database(path)
    print(f"snapshot ({args.n:,} followers)")
    timed("load, columns only", lambda: FollowerSnapshot.load(conn, OWNER_ID))
    snapshot = timed("load + summary (what the query thread does)",
                     lambda: FollowerSnapshot.load(conn, OWNER_ID, with_summary=True))
    timed("summary from the arrays (part of the load above)", lambda: snapshot_summary(conn, snapshot), repeat=3)
    megabytes = sum(getattr(snapshot, name).nbytes for name in _array_names()) / 1e6
    print(f"  snapshot arrays: {megabytes:.0f} MB")
    seed_filter = FollowerFilter(created_before=1_561_593_600, min_followers=100, max_followers=10_000,
                                 min_following=50, max_following=10_000)
    timed("numeric_mask, seed filter", lambda: snapshot.numeric_mask(seed_filter), repeat=5)
    order = timed("ascending_order followers_count (argsort)", lambda: snapshot.ascending_order("followers_count"))
    mask = snapshot.numeric_mask(seed_filter)
    timed("compose order[mask[order]]", lambda: order[mask[order]], repeat=5)
    timed("sql_mask, bio words 'python founder' (all)",
          lambda: snapshot.mask(FollowerFilter(description_words="python founder", description_mode="all"), conn))
    timed("prepare_text (the query thread, right after a load)", lambda: snapshot.prepare_text(conn))
    timed("search_mask 'user12'", lambda: snapshot.search_mask("user12", conn))
    timed("ascending_order username (text index)", lambda: snapshot.ascending_order("username", conn))
    timed("ascending_order name (text index)", lambda: snapshot.ascending_order("name", conn))
    conn.close()
    return seed_filter


def _array_names() -> tuple[str, ...]:
    from twexport_qt.followers.snapshot import snapshot_field_names

    return snapshot_field_names()


class Heartbeat:
    """A 5 ms timer in the GUI thread: the longest gap between its ticks is the longest freeze."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.worst = time.perf_counter(), 0.0
        self.timer.start()

    def stop(self) -> float:
        self._tick()  # a freeze that ends the step counts too
        self.timer.stop()
        return self.worst


class GuiThreadSql:
    """Times every `FollowersService` read the GUI thread makes (cells, tooltips, counts, inline pieces): the
    longest is how long the GUI thread waited on SQL. Query-thread reads are not counted."""

    METHODS = ("rows_by_rowid", "follower_row", "count_up_to", "compute_pieces")

    def __init__(self, service: Any) -> None:
        self.worst = 0.0
        self.worst_call = ""
        for name in self.METHODS:
            setattr(service, name, self._timed(name, getattr(service, name)))

    def _timed(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed_method(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is not threading.main_thread():
                return method(*args, **kwargs)
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                took = time.perf_counter() - start
                if took > self.worst:
                    self.worst, self.worst_call = took, name

        return timed_method

    def reset(self) -> None:
        self.worst, self.worst_call = 0.0, ""


@dataclass
class StepFigures:
    label: str
    wall_s: float
    cpu_s: float
    pause_s: float  # longest gap between heartbeat ticks
    sql_s: float  # longest GUI-thread SQL read
    sql_call: str


def run_gui(path: Path, seed_filter: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from twexport_qt import paths
    from twexport_qt.app_context import AppContext
    from twexport_qt.core.clock import FakeClock
    from twexport_qt.followers.filters import FollowerFilter
    from twexport_qt.secrets.backends import SessionOnlyBackend
    from twexport_qt.secrets.store import SecretStore
    from twexport_qt.settings.model import AppSettings
    from twexport_qt.ui.followers_tab import FollowersTab
    from twexport_qt.ui.followers_table_model import COLUMN_OF_FIELD, COLUMNS
    from twexport_qt.ui.job_controller import JobController
    from twexport_qt.ui.job_panel import JobPanel

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        (data_dir / paths.DATABASE_FILE_NAME).symlink_to(path)
        context = AppContext(data_dir, settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()),
                             clock=FakeClock(), configure_log=False)
        context.remember_owner(OWNER_ID)  # the Sandbox profile, pointed at the benchmark's account
        jobs = JobController(JobPanel())
        heartbeat = Heartbeat()
        gui_sql = GuiThreadSql(context.followers)
        steps: list[StepFigures] = []
        tab: FollowersTab | None = None

        def settle() -> None:
            """Process events until the model has applied the newest state and the plots show their points."""
            while (tab is None or tab.model is None or tab.model.is_busy or tab.model.snapshot is None
                   or tab.plots_pending):
                app.processEvents()
                time.sleep(0.001)
            app.processEvents()

        def repaint() -> None:
            assert tab is not None
            tab.plot_tabs.currentWidget().grab()
            tab.table.grab()

        def let_heartbeat_tick() -> None:
            deadline = time.perf_counter() + 0.02
            while time.perf_counter() < deadline:
                app.processEvents()
                time.sleep(0.001)

        def step(label: str, action: Callable[[], Any], *, repeat: int = 1, threaded: bool = False) -> None:
            """One user action: latency until the view is updated, CPU time, and what the GUI thread waited for
            meanwhile. `threaded`: SQL runs in the query thread, so wait for the answer to be applied."""
            best: StepFigures | None = None
            worst_pause = worst_sql = 0.0
            worst_call = ""
            for _ in range(repeat):
                heartbeat.start()
                gui_sql.reset()
                wall0, cpu0 = time.perf_counter(), time.process_time()
                action()
                if threaded:
                    settle()
                repaint()
                wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
                let_heartbeat_tick()
                pause = heartbeat.stop()
                if gui_sql.worst > worst_sql:
                    worst_sql, worst_call = gui_sql.worst, gui_sql.worst_call
                worst_pause = max(worst_pause, pause)
                if best is None or wall < best.wall_s:
                    best = StepFigures(label, wall, cpu, 0.0, 0.0, "")
            assert best is not None
            figures = StepFigures(label, best.wall_s, best.cpu_s, worst_pause, worst_sql, worst_call)
            steps.append(figures)
            sql_text = f"{worst_sql * 1000:6.1f} ms ({worst_call})" if worst_call else "     none"
            print(f"  {label:<62} {figures.wall_s * 1000:8.1f} ms wall {figures.cpu_s * 1000:8.1f} ms CPU",
                  flush=True)
            print(f"  {'':<62} longest GUI pause {worst_pause * 1000:7.1f} ms · GUI-thread SQL {sql_text}",
                  flush=True)

        print("followers tab (offscreen): wall/CPU until the view is updated; the GUI thread's longest pause "
              "(heartbeat) and longest SQL read")

        def build() -> None:
            nonlocal tab
            tab = FollowersTab(context, jobs)
            tab.resize(1400, 900)
            tab.show()

        step("open tab: snapshot load in thread, table, plot points prepared in a task", build, threaded=True)
        assert tab is not None and tab.model is not None
        model = tab.model

        def first_screen() -> None:
            model.reload_cells()  # a cold block cache, as after any view change
            for row in range(40):
                for col in range(len(COLUMNS)):
                    model.index(row, col).data()

        def middle_screen() -> None:
            middle = model.rowCount() // 2
            for row in range(middle, middle + 40):
                for col in range(len(COLUMNS)):
                    model.index(row, col).data()

        def tooltips() -> None:
            for row in (0, model.rowCount() // 3, model.rowCount() - 1):
                follower_id = model.follower_id_at(row)
                assert follower_id is not None and tab.tooltip_for(follower_id)

        step("first table screen: data() for 40 rows x 12 columns (cold)", first_screen, repeat=3)
        step("scroll to the middle: 40 rows x 12 columns (cold block)", middle_screen)
        step("plot tooltips: 3 followers (one SQL read each)", tooltips)
        step("filter: seed numeric filter -> table, count, plots, repaint", lambda: tab.apply_filter(seed_filter))
        step("filter: min_followers 1000 -> table, count, plots, repaint",
             lambda: tab.apply_filter(FollowerFilter(min_followers=1_000)))
        words = FollowerFilter(description_words="python founder", description_mode="all")
        step("filter: bio words 'python founder' (SQL in thread)", lambda: tab.apply_filter(words), threaded=True)
        step("filter: bio words cached + min_followers 100 (array work only)",
             lambda: tab.apply_filter(FollowerFilter(description_words="python founder",
                                                     description_mode="all", min_followers=100)))
        step("search 'user12' (text index in thread)", lambda: model.set_search_text("user12"), threaded=True)
        step("search cleared (cached)", lambda: model.set_search_text(""), threaded=True)
        step("sort tweets desc (argsort in thread)",
             lambda: tab.table.sortByColumn(COLUMN_OF_FIELD["tweet_count"], Qt.SortOrder.DescendingOrder),
             threaded=True)
        step("sort tweets asc (cached order, reversed)",
             lambda: tab.table.sortByColumn(COLUMN_OF_FIELD["tweet_count"], Qt.SortOrder.AscendingOrder))
        step("sort name asc (text sort in thread)",
             lambda: tab.table.sortByColumn(COLUMN_OF_FIELD["name"], Qt.SortOrder.AscendingOrder), threaded=True)
        step("refresh (data changed): reload in thread, plot points prepared in a task", tab.refresh, threaded=True)
        print(f"  table shows {model.rowCount():,} rows; {model.matching_count:,} match the filter")
        tab.shutdown()
        jobs.shutdown()
        context.close()

    longest_pause = max(steps, key=lambda figures: figures.pause_s)
    longest_sql = max(steps, key=lambda figures: figures.sql_s)
    print("\nover all steps")
    print(f"  LONGEST GUI-thread pause: {longest_pause.pause_s * 1000:.1f} ms ({longest_pause.label})")
    print(f"  LONGEST GUI-thread SQL read: {longest_sql.sql_s * 1000:.1f} ms "
          f"({longest_sql.sql_call} in: {longest_sql.label})")


if __name__ == "__main__":
    main()
