"""Conversions between X's ISO timestamps, epoch seconds (how we store time) and what users read."""

from __future__ import annotations

from datetime import UTC, datetime


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


def format_duration(seconds: float) -> str:
    """A countdown: '14:59', '1:02:03'."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
