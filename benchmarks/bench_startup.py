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
libraries were imported before the window was shown (the app's own "imported-at-show" line).

`--packaged FOLDER` times the PyInstaller build instead (FOLDER: dist/TwExport), against a bare PySide6 window built
by PyInstaller the same way (made once, in a temporary folder, ~20 s): what a user who installed the app waits for.
Its runtime hooks, archive and bootloader make both slower than from source.

`--instructions` also counts the instructions each start executes up to its window's first show, under Valgrind's
callgrind (one run each, ~15 s apiece, hash seed fixed): the same count on every run, where times on a shared
machine swing by a third, so a change's effect on the start can be told from noise. It counts user-space work only
(Python, Qt, the loader), not waiting on the disk or the kernel's share; needs `valgrind` on PATH, from source only.

    python benchmarks/bench_startup.py [--runs 7] [--importtime startup-imports.txt] [--packaged dist/TwExport]
                                       [--instructions]
"""

from __future__ import annotations

import argparse
import os
import re
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
TIMEOUT_S = 120

# A bare window: the same QApplication set-up, one QMainWindow, the same "shown" line at its first show. The two
# "# more" lines are where `WINDOW_PARTS` adds to it.
BARE_WINDOW = """
import sys
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
# more imports

class Window(QMainWindow):
    def showEvent(self, event):
        super().showEvent(event)
        print(f"shown {time.process_time():.3f}", flush=True)
        QTimer.singleShot(0, self.close)

app = QApplication(sys.argv[:1])
window = Window()
# more parts
window.resize(1280, 820)
window.show()
sys.exit(app.exec())
"""
BARE_WITH_PYQTGRAPH = "import pyqtgraph\n" + BARE_WINDOW
# The bare window with what the app's window shows at its first paint, and nothing of the app: a menu bar (three
# menus of six items with shortcuts), seven tabs, a status bar with a label, and the system's colour scheme read
# (one Qt enum: PySide6 then creates the Python enums of the whole `Qt` namespace, ~100 of them). What any window
# with those parts costs, for comparison; the goal is measured against the bare window.
WINDOW_PARTS = BARE_WINDOW.replace("# more imports\n", """from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QTabWidget, QWidget
""").replace("# more parts\n", """dark = app.styleHints().colorScheme() == Qt.ColorScheme.Dark
tabs = QTabWidget()
for name in ("Followers", "DM campaign", "Tweet datasets", "Spend", "Audience", "Growth", "Following"):
    tabs.addTab(QWidget(), name)
window.setCentralWidget(tabs)
for title in ("&File", "&View", "&Help"):
    menu = window.menuBar().addMenu(title)
    for number in range(1, 7):
        action = QAction(f"Item {number}", window)
        action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        menu.addAction(action)
window.statusBar().addPermanentWidget(QLabel("Sandbox"))
""")


@dataclass(frozen=True)
class StartTimes:
    shown_s: float              # launch to the window's first show (wall clock)
    shown_cpu_s: float          # CPU seconds the process had used by then
    ready_s: float | None       # launch to the tabs shown at start being built (the app only)
    ready_cpu_s: float | None
    imported_at_show: tuple[str, ...] | None = None  # the app's deferred libraries already imported at its show


@dataclass(frozen=True)
class Medians:
    shown_s: float
    shown_cpu_s: float
    ready_s: float | None
    ready_cpu_s: float | None


# This run's scratch folder (removed at exit): the returning user's data folder, the packaged bare window, and the
# byte-code caches for every run, outside the source tree: an installed app starts from them, so they are written
# even where PYTHONDONTWRITEBYTECODE is set (CI images often set it).
SCRATCH = tempfile.TemporaryDirectory(prefix="twexport-bench-")
BYTECODE_CACHE = Path(SCRATCH.name) / "pycache"


def _environment() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPYCACHEPREFIX=str(BYTECODE_CACHE))
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
    imported: tuple[str, ...] | None = None
    for line in process.stdout:
        words = line.split()
        if len(words) == 2 and words[0] in ("shown", "ready") and words[0] not in moments:
            moments[words[0]] = (time.perf_counter() - started, float(words[1]))
        elif len(words) == 2 and words[0] == "imported-at-show":
            imported = tuple(name for name in words[1].split(",") if name != "-")
    if process.wait(timeout=TIMEOUT_S) != 0 or "shown" not in moments:
        raise RuntimeError(f"{' '.join(command)} did not show a window and exit cleanly")
    ready = moments.get("ready")
    return StartTimes(*moments["shown"], ready[0] if ready else None, ready[1] if ready else None, imported)


def source_app(data_dir: Path) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir)]


def packaged_app(folder: Path) -> Callable[[Path], list[str]]:
    executable = folder / ("TwExport.exe" if sys.platform == "win32" else "TwExport")
    return lambda data_dir: [str(executable), "--data-dir", str(data_dir)]


# What the welcome page leaves in a data folder once seen (twexport_qt/ui/ui_state.py, ui/welcome_page.py).
WELCOME_SEEN_STATE = ("window-state.ini", "[welcome]\nseen=true\n")


def returning_user(app: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
    """The app on a copy of a data folder it already ran in, whose welcome page was seen: it opens on the tabs.

    The folder is made once by an untimed start: its database exists (a first start creates it, about 15 ms of the
    first row), and its welcome page was seen. Each timed run starts on a copy of it."""
    template = Path(SCRATCH.name) / "returning-user"

    def command(data_dir: Path) -> list[str]:
        if not template.exists():
            template.mkdir()
            name, text = WELCOME_SEEN_STATE
            (template / name).write_text(text, encoding="utf-8")
            time_start(app(template))
        shutil.copytree(template, data_dir, dirs_exist_ok=True)
        return app(data_dir)

    return command


def script_command(script: str) -> Callable[[Path], list[str]]:
    return lambda _data_dir: [sys.executable, "-c", script]


def packaged_bare_window() -> Callable[[Path], list[str]]:
    """BARE_WINDOW built by PyInstaller as a one-folder app, the way packaging/twexport.spec builds TwExport."""
    work = Path(SCRATCH.name) / "bare-window"
    work.mkdir()
    script = work / "bare_window.py"
    script.write_text(BARE_WINDOW, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--windowed",
                    "--distpath", str(work / "dist"), "--workpath", str(work / "build"), "--specpath", str(work),
                    str(script)], check=True, timeout=600)
    executable = work / "dist" / "bare_window" / ("bare_window.exe" if sys.platform == "win32" else "bare_window")
    return lambda _data_dir: [str(executable)]


def median_start(command_for: Callable[[Path], list[str]], runs: int) -> tuple[Medians, StartTimes]:
    """Medians of "shown" and "ready" over `runs` fresh processes, each given a fresh data folder, after one
    untimed start (it writes the byte-code caches an installed app has, and warms the disk cache); and the last
    run's times, for what it printed."""
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
                   median([times.ready_cpu_s for times in runs_times])), runs_times[-1]


# Runs a script (argv[1], with the rest of argv) and ends the process the moment it prints "shown": what follows the
# first show (building the start-up tabs, closing) is left out of an instruction count.
EXIT_AT_SHOW = """
import os, runpy, sys
class ExitAtShow:
    def __init__(self, stream):
        self.stream = stream
    def write(self, text):
        written = self.stream.write(text)
        if text.startswith("shown"):
            self.stream.flush()
            os._exit(0)
        return written
    def __getattr__(self, name):
        return getattr(self.stream, name)
sys.stdout = ExitAtShow(sys.stdout)
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def instructions_to_show(script: Path, data_dir: Path | None = None) -> int:
    """Instructions `python script [--data-dir data_dir]` executes until its window first shows, by callgrind.

    An uncounted start on a folder of its own comes first: it writes the byte-code caches, and leaves `data_dir`
    as it was (a first start stays a first start)."""
    def command(folder: Path | None) -> list[str]:
        return [sys.executable, "-c", EXIT_AT_SHOW, str(script), *(["--data-dir", str(folder)] if folder else [])]

    with tempfile.TemporaryDirectory(prefix="twexport-bench-") as folder:
        subprocess.run(command(Path(folder) if data_dir else None), cwd=ROOT, env=_environment(),
                       capture_output=True, timeout=TIMEOUT_S, check=True)
        counting = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/callgrind.out"]
        result = subprocess.run([*counting, *command(data_dir)], check=False, cwd=ROOT, capture_output=True,
                                env=dict(_environment(), PYTHONHASHSEED="0"), text=True, timeout=TIMEOUT_S * 10)
    found = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind could not count {script.name}'s start: {result.stderr[-500:]}")
    return int(found.group(1))


def print_instruction_counts() -> None:
    if shutil.which("valgrind") is None:
        print("--instructions needs Valgrind (`valgrind` on PATH; Debian: apt-get install valgrind)")
        return
    bare_script = Path(SCRATCH.name) / "bare_window.py"
    bare_script.write_text(BARE_WINDOW, encoding="utf-8")
    bare = instructions_to_show(bare_script)
    parts_script = Path(SCRATCH.name) / "window_parts.py"
    parts_script.write_text(WINDOW_PARTS, encoding="utf-8")
    parts = instructions_to_show(parts_script)
    data_dir = Path(SCRATCH.name) / "instructions-data"
    app_first = instructions_to_show(ROOT / "main.py", data_dir)
    # The folder that first start left (its database exists), its welcome page now seen: a returning user's start.
    name, text = WELCOME_SEEN_STATE
    (data_dir / name).write_text(text, encoding="utf-8")
    app_returning = instructions_to_show(ROOT / "main.py", data_dir)
    print("instructions executed up to the window's first show (callgrind, one run each):")
    print(f"  {'bare PySide6 window':<42}{bare / 1e6:7.0f} M")
    print(f"  {'bare window + the app window parts':<42}{parts / 1e6:7.0f} M   ratio {parts / bare:.2f}")
    print(f"  {'main.py, window shown':<42}{app_first / 1e6:7.0f} M   ratio {app_first / bare:.2f}")
    print(f"  {'main.py, returning user, shown':<42}{app_returning / 1e6:7.0f} M   ratio {app_returning / bare:.2f}")


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
    parser.add_argument("--packaged", type=Path, metavar="FOLDER",
                        help="time the PyInstaller build in FOLDER (dist/TwExport) against a packaged bare window")
    parser.add_argument("--instructions", action="store_true",
                        help="also count the instructions of each start up to its first show (needs valgrind; "
                        "from source only)")
    args = parser.parse_args()
    if args.instructions and args.packaged:
        parser.error("--instructions counts the starts from source: leave out --packaged")

    if args.packaged:
        what = "packaged app"
        bare, _ = median_start(packaged_bare_window(), args.runs)
        app_for = packaged_app(args.packaged.resolve())
    else:
        what = "main.py"
        bare, _ = median_start(script_command(BARE_WINDOW), args.runs)
        app_for = source_app
    app, last_app_run = median_start(app_for, args.runs)
    returning, _ = median_start(returning_user(app_for), args.runs)
    ratio = app.shown_s / bare.shown_s
    print(f"median of {args.runs} cold starts, offscreen, launch to the window's first show "
          "(wall clock, then CPU seconds of the process):")

    def row(label: str, wall_s: float, cpu_s: float, ratios: bool = True) -> None:
        line = f"  {label:<42}{wall_s * 1000:7.0f} ms {cpu_s * 1000:7.0f} ms CPU"
        if ratios:
            line += f"   ratio {wall_s / bare.shown_s:.2f} ({cpu_s / bare.shown_cpu_s:.2f} CPU)"
        print(line)

    row(f"bare PySide6 window{' (packaged)' if args.packaged else ''}", bare.shown_s, bare.shown_cpu_s, ratios=False)
    if not args.packaged:
        bare_plot, _ = median_start(script_command(BARE_WITH_PYQTGRAPH), args.runs)
        row("bare PySide6 + pyqtgraph window", bare_plot.shown_s, bare_plot.shown_cpu_s)
        parts, _ = median_start(script_command(WINDOW_PARTS), args.runs)
        row("bare window + the app window parts", parts.shown_s, parts.shown_cpu_s)
    row(f"{what}, window shown", app.shown_s, app.shown_cpu_s)
    if app.ready_s is not None and app.ready_cpu_s is not None:
        row(f"{what}, first tabs built", app.ready_s, app.ready_cpu_s)
    row(f"{what}, returning user, shown", returning.shown_s, returning.shown_cpu_s)
    print(f"goal: window shown within {GOAL_RATIO} times the bare window's time")
    imported = last_app_run.imported_at_show
    print("libraries imported before the window showed: "
          + ("(not reported)" if imported is None else ", ".join(imported) or "none"))
    if args.instructions:
        print_instruction_counts()
    if args.importtime:
        write_importtime(args.importtime)
        print(f"import times of one start written to {args.importtime}")
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
