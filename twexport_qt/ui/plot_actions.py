"""What a user does with the Followers tab's plots: a follower's menu, exporting the zoom, and the table link.

* The plots' context menu (`PlotMenuActions` of ui/scatter_plot.py), about the follower right-clicked: open the
  profile on X (not for the Sandbox's simulated accounts, which have none), copy the username, add to
  do-not-contact (through `context.do_not_contact`, in a task); and "Export visible points…": the coloured
  followers inside the zoom, to CSV in a job with progress and Cancel (ui/visible_points_export.py).
* Table selection ↔ highlighted point (`PlotSelectionLink`): the selected row's follower is ringed on both plots;
  a click on a point selects its row through the tab (`pointClicked` → `select_follower`), and so rings it.

The tab creates one `FollowerPlotActions` (its `_wire_plot_actions`); this module reads the tab only through
`FollowersHost`, the few attributes it names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import shiboken6
from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QObject, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMenu, QTableView

from twexport_qt import paths
from twexport_qt.app_context import AppContext
from twexport_qt.core import messages
from twexport_qt.core.progress import Progress
from twexport_qt.followers.plot_points import PointsInView
from twexport_qt.followers.tiers import TierSpec
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.services.followers import FollowersService
from twexport_qt.services.jobs import JobContext, JobName
from twexport_qt.ui.followers_table_model import FollowersTableModel
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.scatter_plot import FollowerScatter
from twexport_qt.ui.visible_points_export import (
    VISIBLE_POINTS_FILE_NAME,
    export_followers_by_rowid,
    rowids_of_users,
)
from twexport_qt.workers.job_worker import JobWorker

OPEN_PROFILE_TEXT = "Open profile on X"
SIMULATED_PROFILE_TEXT = "Open profile on X (a simulated Sandbox account: none on X)"
COPY_USERNAME_TEXT = "Copy username"
DO_NOT_CONTACT_TEXT = "Add to do-not-contact"
DO_NOT_CONTACT_REASON = "Added from the followers plot"
EXPORT_TITLE = "Exporting the followers in view"
PROFILE_URL = "https://x.com/{username}"


class FollowersHost(Protocol):
    """What the plot actions read of the Followers tab (properties: the tab may hold them as plain attributes)."""

    @property
    def context(self) -> AppContext: ...

    @property
    def jobs(self) -> JobController: ...

    @property
    def table(self) -> QTableView: ...

    @property
    def model(self) -> FollowersTableModel | None: ...

    @property
    def owner_id(self) -> int | None: ...

    @property
    def tiers(self) -> Sequence[TierSpec]: ...


@dataclass(frozen=True)
class VisibleExportDone:
    path: Path
    rows: int


class FollowerPlotActions(QObject):
    """The plots' menu actions and the table link, for one Followers tab (see the module docstring)."""

    def __init__(self, host: FollowersHost, plots: Sequence[FollowerScatter], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._host = host
        self.last_export: VisibleExportDone | None = None
        for plot in plots:
            plot.set_menu_actions(self)
        self.selection = PlotSelectionLink(host.table, plots, lambda: host.model, self)

    # -- the context menu (PlotMenuActions) ------------------------------------------------------------
    def add_point_actions(self, menu: QMenu, user_id: int) -> None:
        host = self._host
        owner_id = host.owner_id
        # One indexed read, as for a tooltip: fine in the GUI thread at any size.
        row = host.context.followers.follower_row(owner_id, user_id, host.tiers) if owner_id is not None else None
        if row is None:
            return  # no longer stored (a newer fetch): nothing to offer about them
        username = row.record.username
        menu.addSection(f"@{username}")
        open_profile = menu.addAction(OPEN_PROFILE_TEXT, lambda: self.open_profile(username))
        if host.context.is_sandbox:
            # A Sandbox username may belong to a stranger on X: never open it.
            open_profile.setText(SIMULATED_PROFILE_TEXT)
            open_profile.setToolTip("The Sandbox's followers are simulated: they have no profile on X.")
            open_profile.setEnabled(False)
        menu.addAction(COPY_USERNAME_TEXT, lambda: self.copy_username(username))
        menu.addAction(DO_NOT_CONTACT_TEXT, lambda: self.add_to_do_not_contact(user_id, username))

    def export_visible(self, in_view: PointsInView) -> None:
        """Ask for a file, then export the coloured followers inside the zoom to it."""
        default = paths.exports_dir(self._host.context.data_dir) / VISIBLE_POINTS_FILE_NAME
        chosen, _ = QFileDialog.getSaveFileName(self._host.table.window(), "Export visible points", str(default),
                                                "CSV files (*.csv);;All files (*)")
        if chosen:
            self.export_visible_to(in_view, Path(chosen))

    # -- the actions ------------------------------------------------------------------------------------
    def open_profile(self, username: str) -> None:
        url = PROFILE_URL.format(username=username)
        if not QDesktopServices.openUrl(QUrl(url)):
            messages.warning(f"Could not open a web browser: the profile is at {url}")

    def copy_username(self, username: str) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(username)
        messages.info(f"Copied the username {username}.")

    def add_to_do_not_contact(self, user_id: int, username: str) -> None:
        """Put the follower on the list in a task (a write may wait for a campaign's transaction), then say so."""
        owner_id = self._host.owner_id
        if owner_id is None:
            return
        service = self._host.context.do_not_contact
        self._host.jobs.tasks.run_task(
            "Adding to the do-not-contact list",
            lambda: service.add(owner_id, str(user_id), DO_NOT_CONTACT_REASON),  # bare digits: an id
            lambda _user_id: messages.info(f"@{username} is on the do-not-contact list: no campaign will message "
                                           "them (the Campaign tab's “Do not contact…” takes them off)."),
            owner=self,
        )

    def export_visible_to(self, in_view: PointsInView, path: Path) -> JobWorker | None:
        """Export the coloured followers inside the zoom to `path` in a job; they are listed in its thread."""
        host = self._host
        snapshot = host.model.snapshot if host.model is not None else None
        if snapshot is None:
            messages.warning("The followers are still loading: export the visible points once they are shown.")
            return None
        context, tiers = host.context, tuple(host.tiers)

        def job(ctx: JobContext) -> VisibleExportDone:
            rowids = rowids_of_users(snapshot, in_view.highlighted_ids())
            # The job thread's own connection, read through the followers service, closed when done.
            connections = ThreadConnections(context.connect)
            try:
                rows = export_followers_by_rowid(
                    FollowersService(connections, context.clock), rowids, path, tiers=tiers,
                    data_dir=context.data_dir, cancel=ctx.cancel,
                    progress=lambda done: ctx.progress(Progress(done, len(rowids), f"{done:,} rows written")))
            finally:
                connections.close()
            return VisibleExportDone(path, rows)

        return host.jobs.start(JobName.EXPORT, EXPORT_TITLE, job, on_success=self._exported, writes_data=False)

    def _exported(self, done: VisibleExportDone) -> None:
        self.last_export = done
        messages.info(f"Exported the {done.rows:,} followers in view to {done.path}.")


class PlotSelectionLink(QObject):
    """Rings the table's selected follower on the plots, and keeps a selection across model resets.

    The table gets a new selection model with each new model (a new account): the link notices it being made
    (a child of the table) and follows it. Its follower is the current row when selected, else the first selected
    row; with no selection no one is ringed. A reset (a refresh, a filter or search change, a page of a live
    fetch) silently clears the table's selection: the follower is selected again where their row now is, without
    scrolling, and un-ringed when they no longer have a row.
    """

    def __init__(self, table: QTableView, plots: Sequence[FollowerScatter],
                 model: Callable[[], FollowersTableModel | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table = table
        self._plots = tuple(plots)
        self._model = model
        self._selection_model: QItemSelectionModel | None = None
        self._reset_source: FollowersTableModel | None = None
        self._selected_user: int | None = None
        table.installEventFilter(self)
        self._follow_selection_model()

    @property
    def selected_user(self) -> int | None:
        """The follower of the selected row, as ringed on the plots (when plotted)."""
        return self._selected_user

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._table and event.type() == QEvent.Type.ChildAdded:
            # Maybe the selection model of a new model: the table installs it right after making it.
            QTimer.singleShot(0, self, self._follow_selection_model)
        return super().eventFilter(watched, event)

    def _follow_selection_model(self) -> None:
        selection_model = self._table.selectionModel()
        if selection_model is self._selection_model:
            return
        if self._selection_model is not None and shiboken6.isValid(self._selection_model):
            self._selection_model.selectionChanged.disconnect(self._on_selection_changed)
        if self._reset_source is not None and shiboken6.isValid(self._reset_source):
            self._reset_source.modelReset.disconnect(self._on_model_reset)
        self._selection_model = selection_model
        self._reset_source = self._model()
        if selection_model is not None:
            selection_model.selectionChanged.connect(self._on_selection_changed)
        if self._reset_source is not None:
            self._reset_source.modelReset.connect(self._on_model_reset)
        self._on_selection_changed()

    def _on_selection_changed(self, *_args: QItemSelection) -> None:
        selection_model, model = self._selection_model, self._model()
        user_id = None
        if selection_model is not None and model is not None and shiboken6.isValid(selection_model):
            current = selection_model.currentIndex()
            if current.isValid() and selection_model.isRowSelected(current.row()):
                user_id = model.follower_id_at(current.row())
            elif selection_model.hasSelection():
                # One range per run of rows: cheap even for "select all" over a million.
                user_id = model.follower_id_at(selection_model.selection().first().top())
        self._show(user_id)

    def _on_model_reset(self) -> None:
        selection_model, model, user_id = self._selection_model, self._model(), self._selected_user
        if user_id is None or selection_model is None or model is None or selection_model.hasSelection():
            return  # nothing to keep, or the selection was already restored (by the tab, say)
        row = model.row_of_follower(user_id)  # ~1 ms at a million rows
        if row is None:
            self._show(None)
            return
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        selection_model.select(model.index(row, 0), flags)  # no current index: the table does not scroll

    def _show(self, user_id: int | None) -> None:
        self._selected_user = user_id
        for plot in self._plots:
            plot.highlight_user(user_id)
