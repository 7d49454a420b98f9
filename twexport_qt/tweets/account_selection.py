"""Whose tweets a download is about, as typed into the wizard: one username, a list file, or an X archive.

Each `select_…` function turns what was typed into an `AccountSelection`: the sources a `DownloadRequest`
needs, the name the default output file is given, the list file's skipped lines (warnings, not errors) and,
when the selection cannot be used, one sentence saying what to do. Plain Python, so it is tested without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from twexport_qt.core.errors import ConfigError
from twexport_qt.core.usernames import normalize_username
from twexport_qt.tweets.usernames import read_usernames_file, username_problem


class AccountsMode(StrEnum):
    ONE = "one"  # one username
    LIST = "list"  # a .txt file, one username per line
    ARCHIVE = "archive"  # the user's own X archive (.zip or extracted folder)


@dataclass(frozen=True)
class AccountSelection:
    mode: AccountsMode
    sources: tuple[str, ...] = ()  # usernames, or the archive's resolved path
    name_hint: str = ""  # what the default output file is named after
    problems: tuple[str, ...] = ()  # skipped lines of a list file
    error: str = ""  # why the selection cannot be used; empty when it can

    @property
    def is_archive(self) -> bool:
        return self.mode is AccountsMode.ARCHIVE


def select_one_account(text: str) -> AccountSelection:
    """One username, typed as a name, @name or profile URL."""
    typed = text.strip()
    if not typed:
        return AccountSelection(AccountsMode.ONE, error="Type the username of the account to download.")
    username = normalize_username(typed)
    reason = username_problem(username)
    if reason is not None:
        return AccountSelection(AccountsMode.ONE, error=f"{typed!r} is not a valid X username: {reason}.")
    return AccountSelection(AccountsMode.ONE, (username,), username)


def select_list_file(text: str) -> AccountSelection:
    """The usernames of the list file at the typed path."""
    typed = text.strip()
    if not typed:
        return AccountSelection(AccountsMode.LIST, error="Choose a .txt file listing one username per line.")
    return read_list_file(Path(typed).expanduser())


def read_list_file(path: Path) -> AccountSelection:
    """Parse a usernames file into a selection: bad lines and duplicates become warnings, not errors."""
    try:
        listed = read_usernames_file(path)
    except ConfigError as exc:
        return AccountSelection(AccountsMode.LIST, error=exc.user_message)
    problems = tuple(f"Skipped — {problem}" for problem in (*listed.problems, *listed.duplicates))
    if not listed.usernames:
        return AccountSelection(AccountsMode.LIST, problems=problems,
                                error=f"{path.name} lists no valid username: fix the lines above or choose "
                                      "another file.")
    return AccountSelection(AccountsMode.LIST, tuple(listed.usernames), str(path), problems)


def select_archive(text: str) -> AccountSelection:
    """The X archive at the typed path: the .zip X sent, or the folder it was extracted to."""
    typed = text.strip()
    if not typed:
        return AccountSelection(AccountsMode.ARCHIVE,
                                error="Choose the archive X sent you: the .zip, or the folder you extracted.")
    path = Path(typed).expanduser()
    if not (path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip")):
        return AccountSelection(AccountsMode.ARCHIVE,
                                error=f"{path} is neither a .zip file nor a folder: choose the X archive.")
    return AccountSelection(AccountsMode.ARCHIVE, (str(path.resolve()),), path.stem)
