"""What a tweet dataset should contain and how it is written: `DatasetOptions`, stored with each job as JSON.

Two ways to write a dataset: streamed page by page as tweets arrive (csv, jsonl, txt, with per-tweet filters:
scrubbing, minimum length, languages), or built at the end from the stored tweets (`needs_build`: the
chat-jsonl and text-jsonl formats, de-duplication and splits, which need every tweet before writing any).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any, Literal

TextFormat = Literal["simple", "reply"]
OutputFormat = Literal["csv", "jsonl", "txt", "chat-jsonl", "text-jsonl"]
SentimentStyle = Literal["metadata", "token"]

SENTIMENT_CATEGORIES: tuple[int, ...] = (0, 3, 5, 7)
TEXT_FORMATS: tuple[str, ...] = ("simple", "reply")
OUTPUT_FORMATS: tuple[str, ...] = ("csv", "jsonl", "txt", "chat-jsonl", "text-jsonl")
# The formats a download can append to page by page (tweets/output_writers.py); the others are built at the end.
STREAMING_FORMATS: tuple[str, ...] = ("csv", "jsonl", "txt")
BUILT_FORMATS: tuple[str, ...] = ("chat-jsonl", "text-jsonl")
SENTIMENT_STYLES: tuple[str, ...] = ("metadata", "token")
SPLIT_NAMES: tuple[str, str, str] = ("train", "validation", "test")
MAX_THREAD_DEPTH = 10
DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.8
# X's `lang` codes: BCP 47 language tags, mostly two letters ("en", "pt"), some longer ("zh-cn"), "und" unknown.
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?")
# Fields added after jobs were first stored: left out of the JSON while at their default, so a job saved before
# they existed keeps its key (tweets_repo.job_key) and resumes after an upgrade.
_ADDED_FIELD_DEFAULTS: dict[str, Any] = {
    "system_prompt": "", "sentiment_style": "metadata", "thread_depth": 1, "dedupe": False,
    "near_duplicate_threshold": DEFAULT_NEAR_DUPLICATE_THRESHOLD, "min_length": 0, "languages": (),
    "scrub_contacts": False, "scrub_mentions": False, "scrub_links": False, "split": None, "seed": 0,
}

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

    Dataset fields (the defaults change nothing for the original formats):
    - `system_prompt`: chat-jsonl only: a first {"role": "system"} turn when not empty.
    - `sentiment_style` (chat-jsonl, text-jsonl; needs `sentiment`): "metadata" puts the label in a
      "sentiment" key beside "messages"/"text"; "token" prefixes a control token to the assistant turn / the
      text: `sentiment_token` gives it ("<|sentiment:positive|>", "<|sentiment:very_negative|>", ...).
      csv/jsonl/txt keep their own label layout (tweets/dataset_format.py).
    - `thread_depth`: chat-jsonl: how many tweets above a reply become earlier turns (1: its parent only).
    - `dedupe`: drop exact duplicates (same text after cleaning, ignoring case and spacing) and near duplicates
      (estimated Jaccard similarity of word shingles >= `near_duplicate_threshold`); the newest copy stays.
    - `min_length`: characters of the cleaned text; shorter tweets are dropped. `languages`: X `lang` codes to
      keep (empty: all); a tweet whose language was never stored is kept.
    - `scrub_contacts`: e-mail addresses become "[EMAIL]" and phone numbers "[PHONE]"; `scrub_mentions`:
      @names become "@USER"; `scrub_links`: links become "[LINK]" instead of being removed.
    - `split`: (train, validation, test) shares summing to 1, by conversation; `seed` makes it reproducible.
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
    system_prompt: str = ""
    sentiment_style: SentimentStyle = "metadata"
    thread_depth: int = 1
    dedupe: bool = False
    near_duplicate_threshold: float = DEFAULT_NEAR_DUPLICATE_THRESHOLD
    min_length: int = 0
    languages: tuple[str, ...] = ()
    scrub_contacts: bool = False
    scrub_mentions: bool = False
    scrub_links: bool = False
    split: tuple[float, float, float] | None = None
    seed: int = 0

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
            raise ValueError("Output format must be 'csv', 'jsonl', 'txt', 'chat-jsonl' or 'text-jsonl', "
                             f"not {self.output_format!r}.")
        self._validate_dataset_fields()
        object.__setattr__(self, "start", _as_utc(self.start))
        object.__setattr__(self, "end", _as_utc(self.end))
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValueError("The start of the timeframe must be before its end.")

    def _validate_dataset_fields(self) -> None:
        if not isinstance(self.system_prompt, str):
            raise ValueError("The system prompt must be text.")
        if self.sentiment_style not in SENTIMENT_STYLES:
            raise ValueError(f"Sentiment style must be 'metadata' or 'token', not {self.sentiment_style!r}.")
        if type(self.thread_depth) is not int or not 1 <= self.thread_depth <= MAX_THREAD_DEPTH:
            raise ValueError(f"Thread depth must be a whole number from 1 to {MAX_THREAD_DEPTH} "
                             f"(got {self.thread_depth!r}).")
        threshold = self.near_duplicate_threshold
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 < threshold <= 1:
            raise ValueError("The near-duplicate threshold must be a similarity above 0 and at most 1 "
                             f"(e.g. 0.8), not {threshold!r}.")
        object.__setattr__(self, "near_duplicate_threshold", float(threshold))
        if type(self.min_length) is not int or self.min_length < 0:
            raise ValueError(f"The minimum length must be a whole number of characters, 0 or more "
                             f"(got {self.min_length!r}).")
        object.__setattr__(self, "languages", _language_codes(self.languages))
        object.__setattr__(self, "split", _split_shares(self.split))
        if type(self.seed) is not int:
            raise ValueError(f"The split seed must be a whole number (got {self.seed!r}).")

    def needs_build(self) -> bool:
        """True when the dataset is built from the stored tweets at the end (datasets/builder.py) rather than
        appended page by page: the chat/text formats, de-duplication and splits all need every tweet first."""
        return self.output_format in BUILT_FORMATS or self.dedupe or self.split is not None

    def to_json(self) -> str:
        """Stable JSON (sorted keys, ISO 8601 dates): equal options give equal strings, so it can key a job.

        Fields added later are left out while at their default, so options saved before they existed give
        the same string (and the same job) as before.
        """
        data = asdict(self)
        for key in ("start", "end"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        for key, default in _ADDED_FIELD_DEFAULTS.items():
            if data[key] == default:
                del data[key]
        for key in ("languages", "split"):
            if isinstance(data.get(key), tuple):
                data[key] = list(data[key])
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


def file_extension(output_format: str) -> str:
    """The file name extension of a format: both JSONL flavours are .jsonl files."""
    return "jsonl" if output_format.endswith("jsonl") else output_format


def sentiment_token(label: str) -> str:
    """The control token of a sentiment label: "VERY POSITIVE" -> "<|sentiment:very_positive|>"."""
    return f"<|sentiment:{label.lower().replace(' ', '_')}|>"


def _language_codes(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, tuple | list):
        raise ValueError("Languages must be a list of X language codes such as en, de or pt.")
    codes: list[str] = []
    for code in value:
        normalized = code.strip().lower() if isinstance(code, str) else ""
        if not _LANGUAGE_CODE.fullmatch(normalized):
            raise ValueError(f"{code!r} is not a language code: use X's codes such as en, de, pt or zh-cn.")
        if normalized not in codes:
            codes.append(normalized)
    return tuple(codes)


def _split_shares(value: object) -> tuple[float, float, float] | None:
    if value is None:
        return None
    shares = tuple(value) if isinstance(value, tuple | list) else ()
    if len(shares) != 3 or any(isinstance(s, bool) or not isinstance(s, int | float) for s in shares):
        raise ValueError("A split must be three shares, train, validation and test, e.g. 0.8, 0.1, 0.1.")
    train, validation, test = (float(s) for s in shares)
    if min(train, validation, test) < 0 or not math.isclose(train + validation + test, 1.0, abs_tol=1e-6):
        raise ValueError("The split shares (train, validation, test) must be 0 or more and add up to 1, "
                         f"e.g. 0.8, 0.1, 0.1 (got {train:g}, {validation:g}, {test:g}).")
    if train <= 0:
        raise ValueError("The training share of the split must be above 0.")
    return train, validation, test
