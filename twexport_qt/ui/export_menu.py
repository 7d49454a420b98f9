"""File → Export: the seed's exports, the campaign funnel and a tweet dataset, each written by a worker with progress
and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from twexport_qt import paths
from twexport_qt.app_context import AppContext
from twexport_qt.core import messages
from twexport_qt.core.progress import Progress
from twexport_qt.exports.exporters import EXPORT_KINDS, ExportKind, export
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.profile_mapping import domain_tiers
from twexport_qt.services.jobs import JobContext, JobName, database_job
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.job_controller import JobController
from twexport_qt.workers.job_worker import JobWorker


class ExportDone(NamedTuple):
    """A finished export. A named tuple, so it also reads as `(kind, path, rows)`."""

    kind: ExportKind
    path: Path
    rows: int  # data rows written (examples, for a tweet dataset)


class ExportMenu:
    def __init__(self, context: AppContext, jobs: JobController, filter_state: FollowerFilterState,
                 parent: QWidget) -> None:
        self.context = context
        self.jobs = jobs
        self.filter_state = filter_state
        self.parent = parent
        self.last_result: ExportDone | None = None
        self.menu = QMenu("&Export", parent)
        # Ctrl+E: the export people make most, of what the Followers tab shows.
        self.current_filter_action = self.menu.addAction(
            "Followers (current filter)…", lambda: self.ask_and_export(ExportKind.FOLLOWERS, current=True))
        self.current_filter_action.setShortcut(QKeySequence("Ctrl+E"))
        self.menu.addAction("All followers…", lambda: self.ask_and_export(ExportKind.FOLLOWERS))
        self.menu.addAction("High-value followers…", lambda: self.ask_and_export(ExportKind.HIGH_VALUE))
        self.menu.addAction("DM status…", lambda: self.ask_and_export(ExportKind.DM_STATUS))
        self.menu.addAction("Skipped followers…", lambda: self.ask_and_export(ExportKind.SKIPPED))
        self.menu.addAction("Campaign funnel…", lambda: self.ask_and_export(ExportKind.FUNNEL))
        self.menu.addSeparator()
        self.menu.addAction("Tweet dataset (newest download)…", lambda: self.ask_and_export(ExportKind.TWEETS))

    def ask_and_export(self, kind: ExportKind, *, current: bool = False) -> None:
        description = EXPORT_KINDS[kind]
        default = paths.exports_dir(self.context.data_dir) / description.default_file_name
        chosen, _ = QFileDialog.getSaveFileName(self.parent, f"Export {description.title.lower()}",
                                                str(default), "CSV files (*.csv);;All files (*)")
        if chosen:
            self.export_to(kind, Path(chosen), self.filter_state.current if current else None)

    def export_to(self, kind: ExportKind, path: Path,
                  follower_filter: FollowerFilter | None = None) -> JobWorker | None:
        """Run the export in a worker; the file appears only when complete."""
        context = self.context
        owner = context.known_owner_id()
        tiers = domain_tiers(context.profile)

        # A lambda: its connection's type would need `sqlite3`, which views do not import.
        job = database_job(context, lambda conn, ctx: ExportDone(kind, path, export(
            conn, owner, kind, path, tiers=tiers, follower_filter=follower_filter, progress=_rows_written(ctx),
            cancel=ctx.cancel, data_dir=context.data_dir, now=int(context.clock.now()))))
        return self.jobs.start(JobName.EXPORT, f"Exporting {EXPORT_KINDS[kind].title.lower()}", job,
                               on_success=self._done, writes_data=False)

    def _done(self, result: ExportDone) -> None:
        self.last_result = result
        unit = "examples" if result.kind == ExportKind.TWEETS else "rows"
        messages.info(f"Exported {result.rows:,} {unit} to {result.path}.")


def _rows_written(ctx: JobContext) -> Callable[[int], None]:
    return lambda rows: ctx.progress(Progress(rows, None, f"{rows:,} rows written"))
