"""Read the accounts a tweet download is about: one username, or a text file listing them one per line.

List files are typed by hand, so the parser is forgiving: blank lines, `#` comments (whole line or trailing),
a leading `@`, profile URLs (x.com / twitter.com) and surrounding spaces are fine; duplicates are dropped
(case-insensitively, first spelling kept, since X handles are case-insensitive) and named, so people can tidy
the file. A line that still is no valid handle is reported with its number and reason, and the rest is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from twexport_qt.core.errors import ConfigError
from twexport_qt.core.usernames import normalize_username, username_key

MAX_USERNAME_LENGTH = 15
_VALID_USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")


@dataclass(frozen=True)
class UsernameProblem:
    line_number: int  # 1-based, as an editor shows it
    line: str
    reason: str

    def __str__(self) -> str:
        return f"Line {self.line_number} ({self.line.strip()!r}): {self.reason}"


@dataclass
class UsernameList:
    usernames: list[str] = field(default_factory=list)
    problems: list[UsernameProblem] = field(default_factory=list)  # lines that are no username
    duplicates: list[UsernameProblem] = field(default_factory=list)  # lines repeating an earlier username
    source_file: Path | None = None  # the list file, or None for a single username


def username_problem(username: str) -> str | None:
    """Why `username` cannot be an X handle (1-15 letters, digits or _), or None if it can."""
    if not username:
        return "no username on this line"
    if any(ch.isspace() for ch in username):
        return "one username per line, without spaces"
    if len(username) > MAX_USERNAME_LENGTH:
        return f"X usernames have at most {MAX_USERNAME_LENGTH} characters"
    if not _VALID_USERNAME.fullmatch(username):
        return "X usernames only contain letters, digits and _"
    return None


def parse_usernames(text: str) -> UsernameList:
    result = UsernameList()
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        username = normalize_username(content)
        reason = username_problem(username)
        if reason is not None:
            result.problems.append(UsernameProblem(number, line, reason))
            continue
        key = username_key(username)
        if key in seen:
            result.duplicates.append(UsernameProblem(number, line, f"@{username} is listed more than once"))
            continue
        seen.add(key)
        result.usernames.append(username)
    return result


def read_usernames_file(path: str | Path) -> UsernameList:
    """Parse a usernames file (UTF-8, a BOM from Notepad is fine). Raises ConfigError if it cannot be read."""
    file_path = Path(path)
    try:
        text = file_path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"The usernames file {file_path} does not exist.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The usernames file {file_path} is not UTF-8 text: save it as UTF-8 and retry.") from None
    except OSError as error:
        raise ConfigError(f"The usernames file {file_path} cannot be read ({error.strerror}).") from None
    result = parse_usernames(text)
    result.source_file = file_path
    return result


def parse_source_argument(argument: str) -> UsernameList:
    """A CLI/wizard source: a usernames file (a path ending in .txt, or any existing file) or one username.

    Raises ConfigError when the username is invalid or the file yields no username at all; individual bad
    lines in a file are returned as `problems` for the caller to show.
    """
    candidate = Path(argument.strip())
    if argument.strip().lower().endswith(".txt") or candidate.is_file():
        result = read_usernames_file(candidate)
        if not result.usernames:
            raise ConfigError(f"The usernames file {candidate} lists no valid username.")
        return result
    username = normalize_username(argument)
    reason = username_problem(username)
    if reason is not None:
        raise ConfigError(f"{argument.strip()!r} is not a valid X username: {reason}.")
    return UsernameList(usernames=[username])
