"""File → Export: the seed's exports, who you follow and how (following, mutuals, not following back, fans), the
campaign funnel and a tweet dataset, each written by a worker with progress and Cancel. A table export asks where
(CSV or Excel workbook) and then which columns (ExportOptionsDialog, remembered per kind).

`ExportFlow` is that flow without the menu, for a tab's own Export… button (the Following tab's lists), so the
same kind is exported the same way from either place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QWidget

from twexport_qt import paths
from twexport_qt.app_context import AppContext
from twexport_qt.core import messages
from twexport_qt.core.progress import Progress
from twexport_qt.exports.exporters import EXPORT_KINDS, ExportKind, export
from twexport_qt.exports.formats import ExportFormat, TableOptions
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.profile_mapping import domain_tiers
from twexport_qt.services.jobs import JobContext, JobName, database_job
from twexport_qt.ui.export_options_dialog import ExportOptionsDialog, load_table_options, save_table_options
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.job_controller import JobController
from twexport_qt.workers.job_worker import JobWorker

CSV_FILTER = "CSV files (*.csv)"
XLSX_FILTER = "Excel workbook (*.xlsx)"
_FILTERS = {ExportFormat.CSV: CSV_FILTER, ExportFormat.XLSX: XLSX_FILTER}


class ExportDone(NamedTuple):
    """A finished export. A named tuple, so it also reads as `(kind, path, rows)`."""

    kind: ExportKind
    path: Path
    rows: int  # data rows written (examples, for a tweet dataset)


# File → Export's entries for the lists of who you follow, after the followers' own.
RELATIONSHIP_ENTRIES: tuple[tuple[str, ExportKind], ...] = (
    ("Following…", ExportKind.FOLLOWING),
    ("Mutuals…", ExportKind.MUTUALS),
    ("Not following back…", ExportKind.NOT_FOLLOWING_BACK),
    ("Fans…", ExportKind.FANS),
)


class ExportFlow:
    """Ask where and which columns, then write in a job and say where: one export, wherever it is started."""

    def __init__(self, context: AppContext, jobs: JobController, parent: QWidget) -> None:
        self.context = context
        self.jobs = jobs
        self.parent = parent
        self.last_result: ExportDone | None = None

    def ask_and_export(self, kind: ExportKind, follower_filter: FollowerFilter | None = None) -> None:
        """Ask for the file (and, for a table, its columns), then export `kind`, narrowed by `follower_filter`."""
        description = EXPORT_KINDS[kind]
        default = paths.exports_dir(self.context.data_dir) / description.default_file_name
        title = f"Export {description.title.lower()}"
        if not description.is_table:  # a tweet dataset is copied as it was written
            chosen, _ = QFileDialog.getSaveFileName(self.parent, title, str(default),
                                                    f"{CSV_FILTER};;All files (*)")
            if chosen:
                self.export_to(kind, Path(chosen), follower_filter)
            return
        data_dir = self.context.data_dir
        remembered = load_table_options(data_dir, kind, description.columns)
        chosen, selected_filter = QFileDialog.getSaveFileName(
            self.parent, title, str(default.with_suffix(f".{remembered.format}")), f"{CSV_FILTER};;{XLSX_FILTER}",
            _FILTERS[remembered.format])
        if not chosen:
            return
        path, file_format = _path_and_format(Path(chosen), selected_filter)
        dialog = ExportOptionsDialog(description.title, description.columns, replace(remembered, format=file_format),
                                     self.parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        options = dialog.options()
        save_table_options(data_dir, kind, options)
        self.export_to(kind, path, follower_filter, options)

    def export_to(self, kind: ExportKind, path: Path, follower_filter: FollowerFilter | None = None,
                  options: TableOptions | None = None) -> JobWorker | None:
        """Run the export in a worker; the file (and its data dictionary) appears only when complete."""
        context = self.context
        owner = context.known_owner_id()
        tiers = domain_tiers(context.profile)

        # A lambda: its connection's type would need `sqlite3`, which views do not import.
        job = database_job(context, lambda conn, ctx: ExportDone(kind, path, export(
            conn, owner, kind, path, tiers=tiers, follower_filter=follower_filter, progress=_rows_written(ctx),
            cancel=ctx.cancel, data_dir=context.data_dir, now=int(context.clock.now()), options=options,
            simulated=context.is_sandbox)))  # the newest tweet download of the profile's own kind
        return self.jobs.start(JobName.EXPORT, f"Exporting {EXPORT_KINDS[kind].title.lower()}", job,
                               on_success=self._done, writes_data=False)

    def _done(self, result: ExportDone) -> None:
        self.last_result = result
        unit = "examples" if result.kind == ExportKind.TWEETS else "rows"
        messages.info(f"Exported {result.rows:,} {unit} to {result.path}.")


class ExportMenu:
    def __init__(self, context: AppContext, jobs: JobController, filter_state: FollowerFilterState,
                 parent: QWidget) -> None:
        self.context = context
        self.jobs = jobs
        self.filter_state = filter_state
        self.parent = parent
        self.flow = ExportFlow(context, jobs, parent)
        self.menu = QMenu("&Export", parent)
        # Ctrl+E: the export people make most, of what the Followers tab shows.
        self.current_filter_action = self.menu.addAction(
            "Followers (current filter)…", lambda: self.ask_and_export(ExportKind.FOLLOWERS, current=True))
        self.current_filter_action.setShortcut(QKeySequence("Ctrl+E"))
        self.menu.addAction("All followers…", lambda: self.ask_and_export(ExportKind.FOLLOWERS))
        self.menu.addAction("High-value followers…", lambda: self.ask_and_export(ExportKind.HIGH_VALUE))
        self.menu.addAction("DM status…", lambda: self.ask_and_export(ExportKind.DM_STATUS))
        self.menu.addAction("Skipped followers…", lambda: self.ask_and_export(ExportKind.SKIPPED))
        self.menu.addSeparator()
        for label, kind in RELATIONSHIP_ENTRIES:
            self.menu.addAction(label, self._entry(kind))
        self.menu.addSeparator()
        self.menu.addAction("Campaign funnel…", lambda: self.ask_and_export(ExportKind.FUNNEL))
        self.menu.addSeparator()
        self.menu.addAction("Tweet dataset (newest download)…", lambda: self.ask_and_export(ExportKind.TWEETS))

    def _entry(self, kind: ExportKind) -> Callable[[], None]:
        # A closure per entry: a lambda's default argument would receive the action's `checked` flag.
        return lambda: self.ask_and_export(kind)

    @property
    def last_result(self) -> ExportDone | None:
        """The last export that completed, from the menu or its flow."""
        return self.flow.last_result

    def ask_and_export(self, kind: ExportKind, *, current: bool = False) -> None:
        """The menu's entry for `kind`: with `current`, only the followers in the shared filter."""
        self.flow.ask_and_export(kind, self.filter_state.current if current else None)

    def export_to(self, kind: ExportKind, path: Path, follower_filter: FollowerFilter | None = None,
                  options: TableOptions | None = None) -> JobWorker | None:
        """Run the export in a worker (see `ExportFlow.export_to`)."""
        return self.flow.export_to(kind, path, follower_filter, options)


def _path_and_format(path: Path, selected_filter: str) -> tuple[Path, ExportFormat]:
    """The file's own extension decides; a name without one gets the chosen filter's."""
    suffix = path.suffix.lower()
    for file_format in ExportFormat:
        if suffix == f".{file_format}":
            return path, file_format
    file_format = ExportFormat.XLSX if selected_filter == XLSX_FILTER else ExportFormat.CSV
    return path.with_name(f"{path.name}.{file_format}"), file_format


def _rows_written(ctx: JobContext) -> Callable[[int], None]:
    return lambda rows: ctx.progress(Progress(rows, None, f"{rows:,} rows written"))
