"""The app's exports: what each one contains, read from the store and written with `safe_csv.write_csv`.

The seed's four exports keep their meaning: followers currently fetched, high-value followers (with their
tier), DM status with timestamps mapped by follower id, and skipped followers with the reason; and the campaign
funnel (per step: sent, replied, opted out, unfollowed within 7 days; `campaigns/funnel.py`). Tweet datasets
are exported by copying a download's dataset file (which is already in the format gpt-2-simple reads).
All files are written to a temporary name and moved into place, so a cancelled export leaves nothing behind.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from twexport_qt.campaigns import funnel
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import TwExportError
from twexport_qt.core.timefmt import to_utc_datetime
from twexport_qt.exports.atomic_file import atomic_write
from twexport_qt.exports.safe_csv import write_csv
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import RECORD_COLUMNS
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec
from twexport_qt.paths import check_output_path
from twexport_qt.store import dm_repo, followers_repo, tweets_repo
from twexport_qt.store.dm_states import DmMode


class ExportKind(StrEnum):
    """What File → Export and `export KIND` write; the values are the command line's names."""

    FOLLOWERS = "followers"
    HIGH_VALUE = "high-value"
    DM_STATUS = "dm-status"
    SKIPPED = "skipped"
    FUNNEL = "funnel"
    TWEETS = "tweets"


@dataclass(frozen=True)
class ExportDescription:
    kind: ExportKind
    title: str
    default_file_name: str


EXPORT_KINDS: dict[ExportKind, ExportDescription] = {description.kind: description for description in (
    ExportDescription(ExportKind.FOLLOWERS, "Followers", "followers.csv"),
    ExportDescription(ExportKind.HIGH_VALUE, "High-value followers", "high_value_followers.csv"),
    ExportDescription(ExportKind.DM_STATUS, "DM status", "dm_status.csv"),
    ExportDescription(ExportKind.SKIPPED, "Skipped followers", "skipped_followers.csv"),
    ExportDescription(ExportKind.FUNNEL, "Campaign funnel", "campaign_funnel.csv"),
    ExportDescription(ExportKind.TWEETS, "Tweet dataset", "tweets.csv"),
)}

_TIME_COLUMNS = {"created_at", "first_seen", "last_seen", "unfollowed_at"}
FOLLOWER_HEADER = [*RECORD_COLUMNS, "tier", "dm_status"]
DM_STATUS_HEADER = ["follower_id", "username", "step", "state", "mode", "first_attempt_at", "updated_at", "event_id",
                    "reason"]


class ExportError(TwExportError):
    default_message = "The export could not be written."


def iso(epoch: int | None) -> str | None:
    return None if epoch is None else to_utc_datetime(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


def export(
    conn: sqlite3.Connection,
    owner_id: int | None,
    kind: ExportKind,
    path: Path,
    *,
    tiers: Sequence[TierSpec] = DEFAULT_TIERS,
    follower_filter: FollowerFilter | None = None,
    job_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    cancel: CancelToken | None = None,
    data_dir: Path | None = None,
    now: int | None = None,
) -> int:
    """Write export `kind` to `path`; returns the number of data rows (or examples, for tweets).

    `data_dir` is the app's data folder: nothing is ever written into it (see `paths.check_output_path`).
    `now` (default: the wall clock) is what the funnel measures "less than 7 days ago" from.
    """
    path = check_output_path(path, data_dir)
    if kind == ExportKind.TWEETS:
        return export_tweet_dataset(conn, path, job_id=job_id, cancel=cancel)
    if kind not in EXPORT_KINDS:
        raise ExportError(f"Unknown export {kind!r}: choose one of {', '.join(EXPORT_KINDS)}.")
    if owner_id is None:
        raise ExportError("No followers have been fetched for this profile yet: fetch followers first.")
    rows: Iterator[Sequence[Any]]
    if kind == ExportKind.FUNNEL:
        measured = funnel.campaign_funnel(conn, owner_id, int(time.time()) if now is None else now)
        header, rows = list(funnel.CSV_HEADER), iter(funnel.csv_rows(measured))
    else:
        header, rows = _rows(conn, owner_id, kind, tiers, follower_filter)
    try:
        return write_csv(path, header, rows, progress=progress, cancel=cancel)
    except OSError as exc:
        raise ExportError(f"Could not write {path}: {exc.strerror or exc}. Choose another folder.") from exc


def _rows(conn: sqlite3.Connection, owner_id: int, kind: ExportKind, tiers: Sequence[TierSpec],
          follower_filter: FollowerFilter | None) -> tuple[list[str], Iterator[Sequence[Any]]]:
    if kind == ExportKind.FOLLOWERS:
        return FOLLOWER_HEADER, _follower_rows(conn, owner_id, follower_filter or FollowerFilter(), tiers)
    if kind == ExportKind.HIGH_VALUE:
        # Every tier but the last (the catch-all "regular" followers), further narrowed by the filter if given.
        base = follower_filter or FollowerFilter()
        high = tuple(t.name for t in tiers[:-1])
        wanted = tuple(name for name in base.tiers if name in high) if base.tiers else high
        if not wanted:
            return FOLLOWER_HEADER, iter(())
        return FOLLOWER_HEADER, _follower_rows(conn, owner_id, _with_tiers(base, wanted), tiers)
    if kind == ExportKind.DM_STATUS:
        return DM_STATUS_HEADER, ((r.recipient_id, r.recipient_username, r.step, r.state, r.mode, iso(r.created_at),
                                   iso(r.updated_at), r.event_id, r.reason)
                                  for r in dm_repo.status_rows(conn, owner_id, DmMode.LIVE))
    skipped = ((*row[:-1], iso(row[-1])) for row in dm_repo.skipped_with_profiles(conn, owner_id))
    return list(dm_repo.SKIPPED_COLUMNS), skipped


def _with_tiers(base: FollowerFilter, tier_names: tuple[str, ...]) -> FollowerFilter:
    values = base.to_dict()
    values["tiers"] = tier_names
    return FollowerFilter.from_dict(values)


def _follower_rows(conn: sqlite3.Connection, owner_id: int, follower_filter: FollowerFilter,
                   tiers: Sequence[TierSpec]) -> Iterator[list[Any]]:
    tier_names = [tier.name for tier in tiers]
    time_positions = [i for i, name in enumerate(RECORD_COLUMNS) if name in _TIME_COLUMNS]
    for row in followers_repo.iter_rows(conn, owner_id, follower_filter, tiers=tiers):
        values = list(row[1:])  # drop the rowid
        for i in time_positions:
            values[i] = iso(values[i])
        values[-2] = tier_names[values[-2]]
        yield values


def export_tweet_dataset(conn: sqlite3.Connection, path: Path, *, job_id: int | None = None,
                         cancel: CancelToken | None = None) -> int:
    """Copy a download's dataset file (the newest download by default) to `path`; returns its example count."""
    jobs = tweets_repo.list_jobs(conn)
    job = next((j for j in jobs if j.id == job_id), None) if job_id is not None else (jobs[0] if jobs else None)
    if job is None:
        raise ExportError("There is no tweet download to export yet: download tweets first (Tools → Download tweets)."
                          if job_id is None else f"There is no tweet download number {job_id}.")
    source = Path(job.output_path)
    if not source.is_file():
        raise ExportError(f"The dataset file of download {job.id} is gone ({source}). Run that download again.")
    if source.resolve() == Path(path).resolve():
        raise ExportError("Choose a different file: that is the download's own dataset file.")
    with source.open("rb") as reader, atomic_write(path, "wb") as writer:
        # Only the committed part: a download interrupted mid-page may have an uncommitted tail.
        remaining = job.output_bytes or source.stat().st_size
        while remaining > 0:
            if cancel is not None:
                cancel.raise_if_cancelled()
            chunk = reader.read(min(remaining, 1 << 20))
            if not chunk:
                break
            writer.write(chunk)
            remaining -= len(chunk)
    return job.written
