"""Read the scalar values of X's archive files the same way everywhere: ids SQLite can store, and timestamps.

Every archive file writes ids as strings and dates in one of two layouts (tweets: `"Thu Oct 06 21:49:02 +0000
2022"`; newer files such as note-tweet.js: `"2023-10-13T14:58:50.000Z"`). Ids are checked where they are read:
SQLite stores signed 64-bit integers, so an id that is negative, above 2^63-1 or not a number would otherwise fail
an import much later (OverflowError on insert).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from twexport_qt.core.timefmt import parse_x_timestamp

MAX_ID = 2**63 - 1
"""The largest id SQLite can store (signed 64-bit INTEGER); X's ids are positive and below it."""

# created_at is English whatever the locale; parse it by hand, as strptime's %a/%b follow the C locale,
# which Qt replaces with the user's at start-up.
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}


class BadId(ValueError):
    """An id that cannot be stored: not a whole number written in digits, negative, or above MAX_ID."""

    def __init__(self, field: str, value: object) -> None:
        shown = repr(value) if not isinstance(value, str) or len(value) <= 40 else f"{value[:40]!r}..."
        super().__init__(f"{field} {shown} is not a valid id")
        self.field = field


def parse_id(value: object, field: str = "id") -> int:
    """`value` as an id SQLite can store: an int, or a string of ASCII digits, from 0 to MAX_ID.

    Stricter than int(): no sign, spaces, underscores, non-ASCII digits or floats (1.5, 1e18 lose digits).
    Raises BadId (a ValueError) naming `field`.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= len(str(MAX_ID)):
        number = int(value)
    else:
        raise BadId(field, value)
    if not 0 <= number <= MAX_ID:
        raise BadId(field, value)
    return number


def parse_archive_time(value: str) -> int:
    """Epoch seconds from a tweet's `"Thu Oct 06 21:49:02 +0000 2022"`; ValueError or TypeError otherwise."""
    if not isinstance(value, str):
        raise TypeError(f"created_at {value!r} is not a date")
    _weekday, month, day, clock, offset, year = value.split()
    hour, minute, second = (int(part) for part in clock.split(":"))
    sign = -1 if offset[0] == "-" else 1
    utc_offset = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])) * sign
    moment = datetime(int(year), _MONTHS[month], int(day), hour, minute, second, tzinfo=timezone(utc_offset))
    return int(moment.timestamp())


def parse_iso_time(value: object, field: str) -> int:
    """Epoch seconds (rounded down) from `"2023-10-13T14:58:50.000Z"`; ValueError or TypeError otherwise."""
    if not isinstance(value, str):
        raise TypeError(f"{field} {value!r} is not a date")
    try:
        seconds = parse_x_timestamp(value)
    except ValueError:
        seconds = None
    if seconds is None or not value.endswith(("Z", "+00:00")):
        raise ValueError(f"{field} {value!r} is not a UTC date")
    return seconds
