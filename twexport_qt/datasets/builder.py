"""Build a dataset from the stored tweets, with no request to X: filters, de-duplication, conversations, splits.

The order of the steps: read each account's stored tweets (newest first, as a download serves them) -> keep
(`should_keep`) -> clean and scrub -> minimum length -> language -> exact and near duplicates -> the per-account
limit -> conversations and layout -> split -> write each file atomically -> the card. Every per-tweet rule is
the streaming download's own (tweets/cleaning.py, sentiment.py, dataset_format.py), so a built csv/jsonl/txt
holds what a download with the same options writes, less what de-duplication removes.

The result for an example depends only on the tweets before it in that order (duplicates keep their newest
copy, splits hash the conversation), so the preview (preview.py) computes the first examples from the first
tweets alone and they match the built file.

Memory (a million tweets in under 1 GB): of each kept tweet only its cleaned text and a row of ids stay in
memory (candidates.py), plus the stored tweets some kept tweet hangs from (a reply is newer than its parent, so
it is read first and says which parent to keep); examples go to their files as they are laid out.
"""

from __future__ import annotations

import gc
import logging
import math
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import SystemClock
from twexport_qt.core.progress import Progress, ProgressCallback
from twexport_qt.core.usernames import unique_usernames, username_key
from twexport_qt.datasets import card, formats
from twexport_qt.datasets.candidates import CandidateTable
from twexport_qt.datasets.conversations import ThreadIndex, chat_turns
from twexport_qt.datasets.dedupe import find_duplicates
from twexport_qt.datasets.splits import split_path, splitter
from twexport_qt.store import tweets_repo
from twexport_qt.store.tweets_repo import AuthorTweets, TweetPosition
from twexport_qt.tweets.cleaning import (
    SCRUBBED_REASONS,
    RemovalReason,
    clean_record,
    quality_problem,
    should_keep,
)
from twexport_qt.tweets.dataset_format import build_example
from twexport_qt.tweets.options import SPLIT_NAMES, DatasetOptions
from twexport_qt.tweets.records import TweetRecord
from twexport_qt.tweets.reply_context import ReplyContextResolver, ReplyParents
from twexport_qt.tweets.sentiment import SentimentLabeler

log = logging.getLogger(__name__)

READ_PAGE_SIZE = 5000  # stored tweets per query: few queries, bounded rows in flight


@dataclass(frozen=True)
class BuildRequest:
    """What to build: the accounts (their stored tweets), the options, and the file name the user chose.

    With a split the files are `<stem>.train<suffix>`, `<stem>.validation<suffix>`, `<stem>.test<suffix>`.
    """

    usernames: tuple[str, ...]
    options: DatasetOptions
    out_path: Path
    write_card: bool = True
    simulated: bool = False  # the world whose stored tweets it reads: the Sandbox's, or real X's (the download's)


@dataclass(frozen=True)
class BuiltFile:
    """One file written: its split (None without a split), examples, SHA-256, bytes and estimated tokens."""

    path: Path
    split: str | None
    examples: int
    sha256: str
    size: int
    estimated_tokens: int


@dataclass(frozen=True)
class AccountCounts:
    """One account's part: its stored tweets read, and the examples written from them."""

    username: str
    tweets_read: int
    examples: int


@dataclass(frozen=True)
class BuildReport:
    """What a build did. `removed` counts, by RemovalReason value ("exact duplicate", "too short", ...), the
    tweets left out, and the pieces of text scrubbing replaced ("e-mail addresses", "phone numbers", ...)."""

    files: tuple[BuiltFile, ...]
    tweets_read: int
    removed: dict[str, int]
    near_duplicate_threshold: float | None  # None: de-duplication off
    accounts: tuple[AccountCounts, ...]
    missing: tuple[str, ...]  # asked for, nothing stored
    first_tweet_at: datetime | None  # of the examples written
    last_tweet_at: datetime | None
    card_path: Path | None = None
    requests: int = 0  # requests to X: always 0, said so the wizard and the CLI can show it

    @property
    def examples(self) -> int:
        return sum(built.examples for built in self.files)

    @property
    def estimated_tokens(self) -> int:
        return sum(built.estimated_tokens for built in self.files)

    @property
    def scrubbed(self) -> dict[str, int]:
        """The scrubbing part of `removed`: placeholders written, by kind."""
        kinds = {str(reason) for reason in SCRUBBED_REASONS}
        return {key: count for key, count in self.removed.items() if key in kinds}



@dataclass(slots=True)
class PreparedExample:
    """An example ready to write: its entry, the split it goes to, and where it came from."""

    account: str
    created_at: int  # of the tweet, Unix epoch seconds
    conversation_id: int
    split: str | None
    entry: formats.Entry


@dataclass
class PreparedDataset:
    """A build's examples, laid out lazily in file order (iterate `examples` once), and the counts so far:
    `removed` gains the examples' own counts (scrubbing) as they are laid out."""

    examples: Iterator[PreparedExample]
    tweets_read: int
    removed: Counter[str]
    read_per_account: dict[str, int]
    missing: tuple[str, ...]
    complete: bool = True  # False: stopped at `tweet_cap` (a preview)


def build_dataset(conn: sqlite3.Connection, request: BuildRequest, *, progress: ProgressCallback | None = None,
                  cancel: CancelToken | None = None) -> BuildReport:
    """Build the dataset `request` describes from stored tweets and write its files (and card).

    Makes no request to X: it takes no gateway, and reads the tweets and their parents from the store only.
    Raises Cancelled (nothing is replaced then: every file is written whole or not at all).
    """
    with _automatic_gc_paused():
        return _build_dataset(conn, request, progress, cancel)


@contextmanager
def _automatic_gc_paused() -> Iterator[None]:
    """Pause Python's automatic cyclic garbage collection while a build runs.

    A build holds hundreds of thousands of records (the parents of kept tweets) for its whole length, and every
    automatic full collection walks all of them: a tenth of a 1M-tweet build, with nothing to find, since a
    build makes no reference cycles (reference counting frees all it drops). The pause is process-wide, so it
    is short-lived and undone however the build ends; a build that finds collection already paused (another
    build in another thread, or the host's choice) leaves it as it is.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _build_dataset(conn: sqlite3.Connection, request: BuildRequest, progress: ProgressCallback | None,
                   cancel: CancelToken | None) -> BuildReport:
    options = request.options
    prepared = prepare_dataset(conn, request.usernames, options, simulated=request.simulated, progress=progress,
                               cancel=cancel)
    targets = {split: formats.AtomicFile(split_path(request.out_path, split), formats.file_header(options))
               for split in _split_names(options)}
    # Plain dicts set up front and local names: this loop runs once per example.
    examples: dict[str | None, int] = dict.fromkeys(targets, 0)
    tokens: dict[str | None, int] = dict.fromkeys(targets, 0)
    per_account: Counter[str] = Counter()
    writers = {split: target.write for split, target in targets.items()}
    first_entry = ""
    first_time: int | None = None
    last_time: int | None = None
    try:
        for count, example in enumerate(prepared.examples, start=1):
            split, entry = example.split, example.entry
            writers[split](entry.text)
            examples[split] += 1
            tokens[split] += entry.tokens
            per_account[example.account] += 1
            created = example.created_at
            if first_time is None or last_time is None:
                first_entry, first_time, last_time = entry.text, created, created
            elif created < first_time:
                first_time = created
            elif created > last_time:
                last_time = created
            if count % 10_000 == 0:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                _report(progress, count, f"Wrote {count:,} examples")
        written = {split: target.commit() for split, target in targets.items()}
    finally:
        for target in targets.values():
            target.discard()  # a no-op for committed files
    files = tuple(BuiltFile(done.path, split, examples[split], done.sha256, done.size, tokens[split])
                  for split, done in written.items())
    report = BuildReport(
        files=files,
        tweets_read=prepared.tweets_read,
        removed={str(reason): count for reason, count in sorted(prepared.removed.items()) if count},
        near_duplicate_threshold=options.near_duplicate_threshold if options.dedupe else None,
        accounts=tuple(AccountCounts(name, read, per_account[name])
                       for name, read in prepared.read_per_account.items()),
        missing=prepared.missing,
        first_tweet_at=datetime.fromtimestamp(first_time, UTC) if first_time is not None else None,
        last_tweet_at=datetime.fromtimestamp(last_time, UTC) if last_time is not None else None,
    )
    if request.write_card:
        card_path = card.write_card(request.out_path, request.usernames, options, report, first_entry)
        report = replace(report, card_path=card_path)
    log.info("Built %d examples in %d file(s) from %d stored tweets", report.examples, len(files),
             report.tweets_read)
    return report


def prepare_dataset(conn: sqlite3.Connection, usernames: Sequence[str], options: DatasetOptions, *,
                    simulated: bool, tweet_cap: int | None = None, progress: ProgressCallback | None = None,
                    cancel: CancelToken | None = None) -> PreparedDataset:
    """Every example of the dataset, in file order, without writing anything, from the tweets stored in one world
    (`simulated`: the Sandbox's, else real X's). `tweet_cap` stops reading after that many stored tweets (the
    preview): the examples found are then exactly the first ones of the build."""
    removed: Counter[str] = Counter()
    names = unique_usernames(usernames)
    authors = tweets_repo.stored_authors(conn, [username_key(name) for name in names], simulated=simulated)
    missing = tuple(name for name in names if username_key(name) not in authors)
    total = sum(author.tweets for author in authors.values())
    parents = _ParentKeeper()
    candidates = CandidateTable()
    read_per_account: dict[str, int] = {}
    tweets_read = 0
    complete = True
    for name in names:
        author = authors.get(username_key(name))
        if author is None:
            continue
        read_per_account[author.username] = 0
        page_size = READ_PAGE_SIZE if tweet_cap is None else max(1, min(READ_PAGE_SIZE, tweet_cap))
        for page in _stored_pages(conn, author.user_id, author.username, options, page_size, simulated=simulated):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if tweet_cap is not None and tweets_read + len(page) > tweet_cap:
                page = page[:tweet_cap - tweets_read]
                complete = False
            tweets_read += len(page)
            read_per_account[author.username] += len(page)
            _keep_page(author.username, page, options, removed, candidates, parents)
            _report(progress, tweets_read, f"Read {tweets_read:,} stored tweets of @{author.username}", total)
            if not complete:
                break
        if not complete:
            break
    candidates = _without_duplicates(candidates, options, removed)
    candidates = _within_limit(candidates, options, removed)
    if cancel is not None:
        cancel.raise_if_cancelled()
    examples = _render(conn, candidates, parents.kept, options, removed)
    return PreparedDataset(examples, tweets_read, removed, read_per_account, missing, complete)


class _ParentKeeper:
    """Keeps, of the tweets read, those a kept tweet hangs from: its parent and its thread's first tweet (and,
    in turn, theirs). Tweets are read newest first, so a reply always asks before its parent comes by."""

    def __init__(self) -> None:
        self.kept: dict[int, TweetRecord] = {}
        self._wanted: set[int] = set()

    def want_parents_of(self, record: TweetRecord) -> None:
        if record.in_reply_to_tweet_id is not None:
            self._wanted.add(record.in_reply_to_tweet_id)
            if record.conversation_id is not None:
                self._wanted.add(record.conversation_id)

    def offer(self, record: TweetRecord) -> None:
        if record.id in self._wanted:
            self.kept[record.id] = record
            self.want_parents_of(record)


def _split_names(options: DatasetOptions) -> tuple[str | None, ...]:
    return SPLIT_NAMES if options.split is not None else (None,)


def _stored_pages(conn: sqlite3.Connection, user_id: int | None, username: str, options: DatasetOptions,
                  page_size: int, *, simulated: bool) -> Iterator[list[TweetRecord]]:
    """The account's stored tweets, newest first, `page_size` at a time (the stored source's query)."""
    query = AuthorTweets(user_id, username,
                         start=math.floor(options.start.timestamp()) if options.start else None,
                         end=math.ceil(options.end.timestamp()) if options.end else None,
                         include_replies=options.include_replies, simulated=simulated)
    after: TweetPosition | None = None
    while True:
        page = tweets_repo.author_tweets_page(conn, query, after, page_size)
        if page:
            yield page
        if len(page) < page_size:
            return
        after = TweetPosition(page[-1].created_at, page[-1].id)


def _keep_page(account: str, page: list[TweetRecord], options: DatasetOptions, removed: Counter[str],
               candidates: CandidateTable, parents: _ParentKeeper) -> None:
    """Add the tweets of `page` that pass the per-tweet rules to `candidates` (counting why the others did not),
    and have `parents` keep what they hang from."""
    kept: list[TweetRecord] = []
    texts: list[str] = []
    # One counter reused until scrubbing replaces something: most tweets have nothing to scrub.
    scrubbed: Counter[str] | None = Counter() if _scrubs(options) else None
    for record in page:
        parents.offer(record)
        if not should_keep(record, options):
            removed[RemovalReason.FILTERED] += 1
            continue
        text = clean_record(record, options, scrubbed)
        problem = quality_problem(record, text, options)
        if problem is not None:
            removed[problem] += 1
            if scrubbed:
                scrubbed.clear()  # a tweet left out is not written: what it had scrubbed is not counted
            continue
        kept.append(record)
        texts.append(text)
        if scrubbed:
            candidates.scrubbed[record.id] = scrubbed
            scrubbed = Counter()
        parents.want_parents_of(record)
    candidates.add_many(account, kept, texts)


def _scrubs(options: DatasetOptions) -> bool:
    return options.scrub_contacts or options.scrub_mentions or options.scrub_links


def _without_duplicates(candidates: CandidateTable, options: DatasetOptions,
                        removed: Counter[str]) -> CandidateTable:
    if not options.dedupe:
        return candidates
    reasons = find_duplicates(candidates.texts, near_threshold=options.near_duplicate_threshold)
    removed.update(reason for reason in reasons if reason is not None)
    return candidates.select([row for row, reason in enumerate(reasons) if reason is None])


def _within_limit(candidates: CandidateTable, options: DatasetOptions, removed: Counter[str]) -> CandidateTable:
    """At most `limit` examples per account, the newest, as a download counts its limit (tweets written)."""
    limit = options.limit
    if limit is None:
        return candidates
    taken: Counter[str] = Counter()
    rows = []
    for row in range(len(candidates)):
        account = candidates.account(row)
        if taken[account] < limit:
            taken[account] += 1
            rows.append(row)
    removed[RemovalReason.OVER_LIMIT] += len(candidates) - len(rows)
    return candidates.select(rows)


def _render(conn: sqlite3.Connection, candidates: CandidateTable, known: dict[int, TweetRecord],
            options: DatasetOptions, removed: Counter[str]) -> Iterator[PreparedExample]:
    """Lay each candidate out in the output format, with its conversation and split."""
    threads = ThreadIndex(conn, known)
    depth = options.thread_depth if options.output_format == "chat-jsonl" else 1
    threads.load(candidates.replies(), depth)
    parents: dict[int, ReplyParents] = {}
    if options.text_format == "reply" and options.output_format != "chat-jsonl":
        # The download's own resolver, without a gateway: parents come from the store or not at all.
        resolver = ReplyContextResolver(conn, SystemClock())
        replies = list(candidates.replies())
        parents = resolver.resolve(replies, known) if replies else {}
    layout = _Layout(options, SentimentLabeler(options.sentiment), threads)
    texts, scrubbed_of = candidates.texts, candidates.scrubbed
    assign_split = splitter(options.split, options.seed) if options.split is not None else None
    chat = options.output_format == "chat-jsonl"
    for row in candidates.rows():
        text = texts[row.row]
        if chat and row.in_reply_to_tweet_id is None:
            # Most tweets answer none: no record, no thread walk (the same entry and conversation, cheaper).
            entry: formats.Entry | None = layout.original_chat_entry(text)
            conversation = row.tweet_id if row.conversation_id is None else row.conversation_id
        else:
            record = candidates.record(row.row)
            entry = layout.entry(record, text, parents.get(record.id))
            conversation = threads.conversation_id(record)
        if entry is None:  # cannot happen for a candidate (its text is not empty); kept for safety
            removed[RemovalReason.EMPTY] += 1
            continue
        scrubbed = scrubbed_of.get(row.tweet_id)
        if scrubbed:
            removed.update(scrubbed)
        split = assign_split(conversation) if assign_split is not None else None
        yield PreparedExample(row.account, row.created_at, conversation, split, entry)


class _Layout:
    """Lays one candidate out in the output format (the label from its own cleaned text, as downloads do)."""

    def __init__(self, options: DatasetOptions, labeler: SentimentLabeler, threads: ThreadIndex) -> None:
        self.options, self.labeler, self.threads = options, labeler, threads
        # text-jsonl lays the example out without its label line: the label goes in as metadata or a token.
        self.unlabelled = replace(options, sentiment=0)
        self.no_labels = SentimentLabeler(0)
        self._cleaned: dict[int, str] = {}  # tweets above replies, cleaned once however many replies they have

    def _clean_context(self, tweet: TweetRecord) -> str:
        text = self._cleaned.get(tweet.id)
        if text is None:
            text = self._cleaned[tweet.id] = clean_record(tweet, self.options)
        return text

    def original_chat_entry(self, text: str) -> formats.Entry:
        """The chat entry of a tweet that answers none: what `entry` gives it, without building its turns."""
        return formats.original_chat_entry(text, self.labeler.label(text) if self.labeler.enabled else None,
                                           self.options)

    def entry(self, record: TweetRecord, text: str, context: ReplyParents | None) -> formats.Entry | None:
        options = self.options
        if options.output_format == "chat-jsonl":
            turns = chat_turns(record, text, self.threads.ancestors(record, options.thread_depth),
                               self._clean_context)
            return formats.chat_entry(turns, self.labeler.label(text), options)
        root = context.root if context else None
        in_reply_to = context.in_reply_to if context else None
        if options.output_format == "text-jsonl":
            plain = build_example(record, self.unlabelled, self.no_labels, root=root, in_reply_to=in_reply_to,
                                  cleaned=text)
            return formats.text_entry(plain.text, self.labeler.label(text), options) if plain else None
        example = build_example(record, options, self.labeler, root=root, in_reply_to=in_reply_to, cleaned=text)
        return formats.streaming_entry(example.text, example.label, options) if example else None


def _report(progress: ProgressCallback | None, done: int, message: str, total: int | None = None) -> None:
    if progress is not None:
        progress(Progress(done, total, message))

