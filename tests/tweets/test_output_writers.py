from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from twexport_qt.tweets.output_writers import OutputFileError, default_output_name, open_writer

EXAMPLES = [
    "plain tweet",
    "POSITIVE\nlabel on its own line",
    'she said "hi", then left, again',
    "emoji 🎉🔥 and ünïcödé",
    "****ARGUMENTS\nREPLY\n****PARENT\nroot, with comma\n****IN_REPLY_TO\n\"quoted\"\n****TWEET\nme",
]


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_csv_reads_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with open_writer(path, "csv") as writer:
        for example in EXAMPLES:
            writer.write(example)
    assert _read_csv(path) == [["tweets"], *([example] for example in EXAMPLES)]
    assert writer.written == len(EXAMPLES)


def test_csv_reopen_appends_with_a_single_header(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with open_writer(path, "csv") as writer:
        writer.write(EXAMPLES[0])
    with open_writer(path, "csv") as writer:
        writer.write(EXAMPLES[1])
    assert _read_csv(path) == [["tweets"], [EXAMPLES[0]], [EXAMPLES[1]]]


def test_flush_makes_rows_visible_before_close(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    writer = open_writer(path, "csv")
    writer.write(EXAMPLES[1])
    writer.flush()
    assert _read_csv(path) == [["tweets"], [EXAMPLES[1]]]
    writer.close()


def test_reopen_cuts_a_torn_last_entry(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with open_writer(path, "csv") as writer:
        writer.write(EXAMPLES[0])
    with open(path, "ab") as file:
        file.write(b'"POSITIVE\nhalf a row')  # what a crash mid-write leaves
    with open_writer(path, "csv") as writer:
        writer.write(EXAMPLES[2])
    assert _read_csv(path) == [["tweets"], [EXAMPLES[0]], [EXAMPLES[2]]]


def test_reopen_refuses_a_file_that_is_not_a_dataset(tmp_path: Path) -> None:
    path = tmp_path / "someone_elses.csv"
    path.write_text("name,age\nann,3\n", encoding="utf-8")
    with pytest.raises(OutputFileError, match="Choose another file name"):
        open_writer(path, "csv")
    assert path.read_text(encoding="utf-8") == "name,age\nann,3\n"


def test_jsonl_lines_hold_text_and_label(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    with open_writer(path, "jsonl") as writer:
        writer.write("POSITIVE\nnice 🎉", "POSITIVE")
        writer.write("no label")
    with open_writer(path, "jsonl") as writer:
        writer.write("after resume")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"text": "POSITIVE\nnice 🎉", "label": "POSITIVE"},
        {"text": "no label", "label": None},
        {"text": "after resume", "label": None},
    ]


def test_txt_separates_examples_with_endoftext(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "out.txt"
    with open_writer(path, "txt") as writer:
        writer.write("one\nline two")
    with open_writer(path, "txt") as writer:
        writer.write("three")
    assert path.read_text(encoding="utf-8") == "one\nline two\n<|endoftext|>\nthree\n<|endoftext|>\n"


def test_unknown_format_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="csv"):
        open_writer(tmp_path / "x.parquet", "parquet")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "output_format", "expected"),
    [
        ("santiagodc", "csv", "santiagodc_tweets.csv"),
        ("@santiagodc", "jsonl", "santiagodc_tweets.jsonl"),
        ("lists/ai_people.txt", "csv", "ai_people_tweets.csv"),
        ("C:/Users/me/Accounts.TXT", "txt", "Accounts_tweets.txt"),
    ],
)
def test_default_output_name(source: str, output_format: str, expected: str) -> None:
    assert default_output_name(source, output_format) == expected  # type: ignore[arg-type]


def test_unwritable_location_is_a_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputFileError, match="Choose a folder you can write to"):
        open_writer(blocker / "out.csv", "csv")


def test_chat_and_text_jsonl_are_built_not_streamed(tmp_path: Path) -> None:
    for built_format in ("chat-jsonl", "text-jsonl"):
        with pytest.raises(ValueError, match="built from the stored tweets"):
            open_writer(tmp_path / "x.jsonl", built_format)  # type: ignore[arg-type]
    assert default_output_name("alice", "chat-jsonl") == "alice_tweets.jsonl"
