"""What a tweet dataset should contain and how it is written: `DatasetOptions`, stored with each job as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any, Literal

TextFormat = Literal["simple", "reply"]
OutputFormat = Literal["csv", "jsonl", "txt"]

SENTIMENT_CATEGORIES: tuple[int, ...] = (0, 3, 5, 7)
TEXT_FORMATS: tuple[str, ...] = ("simple", "reply")
OUTPUT_FORMATS: tuple[str, ...] = ("csv", "jsonl", "txt")

_TIMEFRAME_LAYOUTS = {12: "%Y%m%d%H%M", 8: "%Y%m%d"}


def parse_timeframe(value: str) -> datetime:
    """Parse the original tool's `YYYYMMDDHHMM` timeframe (or a bare `YYYYMMDD`) as a UTC datetime."""
    digits = value.strip()
    layout = _TIMEFRAME_LAYOUTS.get(len(digits))
    if layout is None or not digits.isdigit():
        raise ValueError(
            f"Timeframe {value!r} is not valid: expected YYYYMMDDHHMM (e.g. 202403221530) or YYYYMMDD."
        )
    try:
        return datetime.strptime(digits, layout).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(
            f"Timeframe {value!r} is not a real date and time: expected YYYYMMDDHHMM (e.g. 202403221530)."
        ) from None


def _as_utc(moment: datetime | None) -> datetime | None:
    # A naive datetime from a date picker means UTC here: every timestamp in the app is UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class DatasetOptions:
    """Filters and format of one dataset. Invalid values raise ValueError with a sentence for the user.

    `start` is inclusive and `end` exclusive. `limit` counts tweets written, per account.
    """

    limit: int | None = None
    include_replies: bool = False
    include_links: bool = True  # False: drop tweets that contain a link
    include_quotes: bool = False
    strip_usertags: bool = False
    strip_hashtags: bool = False
    sentiment: int = 0  # number of sentiment categories: 0 (none), 3, 5 or 7
    text_format: TextFormat = "simple"
    start: datetime | None = None
    end: datetime | None = None
    output_format: OutputFormat = "csv"

    def __post_init__(self) -> None:
        if self.limit is not None and (type(self.limit) is not int or self.limit < 1):
            raise ValueError(
                f"The tweet limit must be a whole number of at least 1, or empty for no limit (got {self.limit!r})."
            )
        if type(self.sentiment) is not int or self.sentiment not in SENTIMENT_CATEGORIES:
            raise ValueError(
                f"Sentiment must be 0 (no labels), 3, 5 or 7 categories; {self.sentiment!r} is not one of them."
            )
        if self.text_format not in TEXT_FORMATS:
            raise ValueError(f"Text format must be 'simple' or 'reply', not {self.text_format!r}.")
        if self.output_format not in OUTPUT_FORMATS:
            raise ValueError(f"Output format must be 'csv', 'jsonl' or 'txt', not {self.output_format!r}.")
        object.__setattr__(self, "start", _as_utc(self.start))
        object.__setattr__(self, "end", _as_utc(self.end))
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValueError("The start of the timeframe must be before its end.")

    def to_json(self) -> str:
        """Stable JSON (sorted keys, ISO 8601 dates): equal options give equal strings, so it can key a job."""
        data = asdict(self)
        for key in ("start", "end"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DatasetOptions:
        """Inverse of `to_json`. Unknown keys are ignored so a job saved by a newer version still loads."""
        data: dict[str, Any] = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("Stored dataset options are not a JSON object.")
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for key in ("start", "end"):
            if values.get(key) is not None:
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)
