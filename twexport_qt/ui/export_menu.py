"""File → Export: the seed's exports, the campaign funnel and a tweet dataset, each written by a worker with progress
and Cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from twexport_qt import paths
from twexport_qt.app_context import AppContext
from twexport_qt.core import messages
from twexport_qt.core.progress import Progress
from twexport_qt.exports.exporters import (
    DM_STATUS,
    EXPORT_KINDS,
    FOLLOWERS,
    FUNNEL,
    HIGH_VALUE,
    SKIPPED,
    TWEETS,
    export,
)
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.profile_mapping import domain_tiers
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.job_controller import JobController

EXPORT_JOB = "export"


class ExportMenu:
    def __init__(self, context: AppContext, jobs: JobController, filter_state: FollowerFilterState,
                 parent: QWidget) -> None:
        self.context = context
        self.jobs = jobs
        self.filter_state = filter_state
        self.parent = parent
        self.last_result: tuple[str, Path, int] | None = None
        self.menu = QMenu("&Export", parent)
        self.menu.addAction("Followers (current filter)…", lambda: self.ask_and_export(FOLLOWERS, current=True))
        self.menu.addAction("All followers…", lambda: self.ask_and_export(FOLLOWERS))
        self.menu.addAction("High-value followers…", lambda: self.ask_and_export(HIGH_VALUE))
        self.menu.addAction("DM status…", lambda: self.ask_and_export(DM_STATUS))
        self.menu.addAction("Skipped followers…", lambda: self.ask_and_export(SKIPPED))
        self.menu.addAction("Campaign funnel…", lambda: self.ask_and_export(FUNNEL))
        self.menu.addSeparator()
        self.menu.addAction("Tweet dataset (newest download)…", lambda: self.ask_and_export(TWEETS))

    def ask_and_export(self, kind: str, *, current: bool = False) -> None:
        default = paths.exports_dir(self.context.data_dir) / EXPORT_KINDS[kind].default_file_name
        chosen, _ = QFileDialog.getSaveFileName(self.parent, f"Export {EXPORT_KINDS[kind].title.lower()}",
                                                str(default), "CSV files (*.csv);;All files (*)")
        if chosen:
            self.export_to(kind, Path(chosen), self.filter_state.current if current else None)

    def export_to(self, kind: str, path: Path, follower_filter: FollowerFilter | None = None):
        """Run the export in a worker; the file appears only when complete."""
        context = self.context
        owner = context.known_owner_id()
        tiers = domain_tiers(context.profile)
        title = f"Exporting {EXPORT_KINDS[kind].title.lower()}"

        def job(ctx):
            conn = context.connect()
            try:
                rows = export(conn, owner, kind, path, tiers=tiers, follower_filter=follower_filter,
                              progress=lambda n: ctx.progress(Progress(n, None, f"{n:,} rows written")),
                              cancel=ctx.cancel, data_dir=context.data_dir, now=int(context.clock.now()))
            finally:
                conn.close()
            return kind, path, rows

        return self.jobs.start(EXPORT_JOB, title, job, on_success=self._done, writes_data=False)

    def _done(self, result: tuple[str, Path, int]) -> None:
        self.last_result = result
        kind, path, rows = result
        messages.info(f"Exported {rows:,} {'examples' if kind == TWEETS else 'rows'} to {path}.")
