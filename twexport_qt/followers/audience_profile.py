"""Who the followers are, in four tables: how old their accounts are, how many followers they have, the words
their bios use most and where they say they are. Plain Python and numpy, no Qt: the Audience tab, the
`followers profile` command and their CSV exports all show these same tables.

At a million followers the work is meant for a background thread and takes a few seconds: the numeric columns
come from a `FollowerSnapshot` (which also evaluates the filter, with the Followers tab's semantics exactly),
bios and locations from one aggregate query per rowid range (`rowid_ranges`: SQLite concatenates in C with the
GIL released), and bios are tokenised a chunk of 65,536 at a time, not one call per follower.

Bio words are NLTK's `wordpunct_tokenize` word tokens (the ones the bio-words filter matches, so a word from
the table can be typed into that filter): the word half of its pattern, `\\w+`, through NLTK's own regex route
(`nltk.redos`, the `regex` engine, whose `\\w` keeps Devanagari and other combining marks inside words). Its
ReDoS timeout is left off: that pattern cannot backtrack, and the timeout's bookkeeping costs four times the
matching itself. URLs and @mentions are skipped in the same pass; tokens are lower-cased, and stop words
(`resources/english_stop_words.txt`), 1-character tokens and tokens without a letter (numbers) are dropped.
Counts are uses, not followers: a bio saying a word twice counts it twice.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from itertools import compress
from typing import Any

import numpy as np

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.rowid_ranges import integers_of, rowid_ranges
from twexport_qt.followers.snapshot import UNKNOWN_DATE, FollowerSnapshot, sql_criteria
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec
from twexport_qt.resources_path import resource_path

DEFAULT_TOP = 20  # rows of the word and location tables unless asked otherwise
SECONDS_PER_YEAR = 365.2425 * 86_400  # a mean Gregorian year: ages in years, whatever the leap days
OLDEST_AGE_BIN = 20  # years: the last age bin is "20+ years" (X opened in 2006)
# Follower-count bins: 0, 1-9, 10-99, ... each starting at one of these, the last one open (10M+).
FOLLOWER_COUNT_STARTS: tuple[int, ...] = (0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)
FOLLOWER_COUNT_LABELS: tuple[str, ...] = (
    "0", "1–9", "10–99", "100–999", "1K–9.9K", "10K–99.9K", "100K–999.9K", "1M–9.9M", "10M+",
)
STOP_WORDS_FILE = "english_stop_words.txt"

# RegexpTokenizer's flags (stdlib values, which NLTK hands to `regex`), so `\w` means what it means in
# wordpunct_tokenize.
_NLTK_FLAGS = re.UNICODE | re.MULTILINE | re.DOTALL
# One pass over lower-cased text: a URL or an @mention matches whole with an empty group (skipped), anything
# else that is a word is the group: wordpunct_tokenize's word tokens (`\w+`) outside URLs and mentions. One pass
# costs a third less than cutting URLs out first and tokenising after.
_WORDS_OUTSIDE_URLS_AND_MENTIONS = r"(?:https?://|www\.)\S+|@\w+|(\w+)"
_TEXT_SQL = (
    "SELECT group_concat(rowid), group_concat(coalesce(description, '') || x'00', ''), "
    "group_concat(coalesce(location, '') || x'00', '')"
    # `+owner_id`: walk the rowid range, not an owner index that would visit every follower of the account.
    " FROM followers WHERE rowid BETWEEN ? AND ? AND +owner_id = ?"
)
# Bio chunks tokenised at once, each in a thread of its own (the regex engine releases the GIL while matching):
# the cores a desktop has, not more than four (the merge of their counts stays in one thread).
_TOKENISING_THREADS = max(1, min(4, os.cpu_count() or 1))
_SEPARATOR = "\0"  # after each value in _TEXT_SQL's strings (X never sends a NUL)


class AudienceTable(StrEnum):
    """The four tables of an audience profile; the values name their CSV files."""

    ACCOUNT_AGE = "account-age"
    FOLLOWER_COUNTS = "follower-counts"
    BIO_WORDS = "bio-words"
    LOCATIONS = "locations"


TABLE_TITLES: dict[AudienceTable, str] = {
    AudienceTable.ACCOUNT_AGE: "Account age",
    AudienceTable.FOLLOWER_COUNTS: "Their follower counts",
    AudienceTable.BIO_WORDS: "Top bio words",
    AudienceTable.LOCATIONS: "Top locations",
}


@dataclass(frozen=True, slots=True)
class HistogramBin:
    """Followers whose value is from `low` to `high` inclusive (`high` None: and above)."""

    label: str
    low: int
    high: int | None
    followers: int
    share: float  # of the followers with a known value, 0..1


@dataclass(frozen=True, slots=True)
class WordCount:
    word: str
    uses: int


@dataclass(frozen=True, slots=True)
class LocationCount:
    location: str  # the most common spelling among those counted together
    followers: int
    share: float  # of the followers who gave a location, 0..1


@dataclass(frozen=True, slots=True)
class AudienceProfile:
    population: int  # followers counted (those the filter kept)
    known_join_date: int  # of them, with an account creation date (the age histogram counts these)
    with_bio: int
    with_location: int
    account_age: tuple[HistogramBin, ...]
    follower_counts: tuple[HistogramBin, ...]
    bio_words: tuple[WordCount, ...]
    locations: tuple[LocationCount, ...]
    as_of: int  # epoch seconds the ages are counted to


@dataclass(frozen=True, slots=True)
class ProfileTable:
    """One table as plain text cells, for the command line and CSV files."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str | int, ...], ...]


# -- the numeric histograms --------------------------------------------------------------------------


def account_age_histogram(created_at: np.ndarray, now: int) -> tuple[HistogramBin, ...]:
    """Whole years since each account was created (UNKNOWN_DATE left out): under 1, 1, ..., OLDEST_AGE_BIN+.

    A date after `now` (a clock behind X's) counts as under a year.
    """
    known = created_at[created_at != UNKNOWN_DATE]
    years = np.floor_divide(np.maximum(now - known, 0), SECONDS_PER_YEAR).astype(np.int64)
    counts = np.bincount(np.minimum(years, OLDEST_AGE_BIN), minlength=OLDEST_AGE_BIN + 1)
    labels = ["under 1 year", "1 year", *(f"{age} years" for age in range(2, OLDEST_AGE_BIN)),
              f"{OLDEST_AGE_BIN}+ years"]
    highs: list[int | None] = [*range(OLDEST_AGE_BIN), None]
    return _bins(labels, list(range(OLDEST_AGE_BIN + 1)), highs, counts)


def follower_count_histogram(followers: np.ndarray) -> tuple[HistogramBin, ...]:
    """Followers per power of ten of their own follower count: 0, 1-9, 10-99, ..., 10M+."""
    starts = np.array(FOLLOWER_COUNT_STARTS[1:], dtype=np.int64)
    bin_of = np.searchsorted(starts, followers, side="right")
    counts = np.bincount(bin_of, minlength=len(FOLLOWER_COUNT_STARTS))
    highs: list[int | None] = [start - 1 for start in FOLLOWER_COUNT_STARTS[1:]] + [None]
    return _bins(FOLLOWER_COUNT_LABELS, list(FOLLOWER_COUNT_STARTS), highs, counts)


def _bins(labels: Sequence[str], lows: Sequence[int], highs: Sequence[int | None],
          counts: np.ndarray) -> tuple[HistogramBin, ...]:
    total = int(counts.sum())
    return tuple(HistogramBin(label, low, high, int(count), int(count) / total if total else 0.0)
                 for label, low, high, count in zip(labels, lows, highs, counts))


# -- bio words and locations -------------------------------------------------------------------------


@cache
def stop_words() -> frozenset[str]:
    """The English stop words the word table leaves out (the resource file's lines, comments skipped)."""
    lines = resource_path(STOP_WORDS_FILE).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@cache
def _words_pattern() -> Any:  # a `regex` engine's Pattern (that package has no type stubs)
    """`_WORDS_OUTSIDE_URLS_AND_MENTIONS` compiled through `nltk.redos`, on first use: `import nltk` takes one to
    two seconds (its package imports numpy, its corpus readers, metrics and translation), which the Audience tab
    would otherwise pay on the GUI thread when it is first opened; the counting runs in a worker thread."""
    from nltk import redos

    return redos.compile(_WORDS_OUTSIDE_URLS_AND_MENTIONS, _NLTK_FLAGS)


def word_uses(bios: Iterable[str]) -> Counter[str]:
    """How often each lower-cased word token occurs in `bios` (each item may hold many bios, one a line),
    URLs and @mentions cut out first; nothing dropped yet (see `top_words`)."""
    pattern = _words_pattern()
    uses: Counter[str] = Counter()
    for text in bios:
        # concurrent: the GIL is released while matching, so `_text_counts` tokenises chunks on several cores
        # and the GUI thread is not held meanwhile.
        uses.update(pattern.findall(text.lower(), concurrent=True, timeout=None))
    uses.pop("", None)  # what the URLs and mentions matched
    return uses


def is_counted_word(token: str, stop: frozenset[str]) -> bool:
    """A token the word table shows: 2 characters or more, not a stop word, with a letter in it (no numbers)."""
    return len(token) > 1 and token not in stop and any(character.isalpha() for character in token)


def top_words(uses: Mapping[str, int], top: int = DEFAULT_TOP) -> tuple[WordCount, ...]:
    """The `top` most used words that `is_counted_word`, most used first, ties alphabetically."""
    stop = stop_words()
    counted = (WordCount(word, count) for word, count in uses.items() if is_counted_word(word, stop))
    return tuple(sorted(counted, key=lambda item: (-item.uses, item.word))[:top])


def location_key(location: str) -> str:
    """What locations are counted together by: trimmed, inner spaces collapsed, case-folded ('' for none)."""
    return " ".join(location.split()).casefold()


def top_locations(spellings: Mapping[str, int], top: int = DEFAULT_TOP) -> tuple[LocationCount, ...]:
    """The `top` most given locations from `spellings` (location as typed -> followers), spellings that differ
    only in case and spacing counted as one and shown as the most common of them, trimmed (ties: the one met
    first in `spellings`, the first follower's spelling when read from the database)."""
    shown_counts: Counter[str] = Counter()  # insertion order: first met first
    for spelling, count in spellings.items():
        shown_counts[" ".join(spelling.split())] += count
    totals: Counter[str] = Counter()
    best: dict[str, tuple[int, str]] = {}
    for shown, count in shown_counts.items():
        key = location_key(shown)
        if not key:
            continue
        totals[key] += count
        if key not in best or count > best[key][0]:
            best[key] = (count, shown)
    given = sum(totals.values())
    ranked = sorted(totals.items(), key=lambda item: (-item[1], best[item[0]][1]))[:top]
    return tuple(LocationCount(best[key][1], count, count / given) for key, count in ranked)


# -- the whole profile -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TextCounts:
    word_uses: Counter[str]
    location_spellings: Counter[str]
    with_bio: int
    with_location: int


def audience_profile(conn: sqlite3.Connection, owner_id: int, follower_filter: FollowerFilter, now: int, *,
                     tiers: Sequence[TierSpec] = DEFAULT_TIERS, top: int = DEFAULT_TOP,
                     snapshot: FollowerSnapshot | None = None) -> AudienceProfile:
    """The profile of `owner_id`'s followers that `follower_filter` keeps (its `include_unfollowed` decides
    whether those who left count), ages counted to `now`. A few seconds at a million followers: run it off
    the GUI thread. `snapshot`: one already loaded for `owner_id` with `tiers` (else it is loaded here)."""
    if snapshot is None:
        snapshot = FollowerSnapshot.load(conn, owner_id, tiers)
    mask = snapshot.numeric_mask(follower_filter)
    criteria = sql_criteria(follower_filter)
    if criteria is not None:
        mask &= snapshot.sql_mask(criteria, conn)
    created_at = snapshot.created_at[mask]
    text = _text_counts(conn, snapshot, mask)
    return AudienceProfile(
        population=int(np.count_nonzero(mask)),
        known_join_date=int(np.count_nonzero(created_at != UNKNOWN_DATE)),
        with_bio=text.with_bio,
        with_location=text.with_location,
        account_age=account_age_histogram(created_at, now),
        follower_counts=follower_count_histogram(snapshot.followers[mask]),
        bio_words=top_words(text.word_uses, top),
        locations=top_locations(text.location_spellings, top),
        as_of=now,
    )


def _text_counts(conn: sqlite3.Connection, snapshot: FollowerSnapshot, mask: np.ndarray) -> _TextCounts:
    """Bio words and location spellings of the followers `mask` keeps, read range by range."""
    cursor = conn.cursor()
    cursor.row_factory = None
    spellings: Counter[str] = Counter()
    with_bio = with_location = 0
    kept_rowids = snapshot.rowid[mask]
    _words_pattern()  # nltk's import, once in this thread rather than raced by the tokenising threads
    chunk_words: list[Future[Counter[str]]] = []
    with ThreadPoolExecutor(_TOKENISING_THREADS, thread_name_prefix="bio-words") as tokenisers:
        for first, last in rowid_ranges(kept_rowids):
            counted = _read_range(cursor, snapshot, mask, first, last)
            if counted is None:
                continue
            bios, locations = counted
            with_bio += len(bios) - bios.count("")
            with_location += len(locations) - locations.count("")
            # Tokenised in the pool while this thread reads and splits the next range (see `word_uses`).
            chunk_words.append(tokenisers.submit(word_uses, ["\n".join(bios)]))
            spellings.update(locations)
        words: Counter[str] = Counter()
        for future in chunk_words:
            words.update(future.result())
    spellings.pop("", None)
    return _TextCounts(words, spellings, with_bio, with_location)


def _read_range(cursor: sqlite3.Cursor, snapshot: FollowerSnapshot, mask: np.ndarray, first: int,
                 last: int) -> tuple[list[str], list[str]] | None:
    """The bios and locations of the followers `mask` keeps with a rowid in [first, last] (None: no rows)."""
    rowid_text, bio_text, location_text = cursor.execute(_TEXT_SQL, (first, last, snapshot.owner_id)).fetchone()
    rowids = integers_of(rowid_text)
    if rowids is None or not len(rowids):
        return None
    # Rows of the range the filter kept: some in the range may have been left out, or stored since the
    # snapshot's load (those are not counted: the numbers stay the snapshot's).
    positions = np.searchsorted(snapshot.rowid, rowids)
    inside = positions < len(snapshot)
    keep = np.zeros(len(rowids), dtype=bool)
    keep[inside] = (snapshot.rowid[positions[inside]] == rowids[inside]) & mask[positions[inside]]
    return _values_of(bio_text, keep), _values_of(location_text, keep)


def _values_of(text: str | bytes | None, keep: np.ndarray) -> list[str]:
    """The kept values of one `_TEXT_SQL` column (each value followed by a NUL)."""
    if isinstance(text, bytes):  # a value that is not valid UTF-8 text: SQLite hands back a blob
        text = text.decode("utf-8", errors="replace")
    values = (text or "").split(_SEPARATOR)[:-1]
    if len(values) != len(keep):  # cannot happen (X never sends a NUL); counted row by row then, never wrong
        return []
    return values if keep.all() else list(compress(values, keep.tolist()))


# -- tables --------------------------------------------------------------------------------------------


def profile_table(profile: AudienceProfile, table: AudienceTable) -> ProfileTable:
    """`table` of `profile` as text cells (shares as percentages with one decimal)."""
    title = TABLE_TITLES[table]
    if table is AudienceTable.ACCOUNT_AGE:
        return ProfileTable(title, ("Account age", "Followers", "Share"), _histogram_rows(profile.account_age))
    if table is AudienceTable.FOLLOWER_COUNTS:
        return ProfileTable(title, ("Their followers", "Followers", "Share"),
                            _histogram_rows(profile.follower_counts))
    if table is AudienceTable.BIO_WORDS:
        return ProfileTable(title, ("Word", "Uses"), tuple((item.word, item.uses) for item in profile.bio_words))
    return ProfileTable(title, ("Location", "Followers", "Share"),
                        tuple((item.location, item.followers, percent(item.share)) for item in profile.locations))


def _histogram_rows(bins: Sequence[HistogramBin]) -> tuple[tuple[str | int, ...], ...]:
    return tuple((item.label, item.followers, percent(item.share)) for item in bins)


def percent(share: float) -> str:
    return f"{share * 100:.1f}%"
