"""The one way views run short work off the GUI thread: `run_task(func, on_result)`.

In the manner of picard's `run_task`/`to_main`: `func` runs in a pool thread, and its result (or a sentence
saying why it failed) is handed to a callback *in the GUI thread*, where widgets may be touched. Long,
user-visible work (fetches, campaigns, downloads, exports) goes through `JobController` instead, which adds
progress, a countdown and Cancel; both deliver results the same way.

Latest wins per key: starting a task with the `key` of an unfinished one discards the older one's result, so a
fast user never sees an old answer arrive after a new one. A callback whose `owner` widget was deleted meanwhile
is dropped instead of crashing on a dead C++ object.

`InlineTaskRunner` runs tasks at once in the calling thread: view tests get their answers without polling.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

from twexport_qt.core import messages

log = logging.getLogger(__name__)

T = TypeVar("T")
ResultCallback = Callable[[Any], None]
FailureCallback = Callable[[str], None]


@dataclass(eq=False)
class TaskHandle:
    """A started task; `discard()` drops its result (the work itself runs to its end)."""

    what: str
    key: str | None = None
    _discarded: threading.Event = field(default_factory=threading.Event)

    def discard(self) -> None:
        self._discarded.set()

    @property
    def discarded(self) -> bool:
        return self._discarded.is_set()


class TaskRunner(QObject):
    """Runs tasks in its own small thread pool; create it in the GUI thread."""

    _delivered = Signal(object)  # a zero-argument callable, queued to this (GUI-thread) object

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        # Threads that never expire: services keep one SQLite connection per thread (ThreadConnections), so a
        # pool whose threads came and went would leave a trail of open connections behind them.
        self._pool.setExpiryTimeout(-1)
        self._latest: dict[str, TaskHandle] = {}
        self._ids = itertools.count(1)
        # Connected to a slot of this GUI-thread object: Qt queues emissions from pool threads to the GUI thread.
        self._delivered.connect(self._run_delivered)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def run_task(
        self,
        what: str,
        func: Callable[[], T],
        on_result: Callable[[T], None],
        on_failure: FailureCallback | None = None,
        *,
        key: str | None = None,
        owner: QObject | None = None,
    ) -> TaskHandle:
        """Run `func` off the GUI thread; then `on_result(value)`, or `on_failure(sentence)`, in the GUI thread.

        `what` names the work in failure sentences and the log ("Reading the DM status"). Without `on_failure`
        a failure is told to the user as an error message.
        """
        handle = self._register(what, key)
        self._start(handle, func, on_result, on_failure, owner)
        return handle

    def to_main(self, func: Callable[[], None]) -> None:
        """Run `func` in the GUI thread, soon (thread-safe)."""
        self._delivered.emit(func)

    def wait_idle(self, timeout_ms: int = 30_000) -> bool:
        """Wait for running tasks (tests, shutdown); their results arrive with the next event processing."""
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self) -> None:
        for handle in self._latest.values():
            handle.discard()
        self._pool.clear()
        self._pool.waitForDone(10_000)

    # -- internals -------------------------------------------------------------------------------------
    def _register(self, what: str, key: str | None) -> TaskHandle:
        handle = TaskHandle(what, key)
        if key is not None:
            older = self._latest.get(key)
            if older is not None:
                older.discard()
            self._latest[key] = handle
        return handle

    def _start(self, handle: TaskHandle, func: Callable[[], Any], on_result: ResultCallback,
               on_failure: FailureCallback | None, owner: QObject | None) -> None:
        def work() -> None:
            outcome = _outcome_of(handle, func)
            self._delivered.emit(lambda: self._finish(handle, outcome, on_result, on_failure, owner))

        self._pool.start(_Runnable(work, f"task-{next(self._ids)}"))

    def _finish(self, handle: TaskHandle, outcome: _Outcome, on_result: ResultCallback,
                on_failure: FailureCallback | None, owner: QObject | None) -> None:
        if handle.key is not None and self._latest.get(handle.key) is handle:
            del self._latest[handle.key]
        if handle.discarded or (owner is not None and not shiboken6.isValid(owner)):
            return
        if outcome.failure is None:
            on_result(outcome.value)
        elif on_failure is not None:
            on_failure(outcome.failure)
        else:
            messages.error(outcome.failure, title=handle.what)

    @Slot(object)
    def _run_delivered(self, func: Callable[[], None]) -> None:
        func()


class InlineTaskRunner(TaskRunner):
    """For tests: every task runs at once, in the calling thread, and its callback before `run_task` returns."""

    def _start(self, handle: TaskHandle, func: Callable[[], Any], on_result: ResultCallback,
               on_failure: FailureCallback | None, owner: QObject | None) -> None:
        self._finish(handle, _outcome_of(handle, func), on_result, on_failure, owner)

    def to_main(self, func: Callable[[], None]) -> None:
        func()


@dataclass(frozen=True)
class _Outcome:
    value: Any = None
    failure: str | None = None


def _outcome_of(handle: TaskHandle, func: Callable[[], Any]) -> _Outcome:
    try:
        return _Outcome(value=func())
    except Exception as exc:  # a task thread must never die silently: the user hears of it, the log has why
        log.warning("%s failed", handle.what, exc_info=True)
        from twexport_qt.failures import failure_sentence  # loaded by the first failure, not at start

        return _Outcome(failure=failure_sentence(handle.what, exc))


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[], None], name: str) -> None:
        super().__init__()
        self._work = work
        self.name = name
        self.setAutoDelete(True)

    def run(self) -> None:
        self._work()
