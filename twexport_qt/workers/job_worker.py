"""Run a domain job in a QThread and turn its callbacks into Qt signals.

The worker is a thin adapter (see docs/ARCHITECTURE.md): the job is a plain function taking a `JobContext`
(cancel token, progress and wait callbacks); it knows nothing about Qt. Signals are queued across threads,
so views only connect slots and never block.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled, SpendLimitReached, TwExportError
from twexport_qt.services.jobs import Job, JobContext

log = logging.getLogger(__name__)


class JobWorker(QObject):
    progressed = Signal(object)   # Progress
    waiting = Signal(object)      # WaitNotice: show a countdown to .resume_at
    stored = Signal(object)       # the job committed data a view may show now (e.g. a fetch's PageStored)
    succeeded = Signal(object)    # the job's return value
    failed = Signal(str)          # a sentence for the user; the traceback went to the log
    cancelled = Signal()
    paused = Signal(str)          # a spending limit stopped it (a sentence: which, and when it resets)
    finished = Signal()           # always, after one of the four above

    def __init__(self, name: str, job: Job) -> None:
        super().__init__()
        self.name = name
        self._job = job
        self.cancel_token = CancelToken()
        # Set in the worker thread before the outcome is announced: from then on the job does no more work,
        # so a job of the same name may start even though this thread is still winding down.
        self.ended = threading.Event()

    def cancel(self) -> None:
        """Thread-safe: sets the token the job polls and wakes any wait."""
        self.cancel_token.cancel()

    @Slot()
    def run(self) -> None:
        context = JobContext(self.cancel_token, self.progressed.emit, self.waiting.emit, self.stored.emit)
        # The outcome is announced only after `ended` is set, whichever way the job ended.
        announce_outcome: Callable[[], None] = partial(self.failed.emit, "The job did not report an outcome.")
        try:
            announce_outcome = partial(self.succeeded.emit, self._job(context))
        except SpendLimitReached as exc:  # before Cancelled: the user did not ask for this stop, so say why
            log.info("%s paused: %s", self.name, exc.user_message)
            announce_outcome = partial(self.paused.emit, exc.user_message)
        except Cancelled:
            announce_outcome = self.cancelled.emit
        except TwExportError as exc:
            log.warning("%s failed: %s", self.name, exc, exc_info=True)
            announce_outcome = partial(self.failed.emit, exc.user_message)
        except Exception as exc:  # a worker must never die silently
            log.exception("%s crashed", self.name)
            # Imported on a failure only: its module (and the database's) need not load before the window shows.
            from twexport_qt.failures import failure_sentence

            announce_outcome = partial(self.failed.emit, failure_sentence(self.name, exc))
        finally:
            self.ended.set()
            announce_outcome()
            self.finished.emit()


class JobRunner(QObject):
    """Owns the threads of running jobs, and stops them on shutdown.

    Ownership is plain Python: a thread and its worker stay referenced until the thread has finished and the
    next job starts (or shutdown), so no Qt object is deleted while one of its queued signals is pending.
    """

    threadFinished = Signal(object)  # the JobWorker whose thread ended: its name is free again

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[JobWorker, QThread] = {}
        self._retired: list[tuple[JobWorker, QThread]] = []

    def start(self, worker: JobWorker) -> JobWorker:
        self._retired.clear()  # jobs that ended earlier: every signal of theirs has been delivered by now
        thread = QThread()
        thread.setObjectName(worker.name)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # quit() is thread-safe: call it right from the worker thread instead of queueing it to the GUI thread.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._retire_finished)  # a slot of this GUI-thread object: queued to it
        self._running[worker] = thread
        thread.start()
        return worker

    def is_running(self, name: str) -> bool:
        return any(worker.name == name and not worker.ended.is_set() for worker in self._running)

    def running(self) -> list[JobWorker]:
        return [worker for worker in self._running if not worker.ended.is_set()]

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Cancel everything and wait for the threads; jobs commit as they go, so nothing is lost."""
        for worker in list(self._running):
            worker.cancel()
        for thread in list(self._running.values()):
            thread.quit()
            thread.wait(timeout_ms)
        self._retire_finished()

    @Slot()
    def _retire_finished(self) -> None:
        for worker, thread in list(self._running.items()):
            if thread.isFinished():
                del self._running[worker]
                self._retired.append((worker, thread))
                self.threadFinished.emit(worker)
