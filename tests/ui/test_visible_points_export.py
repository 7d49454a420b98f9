"""Exporting followers named one by one (a plot's visible points) writes exactly what File → Export → Followers
writes for them: same header, same cells, same order, same safety rules."""

from __future__ import annotations

import csv
from contextlib import closing

import numpy as np
import pytest

from twexport_qt.core.clock import FakeClock
from twexport_qt.exports.exporters import ExportError, ExportKind, export
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.snapshot import FollowerSnapshot
from twexport_qt.followers.tiers import DEFAULT_TIERS
from twexport_qt.paths import OutputPathRefused
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.services.followers import FollowersService
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database
from twexport_qt.ui.visible_points_export import NothingInView, export_followers_by_rowid, rowids_of_users

OWNER = 7


def people() -> list[FollowerRecord]:
    """Every kind of value a cell can hold: yes/no, unknown, missing dates, text a spreadsheet would run."""
    return [
        FollowerRecord(user_id=1_600_000_000_000_000_000 + i, username=f"user{i}", name=f"Name, {i}",
                       description="=HYPERLINK(\"x\")" if i == 3 else f"bio {i}\nline two",
                       created_at=None if i % 4 == 0 else 1_300_000_000 + i * 86_400, verified=i % 3 == 0,
                       protected=i % 5 == 0, receives_your_dm=(None, True, False)[i % 3],
                       followers_count=10 ** (i % 6), following_count=i * 7, tweet_count=i, listed_count=i % 2)
        for i in range(40)
    ]


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "twexport.sqlite3"
    with closing(open_database(path)) as conn, conn:
        followers_repo.upsert_followers(conn, OWNER, people(), seen_at=1_700_000_000)
        conn.execute("UPDATE followers SET unfollowed_at = 1700000100 WHERE user_id % 9 = 0")
    return path


@pytest.fixture
def service(database):
    connections = ThreadConnections(lambda: open_database(database, check_same_thread=False))
    yield FollowersService(connections, FakeClock())
    connections.close()


def snapshot_of(database) -> FollowerSnapshot:
    with closing(open_database(database)) as conn:
        return FollowerSnapshot.load(conn, OWNER)


def exporter_rows(database, tmp_path) -> dict[str, list[str]]:
    """File → Export → Followers (everyone, those who left too), by user id."""
    out = tmp_path / "exporter.csv"
    with closing(open_database(database)) as conn:
        export(conn, OWNER, ExportKind.FOLLOWERS, out, follower_filter=FollowerFilter(include_unfollowed=True))
    with out.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    return {row[0]: row for row in rows[1:]} | {"header": rows[0]}


def test_every_follower_exported_by_rowid_is_byte_for_byte_the_exporters_file(database, service, tmp_path):
    snapshot = snapshot_of(database)
    ours, theirs = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    rows = export_followers_by_rowid(service, snapshot.rowid, ours, tiers=DEFAULT_TIERS, data_dir=None)
    with closing(open_database(database)) as conn:
        export(conn, OWNER, ExportKind.FOLLOWERS, theirs, follower_filter=FollowerFilter(include_unfollowed=True))
    assert rows == 40
    assert ours.read_bytes() == theirs.read_bytes()


def test_some_followers_by_id_come_in_the_exporters_order_and_format(database, service, tmp_path):
    snapshot = snapshot_of(database)
    wanted = snapshot.user_id[[30, 2, 17, 5]]
    rowids = rowids_of_users(snapshot, np.append(wanted, 12345))  # an id no longer stored is left out
    out = tmp_path / "some.csv"
    progress: list[int] = []
    assert export_followers_by_rowid(service, rowids, out, tiers=DEFAULT_TIERS, data_dir=None,
                                     progress=progress.append) == 4
    with out.open(newline="", encoding="utf-8") as file:
        written = list(csv.reader(file))
    expected = exporter_rows(database, tmp_path)
    assert written[0] == expected["header"]
    assert [row[0] for row in written[1:]] == sorted(str(i) for i in wanted)  # rowid order, as the exporter
    assert all(row == expected[row[0]] for row in written[1:])
    assert progress == [4]


def test_nothing_to_export_writes_no_file(service, tmp_path):
    out = tmp_path / "empty.csv"
    with pytest.raises(NothingInView, match="Nothing was written"):
        export_followers_by_rowid(service, np.empty(0, dtype=np.int64), out, tiers=DEFAULT_TIERS, data_dir=None)
    assert not out.exists()
    assert issubclass(NothingInView, ExportError)


def test_the_data_folder_is_refused_like_any_export(database, service, tmp_path):
    snapshot = snapshot_of(database)
    with pytest.raises(OutputPathRefused):
        export_followers_by_rowid(service, snapshot.rowid, tmp_path / "mine.csv", tiers=DEFAULT_TIERS,
                                  data_dir=tmp_path)
    assert not (tmp_path / "mine.csv").exists()
