"""Download tweets into a training dataset, saved as it goes and resumable after cancel, crash or kill -9.

Per page of one account: fetch -> keep (`should_keep`) -> clean, label, format -> append to the output file
and fsync -> ONE transaction with the page's tweets, the account's next cursor, its counters, the ids written
and the output file's new size. The file is the only thing outside SQLite, so it follows the database: a
resumed job first cuts the file back to the size committed with the last page. Whatever the crash point,
the file then holds exactly the examples of the committed pages (no duplicate, none lost), and the page that
was in flight is requested again (it was never committed, so no committed page is fetched twice). The last
page of an account and the account's end are committed together, so a kill after it costs no request at all.

`limit` counts tweets WRITTEN per account, as the original tool's limit did (it was applied per username):
ten accounts with limit 100 give up to 1,000 examples, 100 from each. Retweets are never requested.
The stored source (stored_source.py) runs the same way without a gateway: a rebuild makes no request.

Formats built from the store (`DatasetOptions.needs_build()`: chat pairs, de-duplication, splits) are not
streamed: the job stores every page as it goes (resumable the same way) and collects the ids that pass the
per-tweet filters; the caller then builds the files from the store (services/dataset_builds.py), which needs X
no more. For chat examples with several turns the job also stores each reply's missing ancestors (billed reads).
A built rebuild (`--from-store`) has nothing to store: the job only records the accounts and their stored counts.

An update (`DownloadRequest.update`) brings a finished download up to date: each account reads only tweets newer
than the newest one the job took (`since_id`, kept in the account's cursor while it pages), the streamed file
gains only those (ids written are tracked, so none twice), and a built dataset is built again from the store.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.core.progress import Progress, ProgressCallback
from twexport_qt.core.usernames import username_key
from twexport_qt.gateway.pacing import Pacer, WaitNotice
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.paths import check_output_path
from twexport_qt.store import tweets_repo
from twexport_qt.store.tweets_repo import AccountState, JobAccount, TweetJob, TweetJobState
from twexport_qt.tweets.cleaning import RemovalReason, clean_record, quality_problem, should_keep
from twexport_qt.tweets.dataset_format import Example, build_example
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.output_writers import DatasetWriter, OutputFileError, open_writer
from twexport_qt.tweets.records import TweetRecord
from twexport_qt.tweets.reply_context import LOOKUP_SOURCE, ReplyContextResolver, ReplyParents
from twexport_qt.tweets.sentiment import SentimentLabeler
from twexport_qt.tweets.sources import (
    AccountProblem,
    AccountUnavailable,
    SourceAccount,
    SourceKind,
    SourcePage,
    TweetSource,
    is_update_cursor,
    open_source,
    read_page,
    restart_cursor,
    update_cursor,
)
from twexport_qt.tweets.stored_source import StoredSource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DownloadRequest:
    """What to download: usernames (timeline/search/stored) or one archive path, the options and the output file."""

    sources: tuple[str, ...]
    source_kind: SourceKind
    options: DatasetOptions
    output_path: Path
    update: bool = False  # bring the finished download of the same request up to date with newer tweets only
    # The Sandbox's made-up X (True) or the real one: what the download stores its tweets and itself as, and the
    # only tweets and downloads it reads back (a rebuild, an update), so the two never mix.
    simulated: bool = False

    @property
    def archive_path(self) -> str | None:
        return self.sources[0] if self.source_kind == SourceKind.ARCHIVE and self.sources else None


@dataclass(frozen=True)
class DownloadProgress(Progress):
    """A `Progress` (done = examples written by the whole job) with the current account's counts."""

    account: str = ""
    account_number: int = 0  # 1-based
    account_count: int = 0
    fetched: int = 0  # the current account's tweets read
    written: int = 0  # ... written to the file
    skipped: int = 0  # ... filtered out or empty after cleaning


@dataclass(frozen=True)
class AccountOutcome:
    username: str
    state: AccountState  # RUNNING: stopped before its end
    fetched: int
    written: int
    skipped: int
    message: str = ""


@dataclass(frozen=True)
class DownloadSummary:
    job_id: int
    output_path: Path
    state: TweetJobState  # DONE (the job is complete); cancelled/failed raise instead
    resumed: bool
    already_complete: bool  # the same download had finished before: nothing was done
    written_total: int  # examples in the file from this job, earlier runs included (built formats: tweets taken)
    written_now: int
    fetched_now: int
    lookup_requests: int  # GET /2/tweets calls made for reply parents
    accounts: list[AccountOutcome] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)  # this run's tweets each per-tweet filter removed
    updated: bool = False  # this run brought a finished download up to date (newer tweets only)
    builds: bool = False  # the dataset is built from the store afterwards: the job only stored the tweets

    @property
    def problems(self) -> list[AccountOutcome]:
        return [account for account in self.accounts if account.state == AccountState.SKIPPED]


class UpdateNotPossible(errors.ConfigError):
    """`--update` asked for a dataset this request cannot update (none made yet, other options, another source)."""

    default_message = "This dataset cannot be updated."


def run_download(
    conn: sqlite3.Connection,
    gateway: XGateway | None,
    pacer: Pacer | None,
    clock: Clock,
    request: DownloadRequest,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_wait: Callable[[WaitNotice], None] | None = None,
    data_dir: Path | None = None,
) -> DownloadSummary:
    """Run (or resume) the download `request` describes. `on_wait` is only used when no `pacer` is given
    (a given pacer already reports its waits). Raises Cancelled, or a TwExportError the user can act on;
    the job then stays resumable: run the same request again. The output file may not lie in the app's
    `data_dir` (see `paths.check_output_path`); callers hold `AppContext.download_lock` for it."""
    options = request.options
    source: TweetSource
    if request.source_kind == SourceKind.STORED:
        gateway = pacer = None  # nothing may reach X, not even for a reply's parent: stored parents or none
        source = StoredSource(conn, options, simulated=request.simulated)
    else:
        if pacer is None and gateway is not None:
            pacer = Pacer(gateway.rate_limits, clock, cancel, on_wait)
        source = open_source(request.source_kind, options=options, gateway=gateway, pacer=pacer,
                             archive_path=request.archive_path)
    output = check_output_path(request.output_path, data_dir)
    builds = options.needs_build()
    key = tweets_repo.job_key(request.source_kind, request.sources, options.to_json(), str(output),
                              simulated=request.simulated)
    job = tweets_repo.find_job(conn, key)
    if job is not None and not _output_matches(job, output):
        if request.update:
            raise _output_gone(output)
        log.warning("Output %s of tweet job %s is gone: starting that download over", output, job.id)
        with conn:
            tweets_repo.delete_job(conn, job.id)
        job = None
    updated = False
    if request.update:
        job = _job_to_update(conn, job, request, output)
        if job.state == TweetJobState.DONE:
            _reopen_for_update(conn, job, clock)
            updated = True
        else:  # an update (or the download itself) was interrupted: finish it (update_scope prices which)
            updated = any(is_update_cursor(account.cursor) for account in tweets_repo.job_accounts(conn, job.id))
    if job is not None and job.state == TweetJobState.DONE:
        return _summary(conn, job, resumed=True, already_complete=True, run=_RunCounters(), builds=builds)

    resumed = job is not None
    writer: DatasetWriter | None = None
    if not builds:  # a built dataset is written from the store at the end: no file grows meanwhile
        if job is not None:
            _cut_back_to_committed(output, job)
        writer = open_writer(output, options.output_format)
    try:
        if job is None:
            job = _create_job(conn, source, request, key, output, writer, clock)
        run = _DownloadRun(conn, job, source, writer, request, clock, gateway, pacer, progress, cancel)
        run.execute()
    finally:
        if writer is not None:
            writer.close()
    return _summary(conn, job, resumed=resumed and not updated, already_complete=False, run=run.counters,
                    updated=updated, builds=builds)


# ----- updates --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UpdateScope:
    """What an update of `request` will read, known from the database before anything is requested, so that
    it can be priced and confirmed first (`tweets download --update`)."""

    finishes_download: bool  # the download itself never finished: the update first finishes it, as a download
    newer_only: tuple[str, ...] = ()  # accounts read only for tweets newer than the newest the dataset took
    read_whole: tuple[str, ...] = ()  # accounts the dataset took nothing from: read from the newest (limit applies)


def update_scope(conn: sqlite3.Connection, request: DownloadRequest, data_dir: Path | None = None) -> UpdateScope:
    """The accounts an update of `request` reads and how, or UpdateNotPossible (nothing read, nothing billed)
    with what to run instead: the same checks `run_download` makes, without changing anything."""
    output = check_output_path(request.output_path, data_dir)
    key = tweets_repo.job_key(request.source_kind, request.sources, request.options.to_json(), str(output),
                              simulated=request.simulated)
    job = tweets_repo.find_job(conn, key)
    if job is not None and not _output_matches(job, output):
        raise _output_gone(output)
    job = _job_to_update(conn, job, request, output)
    accounts = tweets_repo.job_accounts(conn, job.id)
    if job.state == TweetJobState.DONE:
        newest = tweets_repo.newest_taken_by_author(conn, job.id)
        readable = [a for a in accounts if a.state != AccountState.SKIPPED]
        bounded = {a.username for a in readable if a.user_id is not None and a.user_id in newest}
    elif any(is_update_cursor(account.cursor) for account in accounts):  # an interrupted update: finish it
        readable = [a for a in accounts if a.state not in (AccountState.DONE, AccountState.SKIPPED)]
        bounded = {a.username for a in readable if is_update_cursor(a.cursor)}
    else:
        return UpdateScope(finishes_download=True)
    return UpdateScope(False, tuple(a.username for a in readable if a.username in bounded),
                       tuple(a.username for a in readable if a.username not in bounded))


def _output_gone(output: Path) -> UpdateNotPossible:
    return UpdateNotPossible(f"{output} is gone: there is no dataset file to update. Download it again without "
                             "--update.")


def _job_to_update(conn: sqlite3.Connection, job: TweetJob | None, request: DownloadRequest,
                   output: Path) -> TweetJob:
    """The download `request` updates, or UpdateNotPossible with what to do instead."""
    if request.source_kind != SourceKind.TIMELINE:
        raise UpdateNotPossible("--update reads the accounts' timelines for their newest tweets: it works for "
                                "datasets downloaded from timelines (the default source).")
    if job is not None:
        return job
    others = tweets_repo.jobs_for_output(conn, str(output), simulated=request.simulated)
    if not others:
        raise UpdateNotPossible(f"No download made {output} yet: run the command without --update first.")
    made_with = DatasetOptions.from_json(others[0].options_json)
    differences = options_differences(made_with, request.options)
    if differences:
        raise UpdateNotPossible(
            f"{output} was made with other options ({'; '.join(differences)}): give the same options to update "
            "it, or build a new dataset under another --output.")
    names = ", ".join(tweets_repo.job_usernames(conn, [others[0].id])[others[0].id])
    raise UpdateNotPossible(f"{output} was made from other accounts ({names}) or another source: give the same "
                            "accounts and source to update it, or choose another --output.")


def options_differences(made_with: DatasetOptions, asked: DatasetOptions) -> list[str]:
    """'sentiment: 0 (now 3)' for each option that differs, in the options' order."""
    old, new = json.loads(made_with.to_json()), json.loads(asked.to_json())  # as stored: dates as text
    names = [f.name for f in dataclasses.fields(DatasetOptions)]
    return [f"{name}: {_shown(made_with, old, name)} (now {_shown(asked, new, name)})" for name in names
            if getattr(made_with, name) != getattr(asked, name)]


def _shown(options: DatasetOptions, stored: dict[str, Any], name: str) -> str:
    """An option's value as stored (dates as ISO text); newer fields at their default are not stored."""
    return repr(stored[name] if name in stored else getattr(options, name))


def _reopen_for_update(conn: sqlite3.Connection, job: TweetJob, clock: Clock) -> None:
    """Set each account of a finished job to read only tweets newer than the newest it took; skipped accounts
    (X refused them) stay skipped. One transaction, so an update killed here has not started."""
    accounts = tweets_repo.job_accounts(conn, job.id)
    newest = tweets_repo.newest_taken_by_author(conn, job.id)
    with conn:
        for account in accounts:
            if account.state == AccountState.SKIPPED:
                continue
            since_id = newest.get(account.user_id) if account.user_id is not None else None
            # An account the job took nothing from is read whole again: written ids still prevent duplicates.
            tweets_repo.reopen_account(conn, account, update_cursor(since_id) if since_id is not None else None)
        tweets_repo.set_job_state(conn, job.id, TweetJobState.RUNNING, int(clock.now()))
    job.state = TweetJobState.RUNNING
    log.info("Updating tweet job %s: newest tweets taken per account %s", job.id, newest)


# ----- the output file follows the database ---------------------------------------------------------------

def _output_matches(job: TweetJob, output: Path) -> bool:
    """False when the job's output file was deleted (a fresh download is what the user wants then)."""
    return output.exists() or job.output_bytes == 0


def _cut_back_to_committed(output: Path, job: TweetJob) -> None:
    """Drop what was appended after the last committed page: those examples are written again on resume."""
    size = output.stat().st_size if output.exists() else 0
    if size < job.output_bytes:
        raise OutputFileError(
            f"{output} is shorter than this download left it ({size:,} < {job.output_bytes:,} bytes): it was "
            "edited or replaced. Move it away to start the download over, or choose another output file.")
    if size > job.output_bytes:
        log.info("Cutting %s back from %d to %d bytes (examples of an uncommitted page)", output, size,
                 job.output_bytes)
        with open(output, "r+b") as file:
            file.truncate(job.output_bytes)


def _durable_size(writer: DatasetWriter | None, output: Path) -> int:
    if writer is None:  # a built dataset: nothing is appended while the job runs
        return 0
    writer.flush()  # fsync: the size committed next must never exceed what is on disk
    return output.stat().st_size


def _create_job(conn: sqlite3.Connection, source: TweetSource, request: DownloadRequest, key: str, output: Path,
                writer: DatasetWriter | None, clock: Clock) -> TweetJob:
    accounts, problems = source.resolve(list(request.sources))
    with conn:
        job, _ = tweets_repo.create_or_resume_job(conn, key, request.options.to_json(), str(output),
                                                  int(clock.now()), simulated=request.simulated,
                                                  output_bytes=_durable_size(writer, output))
        tweets_repo.ensure_accounts(conn, job.id, _in_request_order(request.sources, accounts, problems))
        rows = {row.username: row for row in tweets_repo.job_accounts(conn, job.id)}
        for account in accounts:
            tweets_repo.set_account_user_id(conn, rows[account.username], account.user_id)
        for problem in problems:
            tweets_repo.finish_account(conn, rows[problem.username], AccountState.SKIPPED, problem.reason)
    for problem in problems:
        log.info("Skipping @%s: %s", problem.username, problem.reason)
    return job


def _in_request_order(names: Sequence[str], accounts: list[SourceAccount],
                      problems: list[AccountProblem]) -> list[str]:
    """Account names in the order the user listed them (X's spelling for found accounts)."""
    spelled = {username_key(a.username): a.username for a in accounts}
    spelled |= {username_key(p.username): p.username for p in problems}
    ordered = [spelled.pop(username_key(name)) for name in names if username_key(name) in spelled]
    return ordered + list(spelled.values())  # an archive's owner is not among the names asked for


# ----- one run --------------------------------------------------------------------------------------------

def removal_reason(tweet: TweetRecord, options: DatasetOptions) -> RemovalReason | None:
    """Why `tweet` stays out of the dataset on its own (the options' rules, then the per-tweet quality filters:
    empty once cleaned, too short, another language), or None. Duplicates are a built dataset's matter."""
    if not should_keep(tweet, options):
        return RemovalReason.FILTERED
    return quality_problem(tweet, clean_record(tweet, options), options)


@dataclass
class _RunCounters:
    written: int = 0
    fetched: int = 0
    lookup_requests: int = 0
    removed: Counter[str] = field(default_factory=Counter)


class _DownloadRun:
    def __init__(self, conn: sqlite3.Connection, job: TweetJob, source: TweetSource, writer: DatasetWriter | None,
                 request: DownloadRequest, clock: Clock, gateway: XGateway | None, pacer: Pacer | None,
                 progress: ProgressCallback | None, cancel: CancelToken | None) -> None:
        self.conn, self.job, self.source, self.writer = conn, job, source, writer
        self.options = request.options
        self.simulated = request.simulated
        self.output = Path(job.output_path)
        self.clock, self.progress, self.cancel = clock, progress, cancel
        self.labeler = SentimentLabeler(self.options.sentiment)
        self.builds = writer is None
        self.scrubs = self.options.scrub_contacts or self.options.scrub_mentions or self.options.scrub_links
        self.resolver = ReplyContextResolver(conn, clock, gateway, pacer, simulated=request.simulated)
        self.counters = _RunCounters()
        self.started = clock.now()

    def execute(self) -> None:
        accounts = tweets_repo.job_accounts(self.conn, self.job.id)
        try:
            for number, account in enumerate(accounts, start=1):
                if account.state in (AccountState.DONE, AccountState.SKIPPED):
                    continue
                self._download_account(account, number, len(accounts))
            with self.conn:
                tweets_repo.set_job_state(self.conn, self.job.id, TweetJobState.DONE, int(self.clock.now()))
        except (errors.Cancelled, KeyboardInterrupt):
            self._set_state(TweetJobState.CANCELLED)
            raise
        except Exception:
            self._set_state(TweetJobState.FAILED)
            raise
        finally:
            self.counters.lookup_requests = self.resolver.lookup_requests

    def _set_state(self, state: TweetJobState) -> None:
        try:
            with self.conn:
                tweets_repo.set_job_state(self.conn, self.job.id, state, int(self.clock.now()))
        except sqlite3.Error:  # the original error matters more; the job stays resumable either way
            log.exception("Could not record tweet job %s as %s", self.job.id, state)

    def _limit_for(self, account: JobAccount) -> int | None:
        """The limit counts what the first download took; an update takes every newer tweet."""
        return None if is_update_cursor(account.cursor) else self.options.limit

    def _download_account(self, account: JobAccount, number: int, count: int) -> None:
        limit = self._limit_for(account)
        with self.conn:
            tweets_repo.start_account(self.conn, account, account.user_id)
        target = SourceAccount(account.username, account.user_id)
        log.info("Downloading tweets of @%s (%d/%d), cursor %s", account.username, number, count, account.cursor)
        self._report(account, number, count)
        if limit is not None and account.written >= limit:  # reached before a kill stopped it from saying so
            with self.conn:
                tweets_repo.finish_account(self.conn, account, AccountState.DONE)
            return
        if self.builds and isinstance(self.source, StoredSource):
            # A build from the store reads the tweets itself: walking them here first would only cost time.
            with self.conn:
                tweets_repo.advance_account(self.conn, account, None, fetched=self.source.count(target), written=0,
                                            skipped=0)
                tweets_repo.finish_account(self.conn, account, AccountState.DONE)
            return
        while account.state != AccountState.DONE:
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            try:
                page = read_page(self.source, target, account.cursor, wanted=self._reads_wanted(account, limit))
            except AccountUnavailable as exc:
                log.info("Skipping @%s: %s", account.username, exc.user_message)
                with self.conn:
                    tweets_repo.finish_account(self.conn, account, AccountState.SKIPPED, exc.user_message)
                return
            except errors.BadRequestError:
                if account.cursor is None:
                    raise
                # X's pagination tokens expire; start the account over: written ids are never written twice.
                log.warning("X refused the stored cursor of @%s; reading its tweets from the start", account.username)
                account.cursor = restart_cursor(account.cursor)
                continue
            self._commit_page(account, page)
            self._report(account, number, count)

    @staticmethod
    def _reads_wanted(account: JobAccount, limit: int | None) -> int | None:
        """How many posts the next page should bring (None: a full page): what the limit still needs, since X
        bills each post a page returns. When the filters dropped some of the account's posts so far, the page
        grows by the share they kept, so that it is likely to bring enough; all dropped: a full page."""
        if limit is None:
            return None
        needed = max(1, limit - account.written)
        if account.fetched <= account.written:  # nothing dropped so far (or nothing read yet)
            return needed
        if account.written == 0:
            return None
        return math.ceil(needed * account.fetched / account.written)

    def _commit_page(self, account: JobAccount, page: SourcePage) -> None:
        limit = self._limit_for(account)  # before the page moves the cursor past an update's last page
        selected, skipped = self._select(account, page.tweets, limit)
        if self.builds:
            self._store_ancestors(selected, page)
            written_ids = [record.id for record in selected]  # taken for the build, which writes them
            unwritten = 0
        else:
            writer = self.writer
            assert writer is not None  # streamed formats always have one
            examples = self._examples(selected, page)
            for _, example in examples:
                writer.write(example.text, example.label)
            written_ids = [record.id for record, _ in examples]
            unwritten = len(selected) - len(examples)
            if self.scrubs:  # what scrubbing replaced, counted on the tweets written only
                for record, _ in examples:
                    clean_record(record, self.options, self.counters.removed)
        size = _durable_size(self.writer, self.output)
        finished = not page.next_cursor or (limit is not None and account.written + len(written_ids) >= limit)
        now = int(self.clock.now())
        # The page, the cursor after it, what reached the file and, after the last page, the account's end:
        # all or nothing, so a kill right after the last page never makes the next run read the account again.
        with self.conn:
            if self.source.stored_as is not None:  # tweets read from the table keep their source and date
                tweets_repo.upsert_tweets(self.conn, page.tweets, source=self.source.stored_as, fetched_at=now,
                                          simulated=self.simulated)
            tweets_repo.upsert_tweets(self.conn, page.parents.values(), source=LOOKUP_SOURCE, fetched_at=now,
                                      simulated=self.simulated)
            tweets_repo.mark_written(self.conn, self.job.id, written_ids)
            tweets_repo.advance_account(self.conn, account, page.next_cursor, fetched=len(page.tweets),
                                        written=len(written_ids), skipped=skipped + unwritten)
            tweets_repo.commit_output(self.conn, self.job.id, len(written_ids), size, now)
            if finished:
                tweets_repo.finish_account(self.conn, account, AccountState.DONE)
        self.job.written += len(written_ids)
        self.job.output_bytes = size
        self.counters.written += len(written_ids)
        self.counters.fetched += len(page.tweets)

    def _select(self, account: JobAccount, tweets: Sequence[TweetRecord],
                limit: int | None) -> tuple[list[TweetRecord], int]:
        """The page's tweets to write, in order and within the limit, and how many were filtered out.

        Emptiness after cleaning and the per-tweet filters (length, language) are checked here, before the limit
        is applied and parents are looked up, so the limit counts real examples and no read is spent on a tweet
        that will not be written. What each filter removed is counted for the summary.
        """
        options = self.options
        wanted = []
        for tweet in tweets:
            reason = removal_reason(tweet, options)
            if reason is None:
                wanted.append(tweet)
            else:
                self.counters.removed[reason] += 1
        skipped = len(tweets) - len(wanted)
        done = tweets_repo.already_written(self.conn, self.job.id, [t.id for t in wanted])
        fresh = [t for t in wanted if t.id not in done]
        if limit is not None:
            fresh = fresh[:max(0, limit - account.written)]
        return fresh, skipped

    def _store_ancestors(self, selected: list[TweetRecord], page: SourcePage) -> None:
        """For a built dataset: make sure the store holds what its examples need besides the tweets themselves,
        the ancestors of each reply up to the thread depth (the reply format: its parent and thread's first
        tweet). Looked-up tweets are stored as they arrive; the page's included parents commit with the page."""
        options = self.options
        chat, reply_layout = options.output_format == "chat-jsonl", options.text_format == "reply"
        replies = [t for t in selected if t.is_reply]
        if not replies or not (chat or reply_layout):  # other layouts show a tweet alone: nothing to read
            return
        known = {**page.parents, **{t.id: t for t in page.tweets}}
        if chat:
            self.resolver.ancestors(replies, known, page.unavailable, depth=options.thread_depth)
        else:
            self.resolver.resolve(replies, known, page.unavailable)

    def _examples(self, selected: list[TweetRecord], page: SourcePage) -> list[tuple[TweetRecord, Example]]:
        parents: dict[int, ReplyParents] = {}
        if self.options.text_format == "reply":
            replies = [t for t in selected if t.is_reply]
            if replies:
                known = {**page.parents, **{t.id: t for t in page.tweets}}
                parents = self.resolver.resolve(replies, known, page.unavailable)
        examples = []
        for record in selected:
            context = parents.get(record.id)
            example = build_example(record, self.options, self.labeler,
                                    root=context.root if context else None,
                                    in_reply_to=context.in_reply_to if context else None)
            if example is not None:
                examples.append((record, example))
        return examples

    def _report(self, account: JobAccount, number: int, count: int) -> None:
        if self.progress is None:
            return
        limit = self._limit_for(account)
        total = limit * count if limit is not None else None
        done = self.job.written
        eta = None
        elapsed = self.clock.now() - self.started
        if total and self.counters.written and elapsed > 0 and done < total:
            eta = (total - done) / (self.counters.written / elapsed)
        message = (f"@{account.username} ({number}/{count}): {account.fetched:,} read, {account.written:,} written, "
                   f"{account.skipped:,} skipped")
        self.progress(DownloadProgress(done, total, message, eta, account=account.username, account_number=number,
                                       account_count=count, fetched=account.fetched, written=account.written,
                                       skipped=account.skipped))


def _summary(conn: sqlite3.Connection, job: TweetJob, *, resumed: bool, already_complete: bool,
             run: _RunCounters, updated: bool = False, builds: bool = False) -> DownloadSummary:
    stored = tweets_repo.job_summary(conn, job.id)
    accounts = [AccountOutcome(a.username, a.state, a.fetched, a.written, a.skipped, a.message)
                for a in stored.accounts]
    return DownloadSummary(job.id, Path(job.output_path), stored.job.state, resumed, already_complete,
                           stored.job.written, run.written, run.fetched, run.lookup_requests, accounts,
                           removed=dict(run.removed), updated=updated, builds=builds)
