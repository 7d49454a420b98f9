"""Benchmark the cold start (issue 17): how long `python main.py` takes to show its main window, against a bare
PySide6 window, the goal being at most 1.5 times as long.

Each run is a fresh process on the offscreen platform, timed from its launch to the line it prints at its window's
first show ("shown"); the app also prints "ready" once the tabs shown at start are built (see
`ui/main_window.py`, `TWEXPORT_EXIT_WHEN_SHOWN`), then closes as a user would. One untimed start comes first, so
byte-code caches exist as they do for an installed app; the median of the runs is reported. Wall-clock times
suffer on a busy machine, the CPU seconds each process reports at those moments (`time.process_time()`) much
less: both are given. The app runs on a fresh data folder per run: the first run's welcome page and the Sandbox
profile, as a new user sees them; a second row times a returning user's start (on a copy of a data folder the app
already ran in: its database exists and the welcome page was seen, so the window opens on its tabs).
`--importtime FILE` also writes `python -X importtime`'s report of one app start, and the script lists which heavy
libraries were imported before the window was shown.

    python benchmarks/bench_startup.py [--runs 7] [--importtime startup-imports.txt]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_RATIO = 1.5
EXIT_WHEN_SHOWN_ENV = "TWEXPORT_EXIT_WHEN_SHOWN"  # read by twexport_qt/ui/main_window.py
HEAVY_MODULES = ("pyqtgraph", "numpy", "nltk", "tweepy", "requests", "oauthlib", "openpyxl", "xlsxwriter", "keyring",
                 "twexport_qt.sandbox")
TIMEOUT_S = 120

# A bare window: the same QApplication set-up, one QMainWindow, the same "shown" line at its first show.
BARE_WINDOW = """
import sys
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Window(QMainWindow):
    def showEvent(self, event):
        super().showEvent(event)
        print(f"shown {time.process_time():.3f}", flush=True)
        QTimer.singleShot(0, self.close)

app = QApplication(sys.argv[:1])
window = Window()
window.resize(1280, 820)
window.show()
sys.exit(app.exec())
"""
BARE_WITH_PYQTGRAPH = "import pyqtgraph\n" + BARE_WINDOW

# What was imported when the window first showed, printed from the app's own process.
MODULES_AT_SHOW = """
import sys
from twexport_qt.ui import main_window

watched = sys.argv[1].split(",")
shown = main_window.MainWindow.showEvent

def show_and_list(self, event):
    heavy = [name for name in watched if name in sys.modules]
    print("imported-at-show " + ",".join(heavy), flush=True)
    shown(self, event)

main_window.MainWindow.showEvent = show_and_list
sys.argv = ["main.py", "--data-dir", sys.argv[2]]
from twexport_qt.cli import main
sys.exit(main())
"""


@dataclass(frozen=True)
class StartTimes:
    shown_s: float              # launch to the window's first show (wall clock)
    shown_cpu_s: float          # CPU seconds the process had used by then
    ready_s: float | None       # launch to the tabs shown at start being built (the app only)
    ready_cpu_s: float | None


@dataclass(frozen=True)
class Medians:
    shown_s: float
    shown_cpu_s: float
    ready_s: float | None
    ready_cpu_s: float | None


# Byte-code caches for every run of this benchmark, outside the source tree: an installed app starts from them,
# so they are written even where PYTHONDONTWRITEBYTECODE is set (CI images often set it).
BYTECODE_CACHE = tempfile.TemporaryDirectory(prefix="twexport-bench-pycache-")


def _environment() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPYCACHEPREFIX=BYTECODE_CACHE.name)
    env[EXIT_WHEN_SHOWN_ENV] = "1"
    for name in ("TWEXPORT_HOME", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


def time_start(command: list[str]) -> StartTimes:
    """Launch `command`, and time the lines "shown" (and "ready", if it prints one) from the launch."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=_environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    moments: dict[str, tuple[float, float]] = {}  # "shown"/"ready" -> (wall seconds, CPU seconds)
    for line in process.stdout:
        words = line.split()
        if len(words) == 2 and words[0] in ("shown", "ready") and words[0] not in moments:
            moments[words[0]] = (time.perf_counter() - started, float(words[1]))
    if process.wait(timeout=TIMEOUT_S) != 0 or "shown" not in moments:
        raise RuntimeError(f"{' '.join(command)} did not show a window and exit cleanly")
    ready = moments.get("ready")
    return StartTimes(*moments["shown"], ready[0] if ready else None, ready[1] if ready else None)


def app_command(data_dir: Path) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir)]


# What the welcome page leaves in a data folder once seen (twexport_qt/ui/ui_state.py, ui/welcome_page.py).
WELCOME_SEEN_STATE = ("window-state.ini", "[welcome]\nseen=true\n")


# A returning user's data folder, made once by an untimed start: its database exists (a first start creates it,
# about 15 ms of the first row), and its welcome page was seen. Each timed run starts on a copy of it.
RETURNING_USER_FOLDER = tempfile.TemporaryDirectory(prefix="twexport-bench-returning-")


def returning_user_command(data_dir: Path) -> list[str]:
    """The app on a copy of a data folder it already ran in, whose welcome page was seen: it opens on the tabs."""
    template = Path(RETURNING_USER_FOLDER.name) / "data"
    if not template.exists():
        template.mkdir()
        name, text = WELCOME_SEEN_STATE
        (template / name).write_text(text, encoding="utf-8")
        time_start(app_command(template))
    shutil.copytree(template, data_dir, dirs_exist_ok=True)
    return app_command(data_dir)


def script_command(script: str) -> Callable[[Path], list[str]]:
    return lambda _data_dir: [sys.executable, "-c", script]


def median_start(command_for: Callable[[Path], list[str]], runs: int) -> Medians:
    """Medians of "shown" and "ready" over `runs` fresh processes, each given a fresh data folder, after one
    untimed start (it writes the byte-code caches an installed app has, and warms the disk cache)."""
    with tempfile.TemporaryDirectory(prefix="twexport-bench-") as folder:
        time_start(command_for(Path(folder)))
    runs_times: list[StartTimes] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="twexport-bench-") as folder:
            runs_times.append(time_start(command_for(Path(folder))))

    def median(values: list[float | None]) -> float | None:
        known = [value for value in values if value is not None]
        return statistics.median(known) if known else None

    shown_s = median([times.shown_s for times in runs_times])
    shown_cpu_s = median([times.shown_cpu_s for times in runs_times])
    assert shown_s is not None and shown_cpu_s is not None
    return Medians(shown_s, shown_cpu_s, median([times.ready_s for times in runs_times]),
                   median([times.ready_cpu_s for times in runs_times]))


def modules_at_show() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="twexport-bench-") as folder:
        result = subprocess.run([sys.executable, "-c", MODULES_AT_SHOW, ",".join(HEAVY_MODULES), folder],
                                cwd=ROOT, env=_environment(), capture_output=True, text=True, timeout=TIMEOUT_S,
                                check=True)
    line = next(line for line in result.stdout.splitlines() if line.startswith("imported-at-show"))
    return [name for name in line.removeprefix("imported-at-show").strip().split(",") if name]


def write_importtime(path: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="twexport-bench-") as folder:
        result = subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "main.py"), "--data-dir", folder],
                                cwd=ROOT, env=_environment(), capture_output=True, text=True, timeout=TIMEOUT_S,
                                check=True)
    path.write_text(result.stderr, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per measurement (median reported)")
    parser.add_argument("--importtime", type=Path, metavar="FILE",
                        help="also write `python -X importtime`'s report of one app start to FILE")
    args = parser.parse_args()

    bare = median_start(script_command(BARE_WINDOW), args.runs)
    bare_plot = median_start(script_command(BARE_WITH_PYQTGRAPH), args.runs)
    app = median_start(app_command, args.runs)
    returning = median_start(returning_user_command, args.runs)
    ratio = app.shown_s / bare.shown_s
    print(f"median of {args.runs} cold starts, offscreen, launch to the window's first show "
          "(wall clock, then CPU seconds of the process):")

    def row(what: str, wall_s: float, cpu_s: float, ratios: bool = True) -> None:
        line = f"  {what:<34}{wall_s * 1000:7.0f} ms {cpu_s * 1000:7.0f} ms CPU"
        if ratios:
            line += f"   ratio {wall_s / bare.shown_s:.2f} ({cpu_s / bare.shown_cpu_s:.2f} CPU)"
        print(line)

    row("bare PySide6 window", bare.shown_s, bare.shown_cpu_s, ratios=False)
    row("bare PySide6 + pyqtgraph window", bare_plot.shown_s, bare_plot.shown_cpu_s)
    row("main.py, window shown", app.shown_s, app.shown_cpu_s)
    if app.ready_s is not None and app.ready_cpu_s is not None:
        row("main.py, first tabs built", app.ready_s, app.ready_cpu_s)
    row("main.py, returning user, shown", returning.shown_s, returning.shown_cpu_s)
    print(f"goal: window shown within {GOAL_RATIO} times the bare window's time")
    heavy = modules_at_show()
    print(f"heavy modules imported before the window showed: {', '.join(heavy) or 'none'}")
    if args.importtime:
        write_importtime(args.importtime)
        print(f"import times of one start written to {args.importtime}")
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
