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
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
from twexport_qt.tweets.cleaning import clean_text, should_keep
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
    open_source,
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
    written_total: int  # examples in the file from this job, earlier runs included
    written_now: int
    fetched_now: int
    lookup_requests: int  # GET /2/tweets calls made for reply parents
    accounts: list[AccountOutcome] = field(default_factory=list)

    @property
    def problems(self) -> list[AccountOutcome]:
        return [account for account in self.accounts if account.state == AccountState.SKIPPED]


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
        source = StoredSource(conn, options)
    else:
        if pacer is None and gateway is not None:
            pacer = Pacer(gateway.rate_limits, clock, cancel, on_wait)
        source = open_source(request.source_kind, options=options, gateway=gateway, pacer=pacer,
                             archive_path=request.archive_path)
    output = check_output_path(request.output_path, data_dir)
    key = tweets_repo.job_key(request.source_kind, request.sources, options.to_json(), str(output))
    job = tweets_repo.find_job(conn, key)
    if job is not None and not _output_matches(job, output):
        log.warning("Output %s of tweet job %s is gone: starting that download over", output, job.id)
        with conn:
            tweets_repo.delete_job(conn, job.id)
        job = None
    if job is not None and job.state == TweetJobState.DONE:
        return _summary(conn, job, resumed=True, already_complete=True, run=_RunCounters())

    resumed = job is not None
    if job is not None:
        _cut_back_to_committed(output, job)
    writer = open_writer(output, options.output_format)
    try:
        if job is None:
            job = _create_job(conn, source, request, key, output, writer, clock)
        run = _DownloadRun(conn, job, source, writer, request, clock, gateway, pacer, progress, cancel)
        run.execute()
    finally:
        writer.close()
    return _summary(conn, job, resumed=resumed, already_complete=False, run=run.counters)


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


def _durable_size(writer: DatasetWriter, output: Path) -> int:
    writer.flush()  # fsync: the size committed next must never exceed what is on disk
    return output.stat().st_size


def _create_job(conn: sqlite3.Connection, source: TweetSource, request: DownloadRequest, key: str, output: Path,
                writer: DatasetWriter, clock: Clock) -> TweetJob:
    accounts, problems = source.resolve(list(request.sources))
    with conn:
        job, _ = tweets_repo.create_or_resume_job(conn, key, request.options.to_json(), str(output),
                                                  int(clock.now()), output_bytes=_durable_size(writer, output))
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

@dataclass
class _RunCounters:
    written: int = 0
    fetched: int = 0
    lookup_requests: int = 0


class _DownloadRun:
    def __init__(self, conn: sqlite3.Connection, job: TweetJob, source: TweetSource, writer: DatasetWriter,
                 request: DownloadRequest, clock: Clock, gateway: XGateway | None, pacer: Pacer | None,
                 progress: ProgressCallback | None, cancel: CancelToken | None) -> None:
        self.conn, self.job, self.source, self.writer = conn, job, source, writer
        self.options = request.options
        self.output = Path(job.output_path)
        self.clock, self.progress, self.cancel = clock, progress, cancel
        self.labeler = SentimentLabeler(self.options.sentiment)
        self.resolver = ReplyContextResolver(conn, clock, gateway, pacer)
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

    def _download_account(self, account: JobAccount, number: int, count: int) -> None:
        limit = self.options.limit
        with self.conn:
            tweets_repo.start_account(self.conn, account, account.user_id)
        target = SourceAccount(account.username, account.user_id)
        log.info("Downloading tweets of @%s (%d/%d), cursor %s", account.username, number, count, account.cursor)
        self._report(account, number, count)
        if limit is not None and account.written >= limit:  # reached before a kill stopped it from saying so
            with self.conn:
                tweets_repo.finish_account(self.conn, account, AccountState.DONE)
            return
        while account.state != AccountState.DONE:
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            try:
                page = self.source.fetch_page(target, account.cursor)
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
                account.cursor = None
                continue
            self._commit_page(account, page)
            self._report(account, number, count)

    def _commit_page(self, account: JobAccount, page: SourcePage) -> None:
        selected, skipped = self._select(account, page.tweets)
        examples = self._examples(selected, page)
        for _, example in examples:
            self.writer.write(example.text, example.label)
        size = _durable_size(self.writer, self.output)
        written_ids = [record.id for record, _ in examples]
        limit = self.options.limit
        finished = not page.next_cursor or (limit is not None and account.written + len(written_ids) >= limit)
        now = int(self.clock.now())
        # The page, the cursor after it, what reached the file and, after the last page, the account's end:
        # all or nothing, so a kill right after the last page never makes the next run read the account again.
        with self.conn:
            if self.source.stored_as is not None:  # tweets read from the table keep their source and date
                tweets_repo.upsert_tweets(self.conn, page.tweets, source=self.source.stored_as, fetched_at=now)
            tweets_repo.upsert_tweets(self.conn, page.parents.values(), source=LOOKUP_SOURCE, fetched_at=now)
            tweets_repo.mark_written(self.conn, self.job.id, written_ids)
            tweets_repo.advance_account(self.conn, account, page.next_cursor, fetched=len(page.tweets),
                                        written=len(written_ids), skipped=skipped + len(selected) - len(examples))
            tweets_repo.commit_output(self.conn, self.job.id, len(written_ids), size, now)
            if finished:
                tweets_repo.finish_account(self.conn, account, AccountState.DONE)
        self.job.written += len(written_ids)
        self.job.output_bytes = size
        self.counters.written += len(written_ids)
        self.counters.fetched += len(page.tweets)

    def _select(self, account: JobAccount, tweets: Sequence[TweetRecord]) -> tuple[list[TweetRecord], int]:
        """The page's tweets to write, in order and within the limit, and how many were filtered out.

        Emptiness after cleaning is checked here, before the limit is applied and parents are looked up, so
        the limit counts real examples and no read is spent on a tweet that will not be written.
        """
        options = self.options
        wanted = [t for t in tweets if should_keep(t, options) and clean_text(
            t.text, strip_usertags=options.strip_usertags, strip_hashtags=options.strip_hashtags,
            is_reply=t.is_reply)]
        skipped = len(tweets) - len(wanted)
        done = tweets_repo.already_written(self.conn, self.job.id, [t.id for t in wanted])
        fresh = [t for t in wanted if t.id not in done]
        if options.limit is not None:
            fresh = fresh[:max(0, options.limit - account.written)]
        return fresh, skipped

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
        limit = self.options.limit
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
             run: _RunCounters) -> DownloadSummary:
    stored = tweets_repo.job_summary(conn, job.id)
    accounts = [AccountOutcome(a.username, a.state, a.fetched, a.written, a.skipped, a.message)
                for a in stored.accounts]
    return DownloadSummary(job.id, Path(job.output_path), stored.job.state, resumed, already_complete,
                           stored.job.written, run.written, run.fetched, run.lookup_requests, accounts)
