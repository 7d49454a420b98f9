"""Read X's "Download an archive of your data" export: a zip, or the folder it extracts to.

Each data file is JavaScript wrapping one JSON array, `window.YTD.<type>.partN = [ ... ]`; big types are
split into `<type>.js`, `<type>-part1.js`, ... which are read in order as one list. Tweets are v1.1-style
objects with every number as a string; archives from 2019 to mid-2022 name the tweet file `tweet.js`, and
the earliest ones lack the `{"tweet": {...}}` wrapper around each entry.

Array entries are decoded one at a time, so a 50k-tweet file never exists as one big list of dicts.
A problem with the archive as a whole surfaces as `ArchiveError`, a sentence for the user. Ids are checked
where they are read: SQLite stores signed 64-bit integers, so an id that is negative, above 2^63-1 or not a
number would otherwise fail the import much later (OverflowError on insert). A tweet whose own id is
unusable is skipped and counted (`XArchive.skipped_malformed`); an unusable reference (the tweet replied to,
its author, the quoted tweet) is dropped from an otherwise good tweet and counted
(`XArchive.dropped_reference_ids`). Both are logged.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from twexport_qt.core.errors import TwExportError
from twexport_qt.tweets.cleaning import contains_link
from twexport_qt.tweets.records import TweetRecord

log = logging.getLogger(__name__)

MAX_ID = 2**63 - 1
"""The largest id SQLite can store (signed 64-bit INTEGER); X's ids are positive and below it."""
# Longest JSON integer literal decoded as an int: every int64 fits in 20 characters with its sign. Longer ones
# would only be refused later, and past 4,300 digits int() itself raises ValueError (CVE-2020-10735 limit).
_MAX_INT_LITERAL = 20

# `tweets.js`, `tweets-part1.js`, `follower.js`, ...: the type name and the optional part number.
_DATA_FILE = re.compile(r"^(?P<kind>[a-z][a-z-]*?)(?:-part(?P<part>\d+))?\.js$")
_STATUS_URL = re.compile(r"^https?://(?:(?:www|mobile)\.)?(?:twitter|x)\.com/\w+/status(?:es)?/(\d+)", re.I)
# created_at is English whatever the locale; parse it by hand, as strptime's %a/%b follow the C locale,
# which Qt replaces with the user's at start-up.
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_WHITESPACE_AND_COMMAS = re.compile(r"[\s,]*")


class ArchiveError(TwExportError):
    default_message = "This file is not an X data archive."


class _OversizedNumber:
    """Stands for a JSON integer literal too long to be any id; every id check refuses it."""

    def __init__(self, literal: str) -> None:
        self.digits = len(literal.lstrip("-"))

    def __repr__(self) -> str:
        return f"<a {self.digits}-digit number>"


def _decode_int(literal: str) -> int | _OversizedNumber:
    return int(literal) if len(literal) <= _MAX_INT_LITERAL else _OversizedNumber(literal)


_DECODER = json.JSONDecoder(parse_int=_decode_int)


class _BadId(ValueError):
    """An id that cannot be stored: not a whole number written in digits, negative, or above MAX_ID."""

    def __init__(self, field: str, value: object) -> None:
        shown = repr(value) if not isinstance(value, str) or len(value) <= 40 else f"{value[:40]!r}..."
        super().__init__(f"{field} {shown} is not a valid id")
        self.field = field


def parse_id(value: object, field: str = "id") -> int:
    """`value` as an id SQLite can store: an int, or a string of ASCII digits, from 0 to MAX_ID.

    Stricter than int(): no sign, spaces, underscores, non-ASCII digits or floats (1.5, 1e18 lose digits).
    Raises ValueError naming `field`.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= len(str(MAX_ID)):
        number = int(value)
    else:
        raise _BadId(field, value)
    if not 0 <= number <= MAX_ID:
        raise _BadId(field, value)
    return number


@dataclass(frozen=True)
class ArchiveAccount:
    account_id: int
    username: str
    display_name: str = ""


class _ArchiveFiles(Protocol):
    def names(self) -> list[str]: ...  # posix paths relative to the archive root

    def read(self, name: str) -> bytes: ...


class _ZipFiles:
    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            with zipfile.ZipFile(path) as archive:
                self._names = [n for n in archive.namelist() if n.endswith(".js")]
        except (zipfile.BadZipFile, OSError) as error:
            raise ArchiveError(
                f"{path.name} is not a readable zip file ({error}). Download the archive again."
            ) from None

    def names(self) -> list[str]:
        return self._names

    def read(self, name: str) -> bytes:
        # Opened per read so an XArchive holds no file handle between calls.
        with zipfile.ZipFile(self._path) as archive:
            return archive.read(name)


class _FolderFiles:
    def __init__(self, path: Path) -> None:
        self._root = path
        self._names = [p.relative_to(path).as_posix() for p in path.rglob("*.js") if p.is_file()]

    def names(self) -> list[str]:
        return self._names

    def read(self, name: str) -> bytes:
        return (self._root / name).read_bytes()


def open_archive(path: str | Path) -> XArchive:
    """Open an archive zip or its extracted folder (the folder holding `data/`, or `data/` itself)."""
    location = Path(path)
    if location.is_dir():
        files: _ArchiveFiles = _FolderFiles(location)
    elif location.is_file():
        files = _ZipFiles(location)
    else:
        raise ArchiveError(f"{location} does not exist. Choose the archive .zip or the folder it was extracted to.")
    return XArchive(files, _find_data_dir(files, location))


def _find_data_dir(files: _ArchiveFiles, location: Path) -> str:
    """The directory (relative, "" for the root) holding account.js or the tweets; shallowest wins, so a zip
    with a top-level folder, or a folder pointed at `data/` directly, both work."""
    markers = {"account.js", "tweets.js", "tweet.js", "tweets-part1.js", "tweet-part1.js"}
    found = [PurePosixPath(name).parent for name in files.names() if PurePosixPath(name).name in markers]
    if not found:
        raise ArchiveError(
            f"{location.name} is not an X data archive: it has no data/account.js or data/tweets.js. "
            "Choose the .zip X sent you (\"Download an archive of your data\") or its extracted folder."
        )
    shallowest = min(found, key=lambda p: len(p.parts))
    return "" if str(shallowest) == "." else str(shallowest)


class XArchive:
    """The parts of an archive TwExport uses. Each call reads the files again; nothing is cached."""

    def __init__(self, files: _ArchiveFiles, data_dir: str) -> None:
        self._files = files
        self._data_dir = data_dir
        self._account_loaded = False
        self._account: ArchiveAccount | None = None
        # Keyed by (file, entry index): the archive is read more than once (resume, parent look-ups), and
        # each bad tweet or reference must be counted and logged once.
        self._skipped: set[tuple[str, int]] = set()
        self._dropped: set[tuple[str, int, str]] = set()

    @property
    def skipped_malformed(self) -> int:
        """How many tweets read so far were skipped because their own id is unusable (see module docstring)."""
        return len(self._skipped)

    @property
    def dropped_reference_ids(self) -> int:
        """How many unusable reference ids (reply-to tweet or user, quoted tweet) were dropped so far."""
        return len(self._dropped)

    @property
    def account(self) -> ArchiveAccount | None:
        """The archive owner from account.js (or manifest.js); None if neither says."""
        if not self._account_loaded:
            self._account = self._read_account()
            self._account_loaded = True
        return self._account

    def iter_tweets(self) -> Iterator[TweetRecord]:
        """Every tweet of the archive, in file order (X writes newest first), including retweets and replies.

        Tweets with an unusable id are left out (the same ones at every reading, so positions stay stable for
        resuming) and counted in `skipped_malformed`."""
        kind = "tweets" if self._data_files("tweets") else "tweet"
        names = self._data_files(kind)
        if not names:
            raise ArchiveError("This archive has no tweets file (data/tweets.js). It may be a partial archive.")
        owner = self.account
        for name in names:
            for index, entry in enumerate(self._iter_entries(name)):
                tweet = entry.get("tweet", entry) if isinstance(entry, dict) else None
                if not isinstance(tweet, dict):
                    raise ArchiveError(f"Entry {index + 1} of {name} is not a tweet. The file may be damaged.")
                try:
                    record = self._record(tweet, owner, name, index)
                except _BadId as error:
                    self._skip(name, index, error)
                    continue
                except (KeyError, TypeError, ValueError) as error:
                    raise ArchiveError(
                        f"Tweet {index + 1} of {name} is not in X's format ({type(error).__name__}: {error}). "
                        "The file may be damaged: download the archive again."
                    ) from None
                yield record

    def _record(self, tweet: dict[str, Any], owner: ArchiveAccount | None, name: str, index: int) -> TweetRecord:
        record, bad_references = _tweet_record(tweet, owner)
        for error in bad_references:
            key = (name, index, error.field)
            if key not in self._dropped:
                self._dropped.add(key)
                log.warning("Tweet %d of %s in the archive (id %d): %s; imported without it.",
                            index + 1, name, record.id, error)
        return record

    def _skip(self, name: str, index: int, error: _BadId) -> None:
        if (name, index) not in self._skipped:
            self._skipped.add((name, index))
            log.warning("Tweet %d of %s in the archive was skipped: %s.", index + 1, name, error)

    def follower_ids(self) -> list[int]:
        """Ids of the accounts following the owner when the archive was made (X stores no handles here)."""
        names = self._data_files("follower")
        if not names:
            raise ArchiveError("This archive has no follower list (data/follower.js).")
        ids: list[int] = []
        for name in names:
            for index, entry in enumerate(self._iter_entries(name)):
                try:
                    ids.append(parse_id(entry["follower"]["accountId"], "accountId"))
                except (KeyError, TypeError, ValueError):
                    raise ArchiveError(
                        f"Entry {index + 1} of {name} is not a follower. The file may be damaged."
                    ) from None
        return ids

    def _data_files(self, kind: str) -> list[str]:
        """Paths of `<kind>.js` and its `-partN` files, base file first, then parts in numeric order."""
        parts: list[tuple[int, str]] = []
        for name in self._files.names():
            path = PurePosixPath(name)
            if str(path.parent) != (self._data_dir or "."):
                continue
            match = _DATA_FILE.match(path.name)
            if match and match["kind"] == kind:
                parts.append((int(match["part"] or 0), name))
        return [name for _, name in sorted(parts)]

    def _iter_entries(self, name: str) -> Iterator[Any]:
        try:
            text = self._files.read(name).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ArchiveError(f"{name} in the archive is not UTF-8 text. The file may be damaged.") from None
        yield from iter_wrapped_array(text, name)

    def _read_account(self) -> ArchiveAccount | None:
        names = self._data_files("account")
        if names:
            entries = list(self._iter_entries(names[0]))
            try:
                account = entries[0]["account"]
                return ArchiveAccount(
                    parse_id(account["accountId"], "accountId"), account["username"],
                    account.get("accountDisplayName", ""),
                )
            except (IndexError, KeyError, TypeError, ValueError):
                raise ArchiveError(f"{names[0]} does not describe an account. The file may be damaged.") from None
        return self._read_manifest_account()

    def _read_manifest_account(self) -> ArchiveAccount | None:
        name = f"{self._data_dir}/manifest.js" if self._data_dir else "manifest.js"
        if name not in self._files.names():
            return None
        try:
            manifest = _DECODER.decode(_strip_wrapper(self._files.read(name).decode("utf-8-sig"), name))
            info = manifest["userInfo"]
            return ArchiveAccount(parse_id(info["accountId"], "accountId"), info["userName"], info.get("displayName", ""))
        except (KeyError, TypeError, ValueError, RecursionError):
            return None  # the manifest is a fallback only; without it the tweets simply carry no author


def _strip_wrapper(text: str, name: str) -> str:
    """The JSON after `window.<global> = `, without a trailing semicolon."""
    stripped = text.lstrip()
    if not stripped.startswith("window.") or "=" not in stripped:
        raise ArchiveError(f"{name} in the archive does not start with X's 'window.YTD...' header. It may be damaged.")
    return stripped[stripped.index("=") + 1:].strip().removesuffix(";")


def iter_wrapped_array(text: str, name: str) -> Iterator[Any]:
    """Decode the entries of a `window.YTD.x.partN = [ ... ]` file one by one."""
    body = _strip_wrapper(text, name)
    if not body.startswith("["):
        raise ArchiveError(f"{name} in the archive does not hold a list. It may be damaged.")
    position = _skip_separators(body, 1)
    while position < len(body) and body[position] != "]":
        try:
            entry, position = _DECODER.raw_decode(body, position)
        except json.JSONDecodeError as error:
            raise ArchiveError(
                f"{name} in the archive is damaged near line {error.lineno} (invalid JSON). Download the archive again."
            ) from None
        except RecursionError:  # X's files nest a few levels; thousands mean a damaged or hostile file
            raise ArchiveError(
                f"{name} in the archive is nested too deeply to be X's data. Download the archive again."
            ) from None
        yield entry
        position = _skip_separators(body, position)
    if position >= len(body):
        raise ArchiveError(f"{name} in the archive ends too early; it may be truncated. Download the archive again.")


def _skip_separators(text: str, position: int) -> int:
    match = _WHITESPACE_AND_COMMAS.match(text, position)
    return match.end() if match else position  # `*` always matches; the check is for the type checker


def parse_archive_time(value: str) -> int:
    """Epoch seconds from X's `"Thu Oct 06 21:49:02 +0000 2022"`."""
    _weekday, month, day, clock, offset, year = value.split()
    hour, minute, second = (int(part) for part in clock.split(":"))
    sign = -1 if offset[0] == "-" else 1
    utc_offset = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])) * sign
    moment = datetime(int(year), _MONTHS[month], int(day), hour, minute, second, tzinfo=timezone(utc_offset))
    return int(moment.timestamp())


def _optional_id(tweet: dict[str, Any], key: str) -> int | None:
    value = tweet.get(f"{key}_str", tweet.get(key))
    return parse_id(value, key) if value not in (None, "") else None


def _quoted_tweet_id(tweet: dict[str, Any], urls: list[dict[str, Any]]) -> int | None:
    quoted = _optional_id(tweet, "quoted_status_id")
    if quoted is not None:
        return quoted
    if str(tweet.get("is_quote_status", "")).lower() != "true":
        return None
    # Quotes flagged without an id: the quoted tweet's URL is the one status link among the entities.
    for url in urls:
        match = _STATUS_URL.match(url.get("expanded_url") or "")
        if match:
            return parse_id(match.group(1), "quoted status URL")
    return None


def _tweet_record(tweet: dict[str, Any], owner: ArchiveAccount | None) -> tuple[TweetRecord, list[_BadId]]:
    """The record, and the unusable reference ids left out of it. Raises _BadId if the tweet's own id is unusable,
    KeyError / TypeError / ValueError for anything else not in X's format."""
    text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(text, str):
        raise KeyError("full_text")
    entities = tweet.get("entities")
    urls = (entities.get("urls") or []) if isinstance(entities, dict) else []
    tweet_id = parse_id(tweet.get("id_str") or tweet["id"], "id")
    bad_references: list[_BadId] = []

    def reference(read: Callable[[], int | None]) -> int | None:
        try:
            return read()
        except _BadId as error:
            bad_references.append(error)
            return None

    record = TweetRecord(
        id=tweet_id,
        author_id=owner.account_id if owner else None,
        author_username=owner.username if owner else "",
        created_at=parse_archive_time(tweet["created_at"]),
        text=text,
        conversation_id=None,  # archives do not record it
        in_reply_to_tweet_id=reference(lambda: _optional_id(tweet, "in_reply_to_status_id")),
        in_reply_to_user_id=reference(lambda: _optional_id(tweet, "in_reply_to_user_id")),
        quoted_tweet_id=reference(lambda: _quoted_tweet_id(tweet, urls)),
        is_retweet=text.startswith("RT @"),
        has_links=bool(urls) if isinstance(entities, dict) else contains_link(text),
    )
    return record, bad_references
