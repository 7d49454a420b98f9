"""One job of a kind per profile at a time, across processes: the GUI, the CLI and scheduled runs alike.

Two DM campaigns running at once could each take the other's claim for a crash leftover and send it, and two
fetches of one account would pay for most pages twice. So every such job holds an OS file lock in the data
folder (`locks/`), through `filelock` (flock on Unix, LockFileEx on Windows). The OS drops the lock when its
process dies, however it dies, so a lock whose owner was killed is simply free again: nothing stale to guess
about. Next to each lock a small JSON file names the owner (pid, host, start time, what it is), so a second
start can say in one sentence what is running since when; it is rewritten by whoever takes the lock over.

One lock may serve several jobs (the followers fetch and the following fetch share theirs), so the note also says
which job holds it (`job_title`): the refusal names the job that really runs. A note written before that field
existed, or a holder that does not say, reads as the lock's own title (which names every job it serves).
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import os
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from twexport_qt.core.errors import EXIT_BUSY, TwExportError
from twexport_qt.core.timefmt import format_datetime

if TYPE_CHECKING:  # filelock loads with the first job, not with the window
    from filelock import FileLock

log = logging.getLogger(__name__)

LOCKS_DIR_NAME = "locks"


class JobKind(enum.StrEnum):
    FOLLOWERS_FETCH = "followers-fetch"
    DM_CAMPAIGN = "dm-campaign"
    TWEETS_DOWNLOAD = "tweets-download"


# The lock's own title, for a holder that did not say which job it runs: it must fit every job the lock serves.
# The followers fetch and the following fetch share one lock on purpose, so they never run at once: they spend one
# billing budget (a budget check in one process does not count the other's answers still in flight, so two runs
# at once could pass it), both start with /2/users/me, whose rate budget one process's pacer cannot see another
# spend, and both write the account's `accounts` row and `fetch_runs` bookkeeping (whose ids order the followers'
# sightings, store/followers_repo.py `newest_fetch_run`).
_TITLES = {
    JobKind.FOLLOWERS_FETCH: "A followers or following fetch",
    JobKind.DM_CAMPAIGN: "A DM campaign",
    JobKind.TWEETS_DOWNLOAD: "A tweet download",
}


@dataclass(frozen=True)
class LockOwner:
    """Who holds a job lock; written next to the lock for the next one who asks."""

    pid: int
    host: str
    started_at: float  # epoch seconds
    scope: str  # the profile (or output file) the lock is about
    holder: str  # "command line" | "desktop app"
    job_title: str | None = None  # "A following fetch"; None in notes of older versions or from a silent holder

    def describe(self) -> str:
        where = "this computer" if self.host == socket.gethostname() else self.host
        return (f"since {format_datetime(self.started_at)} (process {self.pid} on {where}, "
                f"started from the {self.holder})")


class JobAlreadyRunning(TwExportError):
    """Another process (or another window) runs this job right now."""

    default_message = "This job is already running elsewhere."
    exit_code = EXIT_BUSY

    def __init__(self, kind: JobKind, scope_label: str, owner: LockOwner | None) -> None:
        since = owner.describe() if owner is not None else "(it started moments ago)"
        title = (owner.job_title if owner is not None else None) or _TITLES[kind]
        super().__init__(
            f"{title} for {scope_label} is already running {since}. Wait for it to finish, or stop it "
            "there, then try again.")
        self.kind = kind
        self.owner = owner


class JobLock:
    """`with JobLock(data_dir, JobKind.DM_CAMPAIGN, "profile Sandbox"): ...` — raises JobAlreadyRunning at once
    (it never waits) when another holder has it. Not reentrant: hold one per job.

    `job_title` ("A following fetch") is the job this holder runs, as a refused second start will name it; without
    it the lock's own title stands in."""

    def __init__(self, data_dir: Path, kind: JobKind, scope: str, *, holder: str = "command line",
                 scope_label: str | None = None, job_title: str | None = None) -> None:
        self.kind = kind
        self.scope = scope
        self.scope_label = scope_label or scope
        self.holder = holder
        self.job_title = job_title
        folder = Path(data_dir) / LOCKS_DIR_NAME
        name = f"{kind}-{hashlib.sha256(scope.encode('utf-8')).hexdigest()[:16]}"
        self.lock_path = folder / f"{name}.lock"
        self.owner_path = folder / f"{name}.owner.json"
        self._lock: FileLock | None = None

    def acquire(self) -> None:
        from filelock import FileLock, Timeout

        self.lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = FileLock(str(self.lock_path), timeout=0, mode=0o600, thread_local=False)
        try:
            lock.acquire()
        except Timeout:
            raise JobAlreadyRunning(self.kind, self.scope_label, read_owner(self.owner_path)) from None
        previous = read_owner(self.owner_path)
        if previous is not None:  # its process died holding the lock (killed, crashed, power loss)
            log.warning("Taking over the %s lock of %s: its process %s on %s, started %s, is gone", self.kind,
                        self.scope_label, previous.pid, previous.host, format_datetime(previous.started_at))
        self._lock = lock
        owner = LockOwner(os.getpid(), socket.gethostname(), time.time(), self.scope, self.holder, self.job_title)
        try:
            _write_json(self.owner_path, asdict(owner))
        except OSError:  # the owner note is a courtesy; the lock itself is what excludes
            log.warning("Could not write %s", self.owner_path, exc_info=True)

    def release(self) -> None:
        if self._lock is None:
            return
        try:
            self.owner_path.unlink(missing_ok=True)
        except OSError:
            log.warning("Could not remove %s", self.owner_path, exc_info=True)
        self._lock.release()
        self._lock = None

    @property
    def held(self) -> bool:
        return self._lock is not None

    def __enter__(self) -> JobLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def read_owner(path: Path) -> LockOwner | None:
    """The owner note, or None when there is none or it cannot be read (a half-written note counts as none).
    A note without `job_title` (older versions wrote none) reads with None there."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        job_title = data.get("job_title")
        return LockOwner(int(data["pid"]), str(data["host"]), float(data["started_at"]), str(data["scope"]),
                         str(data["holder"]), str(job_title) if job_title else None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # AttributeError: JSON, not an object
        return None


def _write_json(path: Path, data: dict) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temp, "w", encoding="utf-8") as file:
        json.dump(data, file)
    os.replace(temp, path)
