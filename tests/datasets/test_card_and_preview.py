from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.datasets.store_fixtures import OTHER_ID, TweetStore
from twexport_qt.datasets.builder import BuildRequest, build_dataset
from twexport_qt.datasets.card import CARD_MARKER
from twexport_qt.datasets.preview import preview_examples
from twexport_qt.tweets.options import DatasetOptions


def _fill(store: TweetStore, count: int = 30) -> None:
    for number in range(count):
        question = store.add(f"bob wonders about topic {number} and more", author="bob", author_id=OTHER_ID)
        store.add(f"@bob alice explains topic {number} in full", reply_to=question)
        store.add(f"alice shares note {number}, write to alice{number}@example.com")
        if number % 3 == 0:
            store.add(f"alice shares note {number}, write to alice{number}@example.com")  # a duplicate


def test_the_card_lists_sources_filters_checksums_and_rights(store: TweetStore, tmp_path: Path) -> None:
    _fill(store)
    options = DatasetOptions(output_format="chat-jsonl", include_replies=True, dedupe=True, scrub_contacts=True,
                             sentiment=5, split=(0.8, 0.1, 0.1), seed=3)
    report = build_dataset(store.conn, BuildRequest(("alice",), options, tmp_path / "alice.jsonl"))
    assert report.card_path == tmp_path / "README.md"
    card = report.card_path.read_text(encoding="utf-8")
    assert card.startswith(CARD_MARKER)
    for built in report.files:  # each file's checksum, as the file really is
        assert hashlib.sha256(built.path.read_bytes()).hexdigest() == built.sha256
        assert f"| {built.path.name} | {built.split} | {built.examples:,} | {built.estimated_tokens:,} |" in card
    assert "| @alice | 70 | 60 |" in card  # 30 replies, 30 notes and 10 copies of notes read
    assert "| exact duplicate | 10 |" in card and "| e-mail addresses | 30 |" in card
    assert "at least **0.8**" in card and "seed 3" in card
    assert "VADER" in card and "NEUTRAL below 0.05; POSITIVE below 0.501; VERY POSITIVE up to 1" in card
    assert '"role": "user"' in card and "Rights to the text" in card and "1 token per 4 characters" in card
    assert "Time window of the examples: 2023-11-15" in card


def test_a_users_own_readme_is_never_overwritten(store: TweetStore, tmp_path: Path) -> None:
    store.add("a post that makes a dataset")
    (tmp_path / "README.md").write_text("# my notes\n", encoding="utf-8")
    report = build_dataset(store.conn, BuildRequest(("alice",), DatasetOptions(), tmp_path / "alice.csv"))
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# my notes\n"
    assert report.card_path == tmp_path / "alice.README.md"
    again = build_dataset(store.conn, BuildRequest(("alice",), DatasetOptions(), tmp_path / "other.csv"))
    assert again.card_path == tmp_path / "other.README.md"


def test_two_datasets_in_one_folder_keep_a_card_each(store: TweetStore, tmp_path: Path) -> None:
    """The second dataset built into a folder does not replace the first one's card; rebuilding one rewrites its
    own card only."""
    store.add("a post that makes a dataset")
    first = build_dataset(store.conn, BuildRequest(("alice",), DatasetOptions(), tmp_path / "first.csv"))
    second = build_dataset(store.conn, BuildRequest(("alice",), DatasetOptions(output_format="txt"),
                                                    tmp_path / "second.txt"))
    assert first.card_path == tmp_path / "README.md" and second.card_path == tmp_path / "second.README.md"
    assert "# first" in first.card_path.read_text(encoding="utf-8")
    assert "# second" in second.card_path.read_text(encoding="utf-8")
    again = build_dataset(store.conn, BuildRequest(("alice",), DatasetOptions(), tmp_path / "first.csv"))
    assert again.card_path == tmp_path / "README.md"
    assert build_dataset(store.conn, BuildRequest(("alice",), DatasetOptions(output_format="txt"),
                                                  tmp_path / "second.txt")).card_path == second.card_path


def test_no_card_when_not_asked(store: TweetStore, tmp_path: Path) -> None:
    store.add("a post that makes a dataset")
    report = build_dataset(store.conn, BuildRequest(("alice",), DatasetOptions(), tmp_path / "a.csv",
                                                    write_card=False))
    assert report.card_path is None and [p.name for p in tmp_path.iterdir()] == ["a.csv"]


@pytest.mark.parametrize("options", [
    DatasetOptions(output_format="chat-jsonl", include_replies=True, dedupe=True, split=(0.5, 0.25, 0.25), seed=9),
    DatasetOptions(output_format="text-jsonl", sentiment=3, sentiment_style="token", text_format="reply",
                   include_replies=True),
    DatasetOptions(output_format="csv", include_replies=True, text_format="reply", sentiment=3),
    DatasetOptions(output_format="txt", scrub_contacts=True, min_length=30),
    DatasetOptions(output_format="jsonl", dedupe=True, limit=7),
], ids=["chat-split-dedupe", "text-reply-token", "csv-reply", "txt", "jsonl-dedupe-limit"])
def test_the_preview_is_the_start_of_the_built_file(store: TweetStore, tmp_path: Path,
                                                     options: DatasetOptions) -> None:
    _fill(store, 60)
    preview = preview_examples(store.conn, ["alice"], options, n=5, simulated=False)
    report = build_dataset(store.conn, BuildRequest(("alice",), options, tmp_path / "alice.data"))
    written = report.files[0].path.read_bytes().decode("utf-8")
    header = "tweets\r\n" if options.output_format == "csv" else ""
    assert len(preview) == 5
    assert written.startswith(header + "".join(_entry(example, options) for example in preview))


def _entry(previewed: str, options: DatasetOptions) -> str:
    return previewed + ("\r\n" if options.output_format == "csv" else "\n")


def test_the_preview_of_an_empty_store_is_empty(store: TweetStore) -> None:
    assert preview_examples(store.conn, ["alice"], DatasetOptions(output_format="chat-jsonl"), simulated=False) == []
