"""Conversions between X's ISO timestamps, epoch seconds (how we store time) and what users read.

Two readings of a moment: UTC for files, logs and the command line (data that must mean the same everywhere, and
X's billing days), and the computer's local time for what the desktop app shows a person.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def parse_x_timestamp(value: str | None) -> int | None:
    """'2020-01-01T00:00:00.000Z' (or without milliseconds) -> epoch seconds; None/'' -> None."""
    if not value:
        return None
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def to_utc_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def format_date(epoch: int | None) -> str:
    return "" if epoch is None else to_utc_datetime(epoch).strftime("%Y-%m-%d")


def format_datetime(epoch: float | None) -> str:
    return "" if epoch is None else to_utc_datetime(epoch).strftime("%Y-%m-%d %H:%M:%S UTC")


def to_local_datetime(epoch: float, zone: tzinfo | None = None) -> datetime:
    """The moment in `zone`, by default the computer's time zone (as it is now, daylight saving included)."""
    moment = to_utc_datetime(epoch)
    return moment.astimezone() if zone is None else moment.astimezone(zone)


def format_local_date(epoch: float | None, zone: tzinfo | None = None) -> str:
    """A date as the user's calendar reads it: '2026-12-01'; None -> ''."""
    return "" if epoch is None else to_local_datetime(epoch, zone).strftime("%Y-%m-%d")


def format_local_datetime(epoch: float | None, zone: tzinfo | None = None) -> str:
    """A moment on the user's clock, for the UI: '2026-12-01 15:43:05'; None -> ''. No zone name: what
    strftime calls it differs by platform (Windows writes "W. Europe Standard Time"), and the app shows all its
    times this way."""
    return "" if epoch is None else to_local_datetime(epoch, zone).strftime("%Y-%m-%d %H:%M:%S")


def format_duration(seconds: float) -> str:
    """A countdown: '14:59', '1:02:03'."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
