"""What every export column means, once: its type, unit and X source field, shared by CSV, XLSX and the dictionary.

An export kind declares its columns by name (`ExportDescription.columns` in `exporters.py`); everything else
follows from the definitions here: how a cell is typed in a workbook, how it is written in a CSV, how wide its
workbook column is, which columns a user may choose, and the data dictionary written beside the file. Rows carry
the values as stored (epoch seconds, 0/1 flags, ints), so one row source serves every format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from twexport_qt.core.errors import TwExportError


class ColumnType(StrEnum):
    """How a column's stored values are written; the values appear in the data dictionary."""

    TEXT = "text"
    ID = "id"              # X ids exceed a spreadsheet number's 15 digits: text in a workbook, digits in a CSV
    INTEGER = "integer"
    PERCENT = "percent"    # a float 0-100, one decimal; None when undefined
    BOOLEAN = "boolean"    # stored 0/1 (None: unknown); `0`/`1` in a CSV, TRUE/FALSE in a workbook
    TIMESTAMP = "timestamp"  # epoch seconds UTC; ISO 8601 in a CSV, a date-time cell (UTC) in a workbook


_DEFAULT_WIDTHS = {ColumnType.TEXT: 24, ColumnType.ID: 21, ColumnType.INTEGER: 12, ColumnType.PERCENT: 10,
                   ColumnType.BOOLEAN: 9, ColumnType.TIMESTAMP: 20}


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export. `source` names the X API field it comes from, or says what TwExport derives."""

    name: str
    type: ColumnType
    meaning: str
    source: str
    unit: str = ""
    width: int | None = None  # workbook column width in characters; None: by type

    @property
    def workbook_width(self) -> int:
        return max(self.width or _DEFAULT_WIDTHS[self.type], len(self.name) + 2)


class UnknownColumnsError(TwExportError):
    default_message = "Unknown export column."


_X_USER = "X user field "
_METRIC = "X user field public_metrics."
_DM_LOG = "TwExport DM log"

_DEFINITIONS = (
    ExportColumn("user_id", ColumnType.ID, "The account's X id (never changes, unlike the username)", _X_USER + "id"),
    ExportColumn("username", ColumnType.TEXT, "The @handle, without the @", _X_USER + "username", width=18),
    ExportColumn("name", ColumnType.TEXT, "Display name", _X_USER + "name"),
    ExportColumn("description", ColumnType.TEXT, "Profile bio", _X_USER + "description", width=60),
    ExportColumn("location", ColumnType.TEXT, "Location as typed by the account", _X_USER + "location"),
    ExportColumn("url", ColumnType.TEXT, "Website on the profile", _X_USER + "url", width=30),
    ExportColumn("profile_image_url", ColumnType.TEXT, "Profile picture", _X_USER + "profile_image_url", width=30),
    ExportColumn("created_at", ColumnType.TIMESTAMP, "When the account joined X", _X_USER + "created_at", "UTC"),
    ExportColumn("verified", ColumnType.BOOLEAN, "Verified account", _X_USER + "verified"),
    ExportColumn("verified_type", ColumnType.TEXT, "Kind of verification (blue, business, government, none)",
                 _X_USER + "verified_type", width=12),
    ExportColumn("protected", ColumnType.BOOLEAN, "Posts are visible to approved followers only",
                 _X_USER + "protected"),
    ExportColumn("followers_count", ColumnType.INTEGER, "Followers of this account", _METRIC + "followers_count",
                 "accounts"),
    ExportColumn("following_count", ColumnType.INTEGER, "Accounts this account follows",
                 _METRIC + "following_count", "accounts"),
    ExportColumn("tweet_count", ColumnType.INTEGER, "Posts, including reposts", _METRIC + "tweet_count", "posts"),
    ExportColumn("listed_count", ColumnType.INTEGER, "Public lists that include this account",
                 _METRIC + "listed_count", "lists"),
    ExportColumn("receives_your_dm", ColumnType.BOOLEAN, "Whether you can DM this account (empty: X did not say)",
                 _X_USER + "receives_your_dm"),
    ExportColumn("most_recent_tweet_id", ColumnType.ID, "Id of the account's latest post (empty: none, or X did "
                 "not say)", _X_USER + "most_recent_tweet_id"),
    ExportColumn("last_posted_at", ColumnType.TIMESTAMP, "When the account last posted (the time encoded in "
                 "most_recent_tweet_id)", "TwExport, from X user field most_recent_tweet_id", "UTC"),
    ExportColumn("first_seen", ColumnType.TIMESTAMP, "First followers fetch that listed this follower",
                 "TwExport followers fetch", "UTC"),
    ExportColumn("last_seen", ColumnType.TIMESTAMP, "Latest followers fetch that listed this follower",
                 "TwExport followers fetch", "UTC"),
    ExportColumn("unfollowed_at", ColumnType.TIMESTAMP,
                 "First complete fetch that no longer listed them (empty: still following)",
                 "TwExport followers fetch", "UTC"),
    ExportColumn("tier", ColumnType.TEXT, "The profile's follower tier, by followers_count",
                 "TwExport (Settings → tiers)", width=12),
    ExportColumn("dm_status", ColumnType.TEXT, "Latest live DM to this follower, in words", _DM_LOG, width=20),
    ExportColumn("seen_at", ColumnType.TIMESTAMP, "The complete followers fetch that saw them join or leave",
                 "TwExport follower history", "UTC"),
    ExportColumn("previous_fetch_at", ColumnType.TIMESTAMP,
                 "The complete fetch before it: the change happened in between (empty: the first fetch)",
                 "TwExport follower history", "UTC"),
    ExportColumn("position", ColumnType.INTEGER,
                 "New followers: rank among that fetch's newcomers in X's newest-first order (1 = most recent)",
                 "TwExport follower history (X lists followers newest first)", "rank"),
    ExportColumn("following_position", ColumnType.INTEGER,
                 "Rank in X's list of the accounts you follow, most recently followed first (1 = the newest)",
                 "TwExport following fetch (X lists followed accounts newest first)", "rank"),
    ExportColumn("follows_you", ColumnType.BOOLEAN, "Whether this account follows you (as of the last followers "
                 "fetch)", "TwExport, from the followers and following fetches"),
    ExportColumn("following_first_seen", ColumnType.TIMESTAMP, "First following fetch that listed this account",
                 "TwExport following fetch", "UTC"),
    ExportColumn("following_last_seen", ColumnType.TIMESTAMP, "Latest following fetch that listed this account",
                 "TwExport following fetch", "UTC"),
    ExportColumn("follower_id", ColumnType.ID, "The recipient's X id", _DM_LOG + " (X user field id)"),
    ExportColumn("step", ColumnType.TEXT, "Campaign step (welcome, follow-up, …)", _DM_LOG, width=12),
    ExportColumn("state", ColumnType.TEXT, "Where the DM stands (sent, skipped, failed, …)", _DM_LOG, width=12),
    ExportColumn("mode", ColumnType.TEXT, "live, or a dry run", _DM_LOG, width=8),
    ExportColumn("first_attempt_at", ColumnType.TIMESTAMP, "When TwExport first tried this DM", _DM_LOG, "UTC"),
    ExportColumn("updated_at", ColumnType.TIMESTAMP, "When the DM's state last changed", _DM_LOG, "UTC"),
    ExportColumn("event_id", ColumnType.ID, "The sent message's id", "X DM event field id"),
    ExportColumn("reason", ColumnType.TEXT, "Why the DM was skipped or failed", _DM_LOG, width=40),
    ExportColumn("skipped_at", ColumnType.TIMESTAMP, "When the campaign skipped this follower", _DM_LOG, "UTC"),
    ExportColumn("sent", ColumnType.INTEGER, "Live DMs sent at this step", _DM_LOG, "DMs"),
    ExportColumn("replied", ColumnType.INTEGER, "Of those, answered (empty: replies not tracked yet)",
                 "TwExport DM log + X DM events", "DMs"),
    ExportColumn("replied_percent", ColumnType.PERCENT, "replied as a share of sent", "TwExport", "%"),
    ExportColumn("opted_out", ColumnType.INTEGER, "Of those, followed by an opt-out reply",
                 "TwExport DM log + X DM events", "DMs"),
    ExportColumn("opted_out_percent", ColumnType.PERCENT, "opted_out as a share of sent", "TwExport", "%"),
    ExportColumn("unfollowed_within_7_days", ColumnType.INTEGER,
                 "Recipients seen gone by a complete followers fetch within 7 days of the DM",
                 "TwExport DM log + followers fetch", "DMs"),
    ExportColumn("unfollowed_within_7_days_percent", ColumnType.PERCENT,
                 "unfollowed_within_7_days as a share of the DMs whose 7 days a complete fetch has covered",
                 "TwExport", "%"),
    ExportColumn("sent_less_than_7_days_ago", ColumnType.INTEGER,
                 "DMs sent less than 7 days before the last complete followers fetch: unfollows not yet known",
                 _DM_LOG, "DMs"),
)

COLUMNS: dict[str, ExportColumn] = {column.name: column for column in _DEFINITIONS}
"""Every export column by name: one definition per name, whichever exports use it."""


def column_definition(name: str) -> ExportColumn:
    """The definition of `name`; a column nobody described yet is exported as text, marked so in the dictionary."""
    return COLUMNS.get(name) or ExportColumn(name, ColumnType.TEXT, "(not described yet)", "")


def choose_columns(available: Sequence[str], chosen: Sequence[str] | None, export_title: str) -> list[int]:
    """Positions in `available` of the `chosen` columns, in the chosen order (all of them for None or empty).

    Raises UnknownColumnsError naming the valid columns when a chosen name is not one of `available`.
    """
    if not chosen:
        return list(range(len(available)))
    position = {name: index for index, name in enumerate(available)}
    unknown = [name for name in chosen if name not in position]
    if unknown:
        raise UnknownColumnsError(
            f"Unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} for the {export_title.lower()} "
            f"export: choose from {', '.join(available)}.")
    return [position[name] for name in dict.fromkeys(chosen)]  # a name chosen twice is written once
