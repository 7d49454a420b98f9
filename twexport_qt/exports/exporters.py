"""The app's exports: what each one contains, read from the store and written by `formats.write_table`.

The seed's four exports keep their meaning: followers currently fetched, high-value followers (with their
tier), DM status with timestamps mapped by follower id, and skipped followers with the reason; and the campaign
funnel (per step: sent, replied, opted out, unfollowed within 7 days; `campaigns/funnel.py`). Tweet datasets
are exported by copying a download's dataset file (which is already in the format gpt-2-simple reads).
All files are written to a temporary name and moved into place, so a cancelled export leaves nothing behind.
Rows carry stored values (epoch seconds, 0/1 flags); `formats` writes them as CSV or XLSX, limited to the chosen
columns, with a data dictionary beside the file. A kind declares its columns by name in `EXPORT_KINDS`, and each
name is defined once in `columns.py`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from twexport_qt.campaigns import funnel
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import TwExportError
from twexport_qt.exports.atomic_file import atomic_write
from twexport_qt.exports.columns import choose_columns
from twexport_qt.exports.formats import TableOptions, write_table
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import PROFILE_COLUMNS, RECORD_COLUMNS, FollowerRecord
from twexport_qt.followers.relationships import Relationship, require_following
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec
from twexport_qt.paths import check_output_path
from twexport_qt.store import dm_repo, followers_repo, following_repo, tweets_repo
from twexport_qt.store.dm_states import DmMode


class ExportKind(StrEnum):
    """What File → Export and `export KIND` write; the values are the command line's names."""

    FOLLOWERS = "followers"
    HIGH_VALUE = "high-value"
    DM_STATUS = "dm-status"
    SKIPPED = "skipped"
    FUNNEL = "funnel"
    TWEETS = "tweets"
    # The relationships (followers/relationships.py RelationshipKind's values): they need a complete following fetch.
    FOLLOWING = "following"
    MUTUALS = "mutuals"
    NOT_FOLLOWING_BACK = "not-following-back"
    FANS = "fans"


@dataclass(frozen=True)
class ExportDescription:
    kind: ExportKind
    title: str
    default_file_name: str
    # The table's columns in order, each defined in columns.py; empty for a file copied as is (tweets).
    columns: tuple[str, ...] = ()

    @property
    def is_table(self) -> bool:
        """Whether this export is a table (CSV or XLSX, columns chosen) rather than a file copied as is."""
        return bool(self.columns)


FOLLOWER_HEADER = [*RECORD_COLUMNS, "tier", "dm_status"]
# The accounts you follow, in X's order (most recently followed first).
FOLLOWING_HEADER = ["following_position", *PROFILE_COLUMNS, "follows_you", "following_first_seen",
                    "following_last_seen"]
DM_STATUS_HEADER = ["follower_id", "username", "step", "state", "mode", "first_attempt_at", "updated_at", "event_id",
                    "reason"]

EXPORT_KINDS: dict[ExportKind, ExportDescription] = {description.kind: description for description in (
    ExportDescription(ExportKind.FOLLOWERS, "Followers", "followers.csv", tuple(FOLLOWER_HEADER)),
    ExportDescription(ExportKind.HIGH_VALUE, "High-value followers", "high_value_followers.csv",
                      tuple(FOLLOWER_HEADER)),
    ExportDescription(ExportKind.DM_STATUS, "DM status", "dm_status.csv", tuple(DM_STATUS_HEADER)),
    ExportDescription(ExportKind.SKIPPED, "Skipped followers", "skipped_followers.csv", dm_repo.SKIPPED_COLUMNS),
    ExportDescription(ExportKind.FUNNEL, "Campaign funnel", "campaign_funnel.csv", funnel.CSV_HEADER),
    ExportDescription(ExportKind.TWEETS, "Tweet dataset", "tweets.csv"),
    ExportDescription(ExportKind.FOLLOWING, "Accounts you follow", "following.csv", tuple(FOLLOWING_HEADER)),
    ExportDescription(ExportKind.MUTUALS, "Mutuals", "mutuals.csv", tuple(FOLLOWER_HEADER)),
    ExportDescription(ExportKind.NOT_FOLLOWING_BACK, "Not following you back", "not_following_back.csv",
                      tuple(FOLLOWING_HEADER)),
    ExportDescription(ExportKind.FANS, "Fans (you don't follow back)", "fans.csv", tuple(FOLLOWER_HEADER)),
)}
RELATIONSHIP_EXPORTS = frozenset({ExportKind.FOLLOWING, ExportKind.MUTUALS, ExportKind.NOT_FOLLOWING_BACK,
                                  ExportKind.FANS})


class ExportError(TwExportError):
    default_message = "The export could not be written."


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
    options: TableOptions | None = None,
    simulated: bool = False,
) -> int:
    """Write export `kind` to `path`; returns the number of data rows (or examples, for tweets).

    `data_dir` is the app's data folder: nothing is ever written into it (see `paths.check_output_path`).
    `now` (epoch seconds; None: the wall clock) is where the filter's activity criteria count back from, the
    app's clock, so an export holds exactly the followers its view showed.
    `options` (default: CSV, all columns) choose the format, the Excel BOM and the columns of a table export;
    its data dictionary is written beside it (`formats.dictionary_path`).
    `simulated` says whose tweet downloads a tweets export chooses from: the Sandbox's (True) or real X's.
    """
    path = check_output_path(path, data_dir)
    options = options or TableOptions()
    if kind == ExportKind.TWEETS:
        if options != TableOptions():
            raise ExportError("A tweet dataset is copied as it was downloaded: CSV only, with all its columns.")
        return export_tweet_dataset(conn, path, job_id=job_id, simulated=simulated, cancel=cancel)
    if kind not in EXPORT_KINDS:
        raise ExportError(f"Unknown export {kind!r}: choose one of {', '.join(EXPORT_KINDS)}.")
    description = EXPORT_KINDS[kind]
    if description.columns:
        # Before any query, so a typo fails at once; write_table checks again against the rows' header.
        choose_columns(description.columns, options.columns, description.title)
    if owner_id is None:
        raise ExportError("No followers have been fetched for this profile yet: fetch followers first.")
    rows: Iterator[Sequence[Any]]
    if kind in RELATIONSHIP_EXPORTS:
        require_following(conn, owner_id)
    if kind == ExportKind.FUNNEL:
        measured = funnel.campaign_funnel(conn, owner_id)
        header, rows = list(funnel.CSV_HEADER), _funnel_rows(measured)
    else:
        header, rows = _rows(conn, owner_id, kind, tiers, follower_filter, now)
    try:
        return write_table(path, header, rows, options, export_title=description.title, progress=progress,
                           cancel=cancel)
    except OSError as exc:
        raise ExportError(f"Could not write {path}: {exc.strerror or exc}. Choose another folder.") from exc


def _rows(conn: sqlite3.Connection, owner_id: int, kind: ExportKind, tiers: Sequence[TierSpec],
          follower_filter: FollowerFilter | None, now: int | None) -> tuple[list[str], Iterator[Sequence[Any]]]:
    if kind == ExportKind.FOLLOWERS:
        return FOLLOWER_HEADER, _follower_rows(conn, owner_id, follower_filter or FollowerFilter(), tiers, now)
    if kind == ExportKind.HIGH_VALUE:
        # Every tier but the last (the catch-all "regular" followers), further narrowed by the filter if given.
        base = follower_filter or FollowerFilter()
        high = tuple(t.name for t in tiers[:-1])
        wanted = tuple(name for name in base.tiers if name in high) if base.tiers else high
        if not wanted:
            return FOLLOWER_HEADER, iter(())
        return FOLLOWER_HEADER, _follower_rows(conn, owner_id, _with_tiers(base, wanted), tiers, now)
    if kind in (ExportKind.MUTUALS, ExportKind.FANS):
        relationship: Relationship = "mutuals" if kind == ExportKind.MUTUALS else "fans"
        chosen = replace(follower_filter or FollowerFilter(), relationship=relationship)
        return FOLLOWER_HEADER, _follower_rows(conn, owner_id, chosen, tiers, now)
    if kind in (ExportKind.FOLLOWING, ExportKind.NOT_FOLLOWING_BACK):
        return FOLLOWING_HEADER, _following_rows(conn, owner_id, follower_filter, tiers, now,
                                                 not_following_back=kind == ExportKind.NOT_FOLLOWING_BACK)
    if kind == ExportKind.DM_STATUS:
        return DM_STATUS_HEADER, ((r.recipient_id, r.recipient_username, r.step, r.state, r.mode, r.created_at,
                                   r.updated_at, r.event_id, r.reason)
                                  for r in dm_repo.status_rows(conn, owner_id, DmMode.LIVE))
    return list(dm_repo.SKIPPED_COLUMNS), dm_repo.skipped_with_profiles(conn, owner_id)


def _funnel_rows(measured: funnel.CampaignFunnel) -> Iterator[tuple[Any, ...]]:
    """The funnel in `funnel.CSV_HEADER` order, typed: percentages as floats (None when undefined)."""
    # The unfollow share is of the DMs a complete fetch has covered (`unfollowed_percent`), as the DM tab shows it:
    # not of all sent, which would count the DMs whose unfollows are not yet known as stayed.
    return ((s.step, s.sent, s.replied, s.percent(s.replied), s.opted_out, s.percent(s.opted_out), s.unfollowed,
             s.unfollowed_percent, s.window_open) for s in measured.steps)


def follower_row(record: FollowerRecord, tier_name: str, dm_status: str | None) -> list[Any]:
    """One follower as the followers export's rows carry it, in `FOLLOWER_HEADER` order: stored values (yes/no as
    0/1, times as epoch seconds), which `formats.write_table` turns into CSV or XLSX cells."""
    values: list[Any] = [getattr(record, column) for column in RECORD_COLUMNS]
    return [*(int(value) if isinstance(value, bool) else value for value in values), tier_name, dm_status]


def _with_tiers(base: FollowerFilter, tier_names: tuple[str, ...]) -> FollowerFilter:
    values = base.to_dict()
    values["tiers"] = tier_names
    return FollowerFilter.from_dict(values)


def _follower_rows(conn: sqlite3.Connection, owner_id: int, follower_filter: FollowerFilter,
                   tiers: Sequence[TierSpec], now: int | None) -> Iterator[list[Any]]:
    tier_names = [tier.name for tier in tiers]
    for row in followers_repo.iter_rows(conn, owner_id, follower_filter, tiers=tiers, now=now):
        values = list(row[1:])  # drop the rowid
        values[-2] = tier_names[values[-2]]
        yield values


def _following_rows(conn: sqlite3.Connection, owner_id: int, follower_filter: FollowerFilter | None,
                    tiers: Sequence[TierSpec], now: int | None, *, not_following_back: bool) -> Iterator[list[Any]]:
    """Followed accounts in `FOLLOWING_HEADER` order: rank 1 = followed most recently, then the profile, whether
    they follow you now, and when following fetches first and last listed them."""
    followers_now = followers_repo.current_ids_among(conn, owner_id, following_repo.followed_ids(conn, owner_id))
    for row in following_repo.iter_following(conn, owner_id, follower_filter, tiers=tiers, now=now,
                                             not_following_back=not_following_back):
        record = FollowerRecord.from_row(row[1:])
        values = [int(value) if isinstance(value, bool) else value for value in record.profile_tuple()]
        yield [row[0] + 1, *values, int(record.user_id in followers_now), record.first_seen, record.last_seen]


def export_tweet_dataset(conn: sqlite3.Connection, path: Path, *, job_id: int | None = None, simulated: bool,
                         cancel: CancelToken | None = None) -> int:
    """Copy a download's dataset file (the newest download by default) to `path`; returns its example count.
    Only the downloads of one world count (`simulated`: the Sandbox's, else real X's): a real profile never
    exports the Sandbox's made-up tweets, nor the Sandbox a real profile's."""
    jobs = tweets_repo.list_jobs(conn, simulated=simulated)
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
