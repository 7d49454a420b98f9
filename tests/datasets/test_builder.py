from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest

from tests.datasets.chat_shape import check_chat_line
from tests.datasets.store_fixtures import BOB_ID, OTHER_ID, TweetStore
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.datasets.builder import BuildReport, BuildRequest, build_dataset
from twexport_qt.tweets.options import DatasetOptions

CHAT = DatasetOptions(output_format="chat-jsonl", include_replies=True)


def _build(conn: sqlite3.Connection, out: Path, options: DatasetOptions, *names: str) -> BuildReport:
    return build_dataset(conn, BuildRequest(names or ("alice",), options, out))


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _threads(store: TweetStore, count: int) -> None:
    """`count` conversations: bob asks, alice answers, bob follows up, alice answers again; and posts."""
    for number in range(count):
        question = store.add(f"bob asks question number {number} about editors", author="bob", author_id=OTHER_ID)
        answer = store.add(f"@bob alice answers question {number} with vim", reply_to=question)
        follow = store.add(f"@alice bob follows up on {number}", author="bob", author_id=OTHER_ID, reply_to=answer)
        store.add(f"@bob alice settles {number} for good", reply_to=follow)
        store.add(f"alice posts thought number {number} on her own")


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("a build must not open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_chat_jsonl_has_the_documented_shape_and_makes_no_request(store: TweetStore, tmp_path: Path,
                                                                  no_sockets: None) -> None:
    _threads(store, 5)
    report = _build(store.conn, tmp_path / "alice.jsonl", CHAT)
    [built] = report.files
    assert built.path == tmp_path / "alice.jsonl" and built.split is None
    records = [check_chat_line(line) for line in _lines(built.path)]
    assert len(records) == built.examples == 15 and report.requests == 0
    # Newest first, as a download writes: alice's last post, then her last answer under its true parent.
    assert records[0]["messages"][-1]["content"] == "alice posts thought number 4 on her own"
    assert records[1]["messages"] == [{"role": "user", "content": "bob follows up on 4"},
                                      {"role": "assistant", "content": "alice settles 4 for good"}]


def test_thread_depth_and_system_prompt_shape_the_turns(store: TweetStore, tmp_path: Path) -> None:
    _threads(store, 1)
    options = DatasetOptions(output_format="chat-jsonl", include_replies=True, thread_depth=3,
                             system_prompt="You are Alice.")
    report = _build(store.conn, tmp_path / "a.jsonl", options)
    deepest = check_chat_line(_lines(report.files[0].path)[1])
    assert [m["role"] for m in deepest["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert deepest["messages"][0]["content"] == "You are Alice."


def test_sentiment_as_metadata_or_token(store: TweetStore, tmp_path: Path) -> None:
    store.add("I love this wonderful sunny day")
    metadata = _build(store.conn, tmp_path / "m.jsonl", DatasetOptions(output_format="chat-jsonl", sentiment=3))
    token = _build(store.conn, tmp_path / "t.jsonl",
                   DatasetOptions(output_format="text-jsonl", sentiment=3, sentiment_style="token"))
    assert json.loads(_lines(metadata.files[0].path)[0])["sentiment"] == "POSITIVE"
    assert json.loads(_lines(token.files[0].path)[0]) == {
        "text": "<|sentiment:positive|> I love this wonderful sunny day"}


def test_no_conversation_spans_two_splits_and_the_same_seed_gives_the_same_files(store: TweetStore,
                                                                               tmp_path: Path) -> None:
    _threads(store, 60)
    options = DatasetOptions(output_format="chat-jsonl", include_replies=True, split=(0.6, 0.2, 0.2), seed=11)
    first = _build(store.conn, tmp_path / "one" / "alice.jsonl", options)
    again = _build(store.conn, tmp_path / "two" / "alice.jsonl", options)
    assert [f.path.name for f in first.files] == ["alice.train.jsonl", "alice.validation.jsonl", "alice.test.jsonl"]
    assert [f.sha256 for f in first.files] == [f.sha256 for f in again.files]
    assert all(f.examples for f in first.files) and sum(f.examples for f in first.files) == 180
    # Each thread's first question names it; every example of a thread must sit in one file.
    seen: dict[str, str] = {}
    for built in first.files:
        for line in _lines(built.path):
            record = check_chat_line(line)
            thread = next((word for m in record["messages"] for word in m["content"].split() if word.isdigit()), "")
            if record["messages"][0]["content"].startswith("bob") or "answers" in line or "settles" in line:
                assert seen.setdefault(thread, str(built.split)) == built.split, f"thread {thread} leaks"
    other_seed = _build(store.conn, tmp_path / "three" / "alice.jsonl",
                        DatasetOptions(output_format="chat-jsonl", include_replies=True, split=(0.6, 0.2, 0.2),
                                       seed=12))
    assert [f.sha256 for f in other_seed.files] != [f.sha256 for f in first.files]


def test_planted_near_duplicates_are_removed_and_counted(store: TweetStore, tmp_path: Path) -> None:
    base = "the release notes for version two cover speed memory and the new export formats in detail"
    store.add(base)
    store.add(base + " today")  # near
    store.add(base.upper())  # exact, by case
    store.add("a completely different post about the weather and the long walk home tonight")
    report = _build(store.conn, tmp_path / "d.csv", DatasetOptions(dedupe=True, near_duplicate_threshold=0.8))
    assert report.examples == 2 and report.near_duplicate_threshold == 0.8
    assert report.removed == {"exact duplicate": 1, "near duplicate": 1}
    # Read newest first, so the newest copy stays: the capitals, added last.
    assert report.files[0].path.read_bytes().decode() == (
        f"tweets\r\n{'a completely different post about the weather and the long walk home tonight'}\r\n"
        f"{base.upper()}\r\n")


def test_filters_and_scrubbing_are_counted_by_reason(store: TweetStore, tmp_path: Path) -> None:
    store.add("short")
    store.add("RT @bob: someone else's words entirely here")
    store.add("mail me at alice@example.com or call 555-123-4567 please")
    store.add("@bob was right about this", known_conversation=True)
    options = DatasetOptions(output_format="text-jsonl", min_length=10, scrub_contacts=True, scrub_mentions=True)
    report = _build(store.conn, tmp_path / "f.jsonl", options)
    assert report.removed == {"e-mail addresses": 1, "filtered by options": 1, "mentions": 1, "phone numbers": 1,
                              "too short": 1}
    assert report.scrubbed == {"e-mail addresses": 1, "mentions": 1, "phone numbers": 1}
    texts = [json.loads(line)["text"] for line in _lines(report.files[0].path)]
    assert texts == ["@USER was right about this", "mail me at [EMAIL] or call [PHONE] please"]


def test_report_counts_accounts_time_window_tokens_and_missing(store: TweetStore, tmp_path: Path) -> None:
    first = store.add("alice says one thing today")
    store.add("bob says another thing today", author="bob", author_id=BOB_ID)
    last = store.add("alice says a last thing today")
    report = _build(store.conn, tmp_path / "r.jsonl", DatasetOptions(output_format="text-jsonl", limit=1),
                    "alice", "@Bob", "nobody_here")
    assert [(a.username, a.tweets_read, a.examples) for a in report.accounts] == [("alice", 2, 1), ("bob", 1, 1)]
    assert report.missing == ("nobody_here",) and report.removed == {"over the limit": 1}
    assert report.first_tweet_at is not None and report.last_tweet_at is not None
    assert report.first_tweet_at.timestamp() == first.created_at + 1  # bob's, the oldest written
    assert report.last_tweet_at.timestamp() == last.created_at
    assert report.estimated_tokens == report.files[0].estimated_tokens > 0


def test_csv_from_a_build_is_what_the_streaming_writer_writes(store: TweetStore, tmp_path: Path) -> None:
    store.add('a "quoted" line, with a comma')
    report = _build(store.conn, tmp_path / "s.csv", DatasetOptions(split=(1.0, 0.0, 0.0)))
    train, validation, test = report.files
    assert train.path.read_bytes() == b'tweets\r\n"a ""quoted"" line, with a comma"\r\n'
    assert validation.path.read_bytes() == b"tweets\r\n" and test.examples == 0


def test_a_cancelled_build_leaves_existing_files_alone(store: TweetStore, tmp_path: Path) -> None:
    store.add("something worth keeping in a dataset")
    out = tmp_path / "keep.jsonl"
    out.write_text("the previous dataset\n", encoding="utf-8")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        build_dataset(store.conn, BuildRequest(("alice",), CHAT, out), cancel=token)
    assert out.read_text(encoding="utf-8") == "the previous dataset\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.jsonl"]
