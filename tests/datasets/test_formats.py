from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.datasets.chat_shape import check_chat_line
from twexport_qt.datasets.conversations import ORIGINAL_POST_PROMPT, Role, Turn
from twexport_qt.datasets.formats import (
    AtomicFile,
    chat_entry,
    original_chat_entry,
    streaming_entry,
    text_entry,
    write_atomically,
)
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.output_writers import open_writer

TURNS = [Turn(Role.USER, 'what do you "think"?\nreally'), Turn(Role.ASSISTANT, "café ☕ <3")]


@pytest.mark.parametrize("options", [
    DatasetOptions(output_format="chat-jsonl"),
    DatasetOptions(output_format="chat-jsonl", system_prompt="Be brief.", sentiment=3),
    DatasetOptions(output_format="chat-jsonl", sentiment=3, sentiment_style="token"),
])
def test_chat_lines_are_the_json_of_the_documented_shape(options: DatasetOptions) -> None:
    label = "POSITIVE" if options.sentiment else None
    entry = chat_entry(TURNS, label, options)
    record = check_chat_line(entry.text)
    assert entry.text == json.dumps(record, ensure_ascii=False) + "\n"  # exactly what json writes
    assert record["messages"][-1]["content"].endswith("café ☕ <3")
    assert ("sentiment" in record) is (label is not None and options.sentiment_style == "metadata")
    if options.sentiment_style == "token":
        assert record["messages"][-1]["content"] == "<|sentiment:positive|> café ☕ <3"
    assert entry.tokens > 0


def test_text_lines() -> None:
    assert text_entry("hello", None, DatasetOptions(output_format="text-jsonl")).text == '{"text": "hello"}\n'
    metadata = text_entry("hello", "NEUTRAL", DatasetOptions(output_format="text-jsonl", sentiment=3))
    assert json.loads(metadata.text) == {"text": "hello", "sentiment": "NEUTRAL"}


@pytest.mark.parametrize("output_format", ["csv", "jsonl", "txt"])
def test_streaming_entries_are_byte_for_byte_what_the_writer_appends(tmp_path: Path, output_format: str) -> None:
    options = DatasetOptions(output_format=output_format, sentiment=3)  # type: ignore[arg-type]
    examples = [("POSITIVE\nline, with \"quotes\"", "POSITIVE"), ("plain", "NEUTRAL")]
    with open_writer(tmp_path / f"w.{output_format}", options.output_format) as writer:
        for text, label in examples:
            writer.write(text, label)
    built = write_atomically(tmp_path / f"b.{output_format}", "tweets\r\n" if output_format == "csv" else "",
                             [streaming_entry(text, label, options).text for text, label in examples])
    assert built.path.read_bytes() == (tmp_path / f"w.{output_format}").read_bytes()


def test_an_unfinished_atomic_file_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "data.jsonl"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), AtomicFile(target) as file:
        file.write("new\n")
        raise RuntimeError("stopped half-way")
    assert target.read_text(encoding="utf-8") == "old\n" and [p.name for p in tmp_path.iterdir()] == ["data.jsonl"]
    with AtomicFile(target, "head\n") as file:
        file.write("new\n")
        written = file.commit()
    assert target.read_text(encoding="utf-8") == "head\nnew\n" and written.size == 9


@pytest.mark.parametrize("options", [
    DatasetOptions(output_format="chat-jsonl"),
    DatasetOptions(output_format="chat-jsonl", system_prompt="Be brief.", sentiment=3),
    DatasetOptions(output_format="chat-jsonl", sentiment=3, sentiment_style="token"),
])
@pytest.mark.parametrize("label", [None, "NEGATIVE"])
def test_an_original_posts_line_is_the_chat_line_of_its_two_turns(options: DatasetOptions, label: str | None) -> None:
    text = 'a post with "quotes", café ☕ and a\\backslash'
    expected = chat_entry([Turn(Role.USER, ORIGINAL_POST_PROMPT), Turn(Role.ASSISTANT, text)], label, options)
    assert original_chat_entry(text, label, options) == expected
