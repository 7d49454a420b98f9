"""The followers a plot shows in its zoom, written to CSV in exactly the format of File → Export → Followers.

`exports.exporters` selects followers by a filter, in SQL; "Export visible points" names them one by one (the
coloured points inside the zoom), so this reads those followers by rowid through the followers service and
writes them with the exporter's header and row values (`follower_row`), its table writer (atomic, safe CSV,
data dictionary beside) and the output-path rule. Plain Python, for a job thread; tests hold its rows equal to
the exporter's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from twexport_qt.core.cancel import CancelToken
from twexport_qt.exports.exporters import FOLLOWER_HEADER, ExportError, follower_row
from twexport_qt.exports.formats import TableOptions, write_table
from twexport_qt.followers.snapshot import FollowerSnapshot
from twexport_qt.followers.tiers import TierSpec
from twexport_qt.paths import check_output_path
from twexport_qt.services.followers import FollowersService

VISIBLE_POINTS_FILE_NAME = "visible_followers.csv"
_READ_BLOCK = 4_500  # rowids per read: a few indexed queries, and progress and Cancel in between


class NothingInView(ExportError):
    """No highlighted follower inside the zoom: no file is written."""


def rowids_of_users(snapshot: FollowerSnapshot, user_ids: np.ndarray) -> np.ndarray:
    """Rowids of these followers in rowid order (the exporter's order); ids not in the snapshot are left out."""
    return snapshot.rowid[np.isin(snapshot.user_id, user_ids)]


def export_followers_by_rowid(
    followers: FollowersService,
    rowids: np.ndarray,
    path: Path,
    *,
    tiers: Sequence[TierSpec],
    data_dir: Path | None,
    progress: Callable[[int], None] | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Write these followers to `path` (never into the data folder); returns the rows written.

    Raises NothingInView for no rowid (no file is written), ExportError when the file cannot be written.
    """
    path = check_output_path(path, data_dir)
    if not len(rowids):
        raise NothingInView("No follower matching the filter is in view: zoom out or change the filter. "
                            "Nothing was written.")
    tier_names = [tier.name for tier in tiers]

    def rows() -> Iterator[list[Any]]:
        for start in range(0, len(rowids), _READ_BLOCK):
            for row in followers.rows_by_rowid(rowids[start:start + _READ_BLOCK], tiers):
                yield follower_row(row.record, tier_names[row.tier], row.dm_status)

    try:
        return write_table(path, FOLLOWER_HEADER, rows(), TableOptions(), export_title="Visible followers",
                           progress=progress, cancel=cancel)
    except OSError as exc:
        raise ExportError(f"Could not write {path}: {exc.strerror or exc}. Choose another folder.") from exc
