"""Real CLI processes against one external sandbox process: start them, kill them, run them side by side, and
count what "X" saw (the sandbox's request log and DM record).

Everything stays on loopback: the app processes reach the sandbox through `--api-base-url`.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from twexport_qt.sandbox.external_process import external_sandbox
from twexport_qt.settings.model import AppSettings
from twexport_qt.settings.storage import save_settings

ROOT = Path(__file__).resolve().parents[2]
TRACEBACK = "Traceback (most recent call last)"
# CI runs each case a few times (the whole suite stays under 5 minutes); TWEXPORT_RELIABILITY_ROUNDS=10 runs ten
# times as many trials, for a longer soak on a developer's machine.
ROUNDS = max(1, int(os.environ.get("TWEXPORT_RELIABILITY_ROUNDS", "1")))


def trials(count: int) -> range:
    return range(count * ROUNDS)


@dataclass
class Sandbox:
    base_url: str
    request_log: Path
    state_file: Path

    def requests(self, since: int = 0) -> list[dict]:
        """Request-log lines from position `since` (a torn last line, mid-write, is left out)."""
        lines = self.request_log.read_text(encoding="utf-8").splitlines() if self.request_log.exists() else []
        entries = []
        for line in lines[since:]:
            try:
                entries.append(json.loads(line))
            except ValueError:
                break
        return entries

    def request_count(self) -> int:
        return len(self.requests())

    def dm_events(self) -> list[dict]:
        if not self.state_file.exists():
            return []
        return json.loads(self.state_file.read_text(encoding="utf-8"))["events"]

    def dms_per_participant(self) -> Counter[str]:
        return Counter(event["participant_id"] for event in self.dm_events())


@contextmanager
def sandbox(folder: Path, *flags: str, followers: int = 5000) -> Iterator[Sandbox]:
    folder.mkdir(parents=True, exist_ok=True)
    log, state = folder / "requests.jsonl", folder / "dm-state.json"
    with external_sandbox("--request-log", str(log), "--state", str(state), *flags, followers=followers) as running:
        yield Sandbox(running.base_url, log, state)
        running.stop()


@dataclass
class Outcome:
    code: int | None  # None: killed
    stdout: str
    stderr: str
    seconds: float

    @property
    def killed(self) -> bool:
        return self.code is None

    @property
    def has_traceback(self) -> bool:
        return TRACEBACK in self.stderr or TRACEBACK in self.stdout


class Cli:
    """`python main.py --data-dir D --api-base-url URL ...` as a user (or cron) runs it."""

    def __init__(self, data_dir: Path, base_url: str | None, cwd: Path) -> None:
        self.data_dir, self.base_url, self.cwd = data_dir, base_url, cwd
        cwd.mkdir(parents=True, exist_ok=True)
        self._runs = 0

    def argv(self, *args: str) -> list[str]:
        route = ["--api-base-url", self.base_url] if self.base_url else []
        return [sys.executable, str(ROOT / "main.py"), "--data-dir", str(self.data_dir), *route, *args]

    def start(self, *args: str) -> tuple[subprocess.Popen, Path, Path]:
        """Start without waiting; output goes to files (a full pipe must never stall the app)."""
        self._runs += 1
        out, err = self.cwd / f"run{self._runs}.out", self.cwd / f"run{self._runs}.err"
        env = {key: value for key, value in os.environ.items() if key != "TWEXPORT_HOME"}
        env["QT_QPA_PLATFORM"] = "offscreen"
        with open(out, "w") as stdout, open(err, "w") as stderr:
            process = subprocess.Popen(self.argv(*args), cwd=self.cwd, stdout=stdout, stderr=stderr, env=env)
        return process, out, err

    def run(self, *args: str, timeout: float = 120, kill_after: float | None = None) -> Outcome:
        """Run to the end, or SIGKILL it after `kill_after` seconds if it is still running then."""
        started = time.monotonic()
        process, out, err = self.start(*args)
        try:
            process.wait(timeout=kill_after if kill_after is not None else timeout)
            code: int | None = process.returncode
        except subprocess.TimeoutExpired:
            if kill_after is None:
                process.kill()
                process.wait()
                raise AssertionError(f"{args} did not finish in {timeout} s") from None
            process.send_signal(signal.SIGKILL)
            process.wait()
            code = None
        return Outcome(code, out.read_text(), err.read_text(), time.monotonic() - started)

    def run_until_done(self, *args: str, attempts: int = 12) -> list[Outcome]:
        """Rerun a resumable job until it exits 0 (a fault may stop a run; the next one resumes)."""
        outcomes = []
        for _ in range(attempts):
            outcomes.append(self.run(*args))
            if outcomes[-1].code == 0:
                return outcomes
        raise AssertionError(f"{args} never finished: {outcomes[-1].stderr or outcomes[-1].stdout}")


LIVE_DM_RUN = ("dm", "run", "--live", "--yes")  # a script's live run: confirmed by its flags
TEST_DM_RUN = ("dm", "run")


def configure_campaign(data_dir: Path, *, live: bool, daily_cap: int = 400) -> None:
    """The Sandbox profile with the master switch on; live (test mode off) or on its two test accounts."""
    settings = AppSettings()
    settings.ensure_invariants()
    profile = settings.active
    profile.dm_enabled = True
    profile.test_mode = not live
    profile.daily_cap = daily_cap
    data_dir.mkdir(parents=True, exist_ok=True)
    save_settings(settings, data_dir / "settings.json")


def page_requests(entries: Sequence[dict], endpoint: str) -> list[dict]:
    """Answers that served a page of data (what X bills): 200, not a fault, with items."""
    return [e for e in entries if e["endpoint"] == endpoint and e["status"] == 200 and e["fault"] is None
            and e["items"]]


def extra_page_requests(entries: Sequence[dict], endpoint: str, kills: int, cursor_param: str) -> int:
    """Pages served more than once beyond one per kill (a killed run may lose the one page in flight)."""
    cursors = Counter(e["query"].get(cursor_param) for e in page_requests(entries, endpoint))
    repeats = sum(count - 1 for count in cursors.values())
    return max(0, repeats - kills)


def kill_delays(rng: random.Random, count: int, longest: float, shortest: float = 0.4) -> list[float]:
    return [rng.uniform(shortest, max(shortest + 0.1, longest)) for _ in range(count)]
