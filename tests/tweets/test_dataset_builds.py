"""Datasets built from the store after a download (services/dataset_builds.py): chat JSONL with splits and
de-duplication from the sandbox, a rebuild that makes no request, a killed download that resumes to the same
files, and an update of a built dataset."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from tests.tweets.download_support import make_gateway
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import FakeClock
from twexport_qt.core.errors import Cancelled
from twexport_qt.datasets.builder import prepare_dataset
from twexport_qt.sandbox.population import WELL_KNOWN
from twexport_qt.sandbox.request_log import read_entries
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.services.dataset_builds import run_dataset
from twexport_qt.store.database import open_database
from twexport_qt.tweets.cleaning import clean_text
from twexport_qt.tweets.download import DownloadRequest
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import SourceKind

USER_IDS = {user.username: user.id for user in WELL_KNOWN}
CHAT = DatasetOptions(include_replies=True, output_format="chat-jsonl", dedupe=True, split=(0.8, 0.1, 0.1), seed=3,
                      thread_depth=2, scrub_contacts=True)
SPLIT_FILES = ("train", "validation", "test")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=1_740_000_000)  # inside the sandbox accounts' years: timelines grow as it moves on


@pytest.fixture
def logged_server(clock, tmp_path):
    log = tmp_path / "requests.jsonl"
    with running_sandbox(clock=clock, request_log=log) as running:
        yield running, log


def split_files(output: Path) -> dict[str, Path]:
    return {name: output.with_name(f"{output.stem}.{name}{output.suffix}") for name in SPLIT_FILES}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_chat_shape(example: dict) -> None:
    """The documented chat shape (OpenAI / Hugging Face `messages`): optional system turn, then user and
    assistant turns alternating, ending with the assistant."""
    messages = example["messages"]
    roles = [message["role"] for message in messages]
    assert all(set(message) == {"role", "content"} and isinstance(message["content"], str) and message["content"]
               for message in messages)
    turns = roles[1:] if roles[0] == "system" else roles
    assert turns and turns[-1] == "assistant" and turns[0] == "user"
    assert all(role == ("user" if index % 2 == 0 else "assistant") for index, role in enumerate(turns))


def test_chat_jsonl_with_splits_and_dedupe_from_the_sandbox(tmp_path, clock, logged_server):
    server, _ = logged_server
    conn = open_database(":memory:")
    output = tmp_path / "out" / "people.jsonl"
    request = DownloadRequest(("carol_codes", "bob_builds"), SourceKind.TIMELINE, CHAT, output)
    result = run_dataset(conn, make_gateway(server), None, clock, request)

    report = result.build
    assert report is not None and report.requests == 0
    files = split_files(output)
    assert [built.path for built in report.files] == list(files.values()) and not output.exists()
    examples = {name: read_jsonl(path) for name, path in files.items()}
    for lines in examples.values():
        for example in lines:
            assert_chat_shape(example)
    assert [built.examples for built in report.files] == [len(examples[name]) for name in SPLIT_FILES]
    assert len(examples["train"]) > len(examples["validation"]) > 0 and examples["test"]

    # By conversation: the prepared examples, in file order, are the files' lines, and no conversation is in
    # two splits.
    prepared = list(prepare_dataset(conn, ["carol_codes", "bob_builds"], CHAT, simulated=False).examples)
    for name in SPLIT_FILES:
        assert [json.loads(p.entry.text) for p in prepared if p.split == name] == examples[name]
    splits_of: dict[int, set[str]] = {}
    for example in prepared:
        splits_of.setdefault(example.conversation_id, set()).add(example.split)
    assert all(len(splits) == 1 for splits in splits_of.values())
    assert any(len([e for e in prepared if e.conversation_id == c]) > 1 for c in splits_of)  # threads

    # The planted echoes: of each pair (a post, then the same post with a link, a hashtag or its last word
    # changed) at most one is written; contacts are scrubbed, with counts.
    world = server.state.tweets
    answers = {example["messages"][-1]["content"] for lines in examples.values() for example in lines}
    carol = USER_IDS["carol_codes"]
    pairs = [k for k in range(world.last_index_at_or_before(carol, clock.now()) + 1)
             if world.echo_kind(carol, k) is not None]
    assert len(pairs) >= 5
    for k in pairs:
        texts = {clean_text(world.tweet(carol, j).text) for j in (k - 1, k)}
        assert len(texts & answers) <= 1
    assert report.removed["exact duplicate"] > 0 and report.removed["near duplicate"] > 0
    assert report.removed["e-mail addresses"] > 0 and report.removed["phone numbers"] > 0
    assert not any("@example.com" in answer for answer in answers) and any("[EMAIL]" in a for a in answers)

    # The card names each file with its SHA-256.
    assert report.card_path is not None and report.card_path.exists()
    card = report.card_path.read_text(encoding="utf-8")
    for path in files.values():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest in card and digest == next(b.sha256 for b in report.files if b.path == path)


def test_a_rebuild_from_the_store_makes_zero_requests(tmp_path, clock, logged_server):
    server, log = logged_server
    conn = open_database(":memory:")
    downloaded = tmp_path / "dl" / "bob.jsonl"
    run_dataset(conn, make_gateway(server), None, clock,
                DownloadRequest(("bob_builds",), SourceKind.TIMELINE, CHAT, downloaded))
    requests = len(read_entries(log))
    assert requests > 0

    rebuilt = tmp_path / "rebuilt" / "bob.jsonl"
    gateway = make_gateway(server)
    result = run_dataset(conn, gateway, None, clock, DownloadRequest(("bob_builds",), SourceKind.STORED, CHAT,
                                                                     rebuilt))
    assert len(read_entries(log)) == requests and gateway.calls == {}  # zero requests, the gateway untouched
    assert result.build is not None and result.build.requests == 0 and result.download.lookup_requests == 0
    for name, path in split_files(rebuilt).items():
        assert path.read_bytes() == split_files(downloaded)[name].read_bytes()


def test_a_killed_build_download_resumes_to_the_same_files(tmp_path, clock, logged_server):
    server, log = logged_server
    options = dataclasses.replace(CHAT, thread_depth=3)
    reference = tmp_path / "reference" / "bob.jsonl"
    run_dataset(open_database(":memory:"), make_gateway(server), None, clock,
                DownloadRequest(("bob_builds",), SourceKind.TIMELINE, options, reference))

    conn = open_database(":memory:")
    output = tmp_path / "killed" / "bob.jsonl"
    request = DownloadRequest(("bob_builds",), SourceKind.TIMELINE, options, output)
    cancel = CancelToken()

    def cancel_after_three_pages(progress) -> None:
        if getattr(progress, "fetched", 0) >= 300:
            cancel.cancel()

    with pytest.raises(Cancelled):
        run_dataset(conn, make_gateway(server), None, clock, request, progress=cancel_after_three_pages,
                    cancel=cancel)
    assert not any(path.exists() for path in split_files(output).values())  # nothing built before the end
    logged = len(read_entries(log))
    resumed = run_dataset(conn, make_gateway(server), None, clock, request)
    timeline = [e for e in read_entries(log)[logged:] if e["endpoint"] == "user_tweets"]
    assert "pagination_token" in timeline[0]["query"]  # resumed after the committed pages
    assert resumed.download.resumed
    for name, path in split_files(output).items():
        assert path.read_bytes() == split_files(reference)[name].read_bytes()


def test_an_update_of_a_built_dataset_reads_only_newer_tweets_and_builds_again(tmp_path, clock, logged_server):
    server, log = logged_server
    world, carol = server.state.tweets, USER_IDS["carol_codes"]
    conn = open_database(":memory:")
    options = DatasetOptions(output_format="text-jsonl", dedupe=True)
    request = DownloadRequest(("carol_codes",), SourceKind.TIMELINE, options, tmp_path / "carol.jsonl")
    first = run_dataset(conn, make_gateway(server), None, clock, request)
    newest = world.last_index_at_or_before(carol, clock.now())
    clock.advance(70 * 86_400)
    new = world.last_index_at_or_before(carol, clock.now()) - newest
    logged = len(read_entries(log))

    updated = run_dataset(conn, make_gateway(server), None, clock, dataclasses.replace(request, update=True))

    [asked] = [e for e in read_entries(log)[logged:] if e["endpoint"] == "user_tweets"]
    assert asked["query"]["since_id"] == str(world.id_of(carol, newest)) and asked["items"] == new
    assert updated.download.updated and updated.build is not None and first.build is not None
    assert updated.build.tweets_read == first.build.tweets_read + new
    texts = [line["text"] for line in read_jsonl(request.output_path)]
    assert len(texts) == len(set(texts)) == updated.build.examples  # rebuilt whole: no duplicates


def test_deeper_chat_threads_widen_the_estimates_high_end_only():
    from decimal import Decimal

    from twexport_qt.billing.estimates import TweetAccount, estimate_tweet_download
    from twexport_qt.billing.prices import DEFAULT_PRICES
    from twexport_qt.services.dataset_builds import with_thread_lookups

    base = estimate_tweet_download([TweetAccount("bob", 2000)], DEFAULT_PRICES, limit=500, include_replies=True)
    deep = with_thread_lookups(base, dataclasses.replace(CHAT, thread_depth=3), DEFAULT_PRICES)
    per_hop = Decimal("0.005") + Decimal("0.010")  # a post and its author
    assert deep.low == base.low and deep.high == base.high + per_hop * 500 * 2
    assert "thread depth 3" in deep.sentence
    assert with_thread_lookups(base, dataclasses.replace(CHAT, thread_depth=1), DEFAULT_PRICES) == base
    assert with_thread_lookups(base, dataclasses.replace(CHAT, output_format="text-jsonl", thread_depth=3),
                               DEFAULT_PRICES) == base  # only chat examples have earlier turns


class Crash(RuntimeError):
    """The app dying at a chosen point (the process is gone: nothing after it runs)."""


def test_crashes_in_a_lookup_and_in_the_build_resume_to_the_same_files(tmp_path, clock, logged_server,
                                                                        monkeypatch):
    from twexport_qt.datasets import card as card_module
    from twexport_qt.tweets import download as download_module

    server, _ = logged_server
    options = dataclasses.replace(CHAT, thread_depth=3)
    reference = tmp_path / "reference" / "bob.jsonl"
    run_dataset(open_database(":memory:"), make_gateway(server, drop_included_tweets=True), None, clock,
                DownloadRequest(("bob_builds",), SourceKind.TIMELINE, options, reference))
    db = tmp_path / "twexport.sqlite3"
    request = DownloadRequest(("bob_builds",), SourceKind.TIMELINE, options, tmp_path / "crashed" / "bob.jsonl")

    real_fetch = download_module.ReplyContextResolver._fetch
    fetches = {"n": 0}

    def dying_fetch(self, ids):
        fetches["n"] += 1
        result = real_fetch(self, ids)  # X answered and the ancestors were stored...
        if fetches["n"] == 3:
            raise Crash()  # ...then the app died before the page committed
        return result

    monkeypatch.setattr(download_module.ReplyContextResolver, "_fetch", dying_fetch)
    with pytest.raises(Crash):
        run_dataset(open_database(db), make_gateway(server, drop_included_tweets=True), None, clock, request)
    monkeypatch.undo()

    def dying_card(*args, **kwargs):
        raise Crash()  # the files are written, the app dies before the card

    monkeypatch.setattr(card_module, "write_card", dying_card)
    with pytest.raises(Crash):
        run_dataset(open_database(db), make_gateway(server, drop_included_tweets=True), None, clock, request)
    monkeypatch.undo()

    # A new connection, as after a restart: the download is complete, the build runs again from the store.
    finished = run_dataset(open_database(db), make_gateway(server, drop_included_tweets=True), None, clock, request)
    assert finished.download.already_complete and finished.build is not None
    for name, path in split_files(request.output_path).items():
        assert path.read_bytes() == split_files(reference)[name].read_bytes()
    assert finished.build.card_path is not None and finished.build.card_path.exists()
