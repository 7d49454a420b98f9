"""Read X's "Download an archive of your data" export: a zip, or the folder it extracts to.

Each data file is JavaScript wrapping one JSON array, `window.YTD.<type>.partN = [ ... ]`; big types are
split into `<type>.js`, `<type>-part1.js`, ... which are read in order as one list. Tweets are v1.1-style
objects with every number as a string; archives from 2019 to mid-2022 name the tweet file `tweet.js`, and
the earliest ones lack the `{"tweet": {...}}` wrapper around each entry. Every type is found by its file names
(`note-tweet.js`, `note-tweet-part1.js`, ... alike), as the open-source parsers do; manifest.js lists the same
names and is only read for the owner when account.js is missing.

Array entries are decoded one at a time, so a 50k-tweet file never exists as one big list of dicts.
A problem with the archive as a whole surfaces as `ArchiveError`, a sentence for the user. Ids are checked
where they are read: SQLite stores signed 64-bit integers, so an id that is negative, above 2^63-1 or not a
number would otherwise fail the import much later (OverflowError on insert). A tweet whose own id is
unusable is skipped and counted (`XArchive.skipped_malformed`); an unusable reference (the tweet replied to,
its author, the quoted tweet) is dropped from an otherwise good tweet and counted
(`XArchive.dropped_reference_ids`). Both are logged.

Long posts get their whole text from note-tweet.js (archive_notes); a note that cannot be placed is counted
(`XArchive.unmatched_long_posts`) and logged. Quotes and links are read as archive_links explains.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from twexport_qt.core.errors import TwExportError
from twexport_qt.tweets.archive_mapping import ArchiveOwner, read_tweet
from twexport_qt.tweets.archive_notes import Note, NoteOwners, parse_note
from twexport_qt.tweets.archive_values import MAX_ID, BadId, parse_archive_time, parse_id
from twexport_qt.tweets.records import TweetRecord

__all__ = ["MAX_ID", "ArchiveAccount", "ArchiveError", "XArchive", "iter_wrapped_array", "open_archive",
           "parse_archive_time", "parse_id"]

log = logging.getLogger(__name__)

# Longest JSON integer literal decoded as an int: every int64 fits in 20 characters with its sign. Longer ones
# would only be refused later, and past 4,300 digits int() itself raises ValueError (CVE-2020-10735 limit).
_MAX_INT_LITERAL = 20

# `tweets.js`, `tweets-part1.js`, `follower.js`, ...: the type name and the optional part number.
_DATA_FILE = re.compile(r"^(?P<kind>[a-z][a-z-]*?)(?:-part(?P<part>\d+))?\.js$")
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
    """The parts of an archive TwExport uses. Each call reads the tweets again; only what is small is kept:
    the owner, their former handles and which tweet each long post belongs to."""

    def __init__(self, files: _ArchiveFiles, data_dir: str) -> None:
        self._files = files
        self._data_dir = data_dir
        self._account_loaded = False
        self._account: ArchiveAccount | None = None
        self._handles: frozenset[str] | None = None
        self._long_posts: dict[int, Note] | None = None  # by the id of the tweet each belongs to
        # Keyed by (file, entry index): the archive is read more than once (resume, parent look-ups), and
        # each bad tweet or reference must be counted and logged once. Notes likewise, by note id (or place).
        self._skipped: set[tuple[str, int]] = set()
        self._dropped: set[tuple[str, int, str]] = set()
        self._unmatched_notes: set[int | tuple[str, int]] = set()
        self._joined_notes: set[int] = set()

    @property
    def skipped_malformed(self) -> int:
        """How many tweets read so far were skipped because their own id is unusable (see module docstring)."""
        return len(self._skipped)

    @property
    def dropped_reference_ids(self) -> int:
        """How many unusable reference ids (reply-to tweet or user, quoted tweet) were dropped so far."""
        return len(self._dropped)

    @property
    def unmatched_long_posts(self) -> int:
        """How many long posts of note-tweet.js were left out of their tweets so far (see archive_notes): those
        tweets keep their first ~275 characters."""
        return len(self._unmatched_notes)

    @property
    def joined_long_posts(self) -> int:
        """How many tweets read so far got their whole text from note-tweet.js."""
        return len(self._joined_notes)

    @property
    def account(self) -> ArchiveAccount | None:
        """The archive owner from account.js (or manifest.js); None if neither says."""
        if not self._account_loaded:
            self._account = self._read_account()
            self._account_loaded = True
        return self._account

    @property
    def owner_handles(self) -> frozenset[str]:
        """The owner's handles, lower-cased: the current one and every one screen-name-change.js lists."""
        if self._handles is None:
            account = self.account
            handles = {account.username.lower()} if account is not None and account.username else set()
            self._handles = frozenset(handles | self._former_handles())
        return self._handles

    def iter_tweets(self) -> Iterator[TweetRecord]:
        """Every tweet of the archive, in file order (X writes newest first), including retweets and replies.

        Tweets with an unusable id are left out (the same ones at every reading, so positions stay stable for
        resuming) and counted in `skipped_malformed`. Long posts carry their whole text."""
        names = self._tweet_files()
        account = self.account
        owner = ArchiveOwner(account.account_id if account else None, account.username if account else "",
                             self.owner_handles)
        long_posts = self._long_posts_by_tweet(names)
        for name, index, tweet in self._iter_tweet_objects(names):
            try:
                record = self._record(tweet, owner, long_posts, name, index)
            except BadId as error:
                self._skip(name, index, error)
                continue
            except (KeyError, TypeError, ValueError) as error:
                raise ArchiveError(
                    f"Tweet {index + 1} of {name} is not in X's format ({type(error).__name__}: {error}). "
                    "The file may be damaged: download the archive again."
                ) from None
            yield record

    def _tweet_files(self) -> list[str]:
        kind = "tweets" if self._data_files("tweets") else "tweet"
        names = self._data_files(kind)
        if not names:
            raise ArchiveError("This archive has no tweets file (data/tweets.js). It may be a partial archive.")
        return names

    def _iter_tweet_objects(self, names: list[str]) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """(file, index in it, tweet object) for every entry of the tweet files, out of its wrapper."""
        for name in names:
            for index, entry in enumerate(self._iter_entries(name)):
                tweet = entry.get("tweet", entry) if isinstance(entry, dict) else None
                if not isinstance(tweet, dict):
                    raise ArchiveError(f"Entry {index + 1} of {name} is not a tweet. The file may be damaged.")
                yield name, index, tweet

    def _record(self, tweet: dict[str, Any], owner: ArchiveOwner, long_posts: dict[int, Note], name: str,
                index: int) -> TweetRecord:
        reading = read_tweet(tweet, owner, long_posts)
        record = reading.record
        for error in reading.bad_references:
            key = (name, index, error.field)
            if key not in self._dropped:
                self._dropped.add(key)
                log.warning("Tweet %d of %s in the archive (id %d): %s; imported without it.",
                            index + 1, name, record.id, error)
        if reading.note is not None and reading.note_joined:
            self._joined_notes.add(reading.note.note_id)
        elif reading.note is not None:
            self._leave_note(reading.note.note_id, f"tweet {record.id}, posted right after it, does not begin "
                                                   "with its text")
        return record

    # ----- long posts ---------------------------------------------------------------------------------------

    def _long_posts_by_tweet(self, tweet_files: list[str]) -> dict[int, Note]:
        """Which tweet each note of note-tweet.js belongs to, found once per archive (rules 1 and 2 of
        archive_notes; rule 3 is checked as each tweet is read). Costs one more reading of the tweets, and
        only for archives that have notes."""
        if self._long_posts is None:
            notes = self._read_notes()
            owners = NoteOwners(notes)
            if notes:
                for _name, _index, tweet in self._iter_tweet_objects(tweet_files):
                    try:
                        tweet_id = parse_id(tweet.get("id_str") or tweet["id"])
                        owners.see(tweet_id, parse_archive_time(tweet["created_at"]))
                    except (KeyError, TypeError, ValueError):
                        continue  # the tweet itself is reported when it is read
            self._long_posts, unmatched = owners.result()
            for item in unmatched:
                self._leave_note(item.note.note_id, item.reason)
        return self._long_posts

    def _read_notes(self) -> list[Note]:
        notes: list[Note] = []
        for name in self._data_files("note-tweet"):
            for index, entry in enumerate(self._iter_entries(name)):
                try:
                    notes.append(parse_note(entry))
                except (KeyError, TypeError, ValueError) as error:
                    self._leave_note((name, index), f"it is not in X's format ({type(error).__name__}: {error})")
        return notes

    def _leave_note(self, key: int | tuple[str, int], reason: str) -> None:
        if key not in self._unmatched_notes:
            self._unmatched_notes.add(key)
            which = f"{key}" if isinstance(key, int) else f"{key[1] + 1} of {key[0]}"
            log.warning("Long post %s of the archive's note-tweet.js was not joined to a tweet: %s. If its tweet "
                        "is in the archive, it keeps only its first ~275 characters.", which, reason)

    def _former_handles(self) -> set[str]:
        """Handles the owner had before, from screen-name-change.js (missing in partial archives)."""
        handles: set[str] = set()
        for name in self._data_files("screen-name-change"):
            for entry in self._iter_entries(name):
                try:
                    change = entry["screenNameChange"]["screenNameChange"]
                    names = (change.get("changedFrom"), change.get("changedTo"))
                except (KeyError, TypeError, AttributeError):
                    continue  # only used to recognise links to the owner's own posts
                handles.update(handle.lower() for handle in names if isinstance(handle, str) and handle)
        return handles

    def _skip(self, name: str, index: int, error: BadId) -> None:
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
            return ArchiveAccount(parse_id(info["accountId"], "accountId"), info["userName"],
                                  info.get("displayName", ""))
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
