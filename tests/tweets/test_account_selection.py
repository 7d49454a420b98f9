"""What the wizard's Accounts page reads from what was typed: one username, a list file, an X archive."""

from __future__ import annotations

from pathlib import Path

from twexport_qt.tweets.account_selection import (
    AccountSelection,
    AccountsMode,
    read_list_file,
    select_archive,
    select_list_file,
    select_one_account,
)


def test_one_account_is_normalised_and_names_the_output_file() -> None:
    assert select_one_account(" https://x.com/Alice_Writes ") == \
        AccountSelection(AccountsMode.ONE, ("Alice_Writes",), "Alice_Writes")
    assert "Type the username" in select_one_account("  ").error
    assert "not a valid X username" in select_one_account("two words").error


def test_list_file_skips_bad_and_repeated_lines_with_their_numbers(tmp_path: Path) -> None:
    names = tmp_path / "writers.txt"
    names.write_text("alice_writes\nnot a name\nbob_builds  # builder\n@Alice_Writes\n", encoding="utf-8")
    selection = select_list_file(str(names))
    assert selection.sources == ("alice_writes", "bob_builds") and selection.name_hint == str(names)
    assert selection.error == "" and not selection.is_archive
    assert selection.problems == (
        "Skipped — Line 2 ('not a name'): one username per line, without spaces",
        "Skipped — Line 4 ('@Alice_Writes'): @Alice_Writes is listed more than once",
    )


def test_list_file_without_usernames_or_missing_says_what_to_do(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nobody yet\nnot valid!\n", encoding="utf-8")
    selection = read_list_file(empty)
    assert "empty.txt lists no valid username" in selection.error and len(selection.problems) == 1
    assert "does not exist" in read_list_file(tmp_path / "missing.txt").error
    assert "Choose a .txt file" in select_list_file("").error


def test_archive_is_a_zip_or_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "my-archive"
    folder.mkdir()
    selection = select_archive(str(folder))
    assert selection.is_archive and selection.sources == (str(folder.resolve()),)
    assert selection.name_hint == "my-archive"
    zipped = tmp_path / "twitter-2024.zip"
    zipped.write_bytes(b"PK")
    assert select_archive(str(zipped)).sources == (str(zipped.resolve()),)
    other = tmp_path / "notes.txt"
    other.write_text("", encoding="utf-8")
    assert "neither a .zip file nor a folder" in select_archive(str(other)).error
    assert "Choose the archive X sent you" in select_archive("").error
