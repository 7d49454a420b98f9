"""Jobs run off the GUI thread; progress, waits, failures and cancellation arrive as signals; the panel shows them.

These tests never `qtbot.waitSignal` on a worker's own signal: PySide would run pytest-qt's Python callback in
the worker thread, which then stops a GUI-thread timer and event loop from the wrong thread (seen to hang).
They poll with `waitUntil` in the GUI thread instead."""

from __future__ import annotations

import threading

import pytest

from twexport_qt.core.errors import AuthError
from twexport_qt.core.progress import Progress
from twexport_qt.gateway.pacing import WaitNotice
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.job_panel import JobPanel
from twexport_qt.workers.job_worker import JobRunner, JobWorker


@pytest.fixture
def runner(qtbot):
    runner = JobRunner()
    yield runner
    runner.shutdown()


def test_job_runs_in_another_thread_and_reports_progress(qtbot, runner):
    seen_threads = []

    def job(ctx):
        seen_threads.append(threading.get_ident())
        ctx.progress(Progress(1, 2, "half"))
        return "result"

    worker = JobWorker("demo", job)
    progress, results = [], []
    worker.progressed.connect(progress.append)
    worker.succeeded.connect(results.append)
    runner.start(worker)
    qtbot.waitUntil(lambda: results == ["result"], timeout=5000)
    assert seen_threads[0] != threading.get_ident()
    assert progress == [Progress(1, 2, "half")]


def test_cancel_wakes_a_waiting_job(qtbot, runner):
    started = threading.Event()

    def job(ctx):
        started.set()
        ctx.cancel.wait(30)  # a rate-limit wait
        ctx.cancel.raise_if_cancelled()

    worker = JobWorker("waits", job)
    cancelled = []
    worker.cancelled.connect(lambda: cancelled.append(True))
    runner.start(worker)
    assert started.wait(5)
    worker.cancel()
    qtbot.waitUntil(lambda: cancelled == [True], timeout=5000)


def test_errors_become_sentences_not_tracebacks(qtbot, runner):
    def revoked(ctx):
        raise AuthError()

    def crashing(ctx):
        raise KeyError("boom")

    messages = []
    for name, job in (("revoked", revoked), ("crash", crashing)):
        worker = JobWorker(name, job)
        worker.failed.connect(messages.append)
        runner.start(worker)
        qtbot.waitUntil(worker.ended.is_set, timeout=5000)
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=5000)
    assert "re-enter them in Settings" in messages[0]
    assert "unexpected error (KeyError)" in messages[1] and "log file" in messages[1]


def test_panel_counts_down_to_the_announced_resume_time(qtbot):
    now = [1000.0]
    panel = JobPanel(wall_clock=lambda: now[0])
    qtbot.addWidget(panel)
    panel.show_wait(WaitNotice("rate_limit", "GET /2/users/:id/followers", 1000.0 + 14 * 60 + 59, "Limit reached."))
    assert panel.countdown_text() == "Limit reached. Resuming in 14:59."
    now[0] += 60
    panel.countdown.update()  # what the 1 s timer does
    assert panel.countdown_text() == "Limit reached. Resuming in 13:59."
    panel.show_progress(Progress(10, 20, "10 fetched", eta_seconds=65))
    assert panel.countdown_text() == "10 fetched · about 1:05 left" and panel.bar.value() == 500


def test_controller_runs_one_job_per_name_and_signals_data_changes(qtbot):
    panel = JobPanel()
    qtbot.addWidget(panel)
    controller = JobController(panel)
    release = threading.Event()
    first = controller.start("fetch", "Fetching", lambda ctx: release.wait(5))
    assert panel.isVisible() and controller.is_running("fetch")
    assert controller.start("fetch", "Fetching", lambda ctx: None) is None  # refused while running
    with qtbot.waitSignal(controller.dataChanged, timeout=5000) as changed:
        release.set()
    assert changed.args == ["fetch"]
    qtbot.waitUntil(lambda: not controller.is_running("fetch"))
    assert first is not None and first.name == "fetch"
    controller.shutdown()


def test_a_job_stopped_by_a_budget_is_paused_with_its_sentence_not_cancelled(qtbot, messages):
    from twexport_qt.core.errors import BudgetReached
    from twexport_qt.services.jobs import JobOutcome

    panel = JobPanel()
    qtbot.addWidget(panel)
    controller = JobController(panel)
    sentence = "The daily budget of $2.00 is reached ($1.99 spent today); it resets at 00:00 UTC."

    runs = []

    def over_budget_once(ctx):
        runs.append(ctx)
        if len(runs) == 1:
            raise BudgetReached(sentence)
        return "resumed"

    done = []
    with qtbot.waitSignal(controller.jobEnded, timeout=5000) as ended:
        controller.start("fetch", "Fetching followers", over_budget_once, on_success=done.append)
    assert ended.args == ["fetch", JobOutcome.PAUSED]
    assert controller.last_error == sentence
    # A warning (the status bar), not an error dialog: nothing failed, and running it again resumes.
    assert messages.errors() == []
    assert messages.warnings() == [f"Fetching followers paused: {sentence} Run it again to resume where it stopped."]
    # The panel stays with the sentence and a Resume button, also once the job's thread has ended.
    qtbot.waitUntil(lambda: not controller.is_running("fetch"), timeout=5000)
    qtbot.wait(50)
    assert panel.isVisible() and panel.resume_button.isVisible() and not panel.cancel_button.isVisible()
    assert panel.status.text() == sentence and panel.title.text() == "Fetching followers paused:"
    with qtbot.waitSignal(controller.jobEnded, timeout=5000) as ended_again:
        panel.resume_button.click()  # runs the same job again: it continues where it stopped
    assert ended_again.args == ["fetch", JobOutcome.SUCCEEDED] and done == ["resumed"] and len(runs) == 2
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=5000)
    controller.shutdown()


def test_data_a_job_stores_reaches_a_view_in_the_gui_thread(qtbot, runner):
    from PySide6.QtCore import QObject, Slot

    class View(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.heard: list[tuple[object, int]] = []

        @Slot(object)
        def on_stored(self, what: object) -> None:
            self.heard.append((what, threading.get_ident()))

    def job(ctx):
        ctx.stored("page 1")
        ctx.stored("page 2")
        return "done"

    view = View()
    worker = JobWorker("stores", job)
    worker.stored.connect(view.on_stored)  # a slot of a GUI-thread object: queued to the GUI thread
    runner.start(worker)
    qtbot.waitUntil(lambda: len(view.heard) == 2, timeout=5000)
    assert view.heard == [("page 1", threading.get_ident()), ("page 2", threading.get_ident())]
