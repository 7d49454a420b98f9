from __future__ import annotations

from pathlib import Path

import pytest

from twexport_qt.core.errors import ConfigError
from twexport_qt.tweets.usernames import parse_source_argument, parse_usernames, read_usernames_file

LIST_FILE = """\
# accounts for the AI dataset
santiagodc
@minimaxir   # the original author

https://x.com/OpenAI
http://www.twitter.com/nasa/status/123?s=20
  Jack_
SantiagoDC
this_name_is_far_too_long
bad-name!
two names
https://x.com/
"""


def test_parse_usernames_cleans_and_reports_per_line() -> None:
    result = parse_usernames(LIST_FILE)
    assert result.usernames == ["santiagodc", "minimaxir", "OpenAI", "nasa", "Jack_"]
    assert [(p.line_number, p.reason) for p in result.problems] == [
        (9, "X usernames have at most 15 characters"),
        (10, "X usernames only contain letters, digits and _"),
        (11, "one username per line, without spaces"),
        (12, "no username on this line"),
    ]
    assert str(result.problems[0]) == "Line 9 ('this_name_is_far_too_long'): X usernames have at most 15 characters"


def test_read_usernames_file_accepts_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "people.txt"
    path.write_bytes("\ufeffalice\r\nbob\r\n".encode())
    result = read_usernames_file(path)
    assert result.usernames == ["alice", "bob"]
    assert result.source_file == path


def test_read_usernames_file_errors_are_sentences(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        read_usernames_file(tmp_path / "missing.txt")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="UTF-8"):
        read_usernames_file(latin1)


def test_source_argument_single_username() -> None:
    result = parse_source_argument(" @santiagodc ")
    assert result.usernames == ["santiagodc"]
    assert result.source_file is None


def test_source_argument_invalid_username() -> None:
    with pytest.raises(ConfigError, match="not a valid X username"):
        parse_source_argument("no spaces allowed")


def test_source_argument_file_by_extension_or_existence(tmp_path: Path) -> None:
    listed = tmp_path / "people.txt"
    listed.write_text("alice\n", encoding="utf-8")
    no_extension = tmp_path / "people"
    no_extension.write_text("bob\n", encoding="utf-8")
    assert parse_source_argument(str(listed)).usernames == ["alice"]
    assert parse_source_argument(str(no_extension)).usernames == ["bob"]
    with pytest.raises(ConfigError, match="does not exist"):
        parse_source_argument(str(tmp_path / "typo.txt"))


def test_source_argument_file_without_valid_usernames(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("# nothing yet\n\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no valid username"):
        parse_source_argument(str(path))
