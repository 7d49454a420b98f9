"""Tweets and tweet-download jobs: the `tweets`, `tweet_jobs`, `tweet_job_accounts`, `tweet_job_output` tables.

Nothing here commits: the download commits one page at a time (tweets, cursor, counters, written ids and the
output file's size together), so every function is meant to run inside the caller's `with conn:` block.
The states are `StrEnum`s whose members equal the stored strings: rows read back compare equal to them.
Tweets and downloads belong to a world, `simulated` (the Sandbox's made-up X) or not (the real one): every read
that builds or lists a dataset names its world, so the Sandbox's tweets never reach a real profile's dataset.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from twexport_qt.tweets.records import TWEETS_COLUMNS, TweetRecord


class TweetJobState(StrEnum):
    """Where a download stands; every state but DONE resumes when the same download runs again."""

    RUNNING = "running"  # running now, or interrupted (crash, kill) before it could record an end
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class AccountState(StrEnum):
    """Where one account of a download stands."""

    PENDING = "pending"  # not started yet
    RUNNING = "running"  # started; its cursor says where the next page starts
    DONE = "done"
    SKIPPED = "skipped"  # X does not show its tweets (the message says why)

_IN_CHUNK = 500  # ids per `IN (...)`: far below SQLite's variable limit

_WRITTEN_COLUMNS = (*TWEETS_COLUMNS, "simulated")
_UPSERT_TWEET = (
    f"INSERT INTO tweets ({', '.join(_WRITTEN_COLUMNS)}) VALUES ({', '.join(':' + c for c in _WRITTEN_COLUMNS)}) "
    "ON CONFLICT(id) DO UPDATE SET "
    # A later sighting may know less (archives have no conversation id, lookups may lack the username).
    "author_id = COALESCE(excluded.author_id, tweets.author_id), "
    "author_username = CASE WHEN excluded.author_username != '' THEN excluded.author_username "
    "ELSE tweets.author_username END, "
    "created_at = COALESCE(excluded.created_at, tweets.created_at), text = excluded.text, "
    "conversation_id = COALESCE(excluded.conversation_id, tweets.conversation_id), "
    "in_reply_to_tweet_id = excluded.in_reply_to_tweet_id, in_reply_to_user_id = excluded.in_reply_to_user_id, "
    "quoted_tweet_id = excluded.quoted_tweet_id, is_retweet = excluded.is_retweet, "
    "fetched_at = excluded.fetched_at, lang = COALESCE(excluded.lang, tweets.lang), "
    # X's ids and the Sandbox's are both snowflakes: should one ever name a tweet of each, the latest writer owns it.
    "simulated = excluded.simulated"
)


# ----- tweets ---------------------------------------------------------------------------------------------

def upsert_tweets(conn: sqlite3.Connection, records: Iterable[TweetRecord], *, source: str, fetched_at: int,
                  simulated: bool) -> int:
    """Insert or refresh `records`; `source` says where they came from (timeline | search | archive | lookup),
    `simulated` whether the Sandbox made them up."""
    rows = [{**record.to_row(source=source, fetched_at=fetched_at), "simulated": int(simulated)}
            for record in records]
    conn.executemany(_UPSERT_TWEET, rows)
    return len(rows)


def get_tweets(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, TweetRecord]:
    """The stored tweets among `ids`, by id (missing ids are simply absent)."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, TweetRecord] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start:start + _IN_CHUNK]
        rows = _plain_cursor(conn).execute(f"SELECT {', '.join(TWEETS_COLUMNS)} FROM tweets WHERE id IN "
                                           f"({', '.join('?' * len(chunk))})", chunk)
        for row in rows:
            record = TweetRecord.from_columns(row)
            found[record.id] = record
    return found


@dataclass(frozen=True)
class StoredAuthor:
    """An account whose own tweets the `tweets` table holds, as the latest of them spell and number it."""

    username: str  # X's spelling, as last stored
    user_id: int | None  # None: only tweets without an author id (an archive that did not name its owner's id)
    tweets: int  # its tweets stored, retweets left out


@dataclass(frozen=True)
class AuthorTweets:
    """Which stored tweets of one account to read: by its id when known (renames included), else by username."""

    user_id: int | None
    username: str
    start: int | None = None  # epoch seconds, inclusive
    end: int | None = None  # epoch seconds, exclusive
    include_replies: bool = True
    simulated: bool = False  # the world read: the Sandbox's tweets, or real X's


@dataclass(frozen=True)
class TweetPosition:
    """Where a newest-first read of an account's tweets stopped: the last tweet served."""

    created_at: int
    tweet_id: int


def stored_authors(conn: sqlite3.Connection, usernames: Sequence[str], *, simulated: bool) -> dict[str, StoredAuthor]:
    """The accounts among `usernames` with tweets of their own stored in the world `simulated` names (the
    Sandbox's, or real X's), by lower-cased username.

    Matched on `author_username` case-insensitively (X's usernames are ASCII), in one pass over the table; when
    a name was worn by two account ids over time, the one stored last wins. Tweets stored under the same id
    with an older spelling count too.
    """
    wanted = list(dict.fromkeys(name.lower() for name in usernames))
    found: dict[str, tuple[str, int | None]] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start:start + _IN_CHUNK]
        rows = conn.execute(
            "SELECT lower(author_username) AS name_key, author_id, MAX(author_username), MAX(fetched_at) AS last "
            f"FROM tweets WHERE lower(author_username) IN ({', '.join('?' * len(chunk))}) AND is_retweet = 0 "
            "AND simulated = ? GROUP BY name_key, author_id ORDER BY author_id IS NOT NULL, last",
            [*chunk, int(simulated)])
        for name_key, author_id, spelled, _last in rows:
            found[name_key] = (spelled, author_id)  # ordered so that an id, then the latest, wins
    return {key: StoredAuthor(spelled, author_id,
                              count_author_tweets(conn, AuthorTweets(author_id, spelled, simulated=simulated)))
            for key, (spelled, author_id) in found.items()}


def _author_filter(query: AuthorTweets, after: TweetPosition | None = None) -> tuple[str, list[object]]:
    """The WHERE clause of `query`, from just after `after` (the `(author_id, created_at)` index serves it when
    the id is known: one upper bound on `created_at`, so a page starts where the last one ended, not at the top)."""
    values: list[object]
    if query.user_id is not None:
        clauses, values = ["author_id = ?"], [query.user_id]
    else:
        clauses, values = ["author_id IS NULL", "lower(author_username) = ?"], [query.username.lower()]
    clauses += ["is_retweet = 0", "created_at IS NOT NULL", "simulated = ?"]  # X dates every tweet it serves
    values.append(int(query.simulated))
    if not query.include_replies:
        clauses.append("in_reply_to_tweet_id IS NULL")
    if query.start is not None:
        clauses.append("created_at >= ?")
        values.append(query.start)
    if after is not None:  # tighter than `end`: every tweet served so far was before it
        clauses.append("created_at <= ? AND (created_at < ? OR id < ?)")
        values += [after.created_at, after.created_at, after.tweet_id]
    elif query.end is not None:
        clauses.append("created_at < ?")
        values.append(query.end)
    return " AND ".join(clauses), values


def count_author_tweets(conn: sqlite3.Connection, query: AuthorTweets) -> int:
    where, values = _author_filter(query)
    return int(conn.execute(f"SELECT COUNT(*) FROM tweets WHERE {where}", values).fetchone()[0])


def author_tweets_page(conn: sqlite3.Connection, query: AuthorTweets, after: TweetPosition | None,
                       size: int) -> list[TweetRecord]:
    """Up to `size` of the account's stored tweets, newest first, from just after `after` (None: the newest)."""
    where, values = _author_filter(query, after)
    rows = _plain_cursor(conn).execute(f"SELECT {', '.join(TWEETS_COLUMNS)} FROM tweets WHERE {where} "
                                       "ORDER BY created_at DESC, id DESC LIMIT ?", [*values, size])
    return [TweetRecord.from_columns(row) for row in rows]


def _plain_cursor(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor giving plain tuples whatever the connection's row factory: tweets are read by the million."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor


# ----- jobs -----------------------------------------------------------------------------------------------

@dataclass
class TweetJob:
    id: int
    key: str
    options_json: str
    output_path: str
    state: TweetJobState
    written: int
    output_bytes: int  # size of the output file when the last page was committed
    created_at: int
    updated_at: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> TweetJob:
        job = cls(*tuple(row))
        job.state = TweetJobState(job.state)
        return job


@dataclass
class JobAccount:
    job_id: int
    username: str
    user_id: int | None
    cursor: str | None  # pagination token (or archive position) of the next page to request
    state: AccountState
    fetched: int
    written: int
    skipped: int
    message: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> JobAccount:
        account = cls(*tuple(row))
        account.state = AccountState(account.state)
        return account


@dataclass(frozen=True)
class JobSummary:
    job: TweetJob
    accounts: list[JobAccount]
    marked: int  # rows in tweet_job_output: equals job.written for a consistent job


_JOB_COLUMNS = "id, key, options_json, output_path, state, written, output_bytes, created_at, updated_at"
_ACCOUNT_COLUMNS = "job_id, username, user_id, cursor, state, fetched, written, skipped, message"


def job_key(source_kind: str, sources: Sequence[str], options_json: str, output_path: str, *,
            simulated: bool) -> str:
    """Stable id of "the same download": same world, source kind, accounts (or archive), options and output file.

    Usernames are case-insensitive on X, so they are folded; their order matters (it is the download order).
    A Sandbox download's key starts with "sandbox:" (as migration 12 made the older ones'), so the same request on
    a real profile is another download and real keys stay as they were.
    """
    canonical = json.dumps({"kind": source_kind, "sources": [s.lower() for s in sources],
                            "options": json.loads(options_json), "output": output_path}, sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"sandbox:{digest}" if simulated else digest


def find_job(conn: sqlite3.Connection, key: str) -> TweetJob | None:
    row = conn.execute(f"SELECT {_JOB_COLUMNS} FROM tweet_jobs WHERE key = ?", (key,)).fetchone()
    return TweetJob.from_row(row) if row else None


def get_job(conn: sqlite3.Connection, job_id: int) -> TweetJob | None:
    row = conn.execute(f"SELECT {_JOB_COLUMNS} FROM tweet_jobs WHERE id = ?", (job_id,)).fetchone()
    return TweetJob.from_row(row) if row else None


def list_jobs(conn: sqlite3.Connection, *, simulated: bool, limit: int = 500) -> list[TweetJob]:
    """The downloads of one world (the Sandbox's, or real X's), newest first (the Tweet datasets tab and
    `export tweets`)."""
    rows = conn.execute(f"SELECT {_JOB_COLUMNS} FROM tweet_jobs WHERE simulated = ? "
                        "ORDER BY updated_at DESC, id DESC LIMIT ?", (int(simulated), limit))
    return [TweetJob.from_row(row) for row in rows]


def create_or_resume_job(conn: sqlite3.Connection, key: str, options_json: str, output_path: str, now: int,
                         *, simulated: bool = False, output_bytes: int = 0) -> tuple[TweetJob, bool]:
    """The job with `key`, created (state running, with `output_bytes` as the file's starting size, in the world
    `simulated` names) if new. Returns (job, created)."""
    existing = find_job(conn, key)
    if existing is not None:
        return existing, False
    cur = conn.execute(
        "INSERT INTO tweet_jobs (key, options_json, output_path, state, written, output_bytes, created_at, "
        "updated_at, simulated) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
        (key, options_json, output_path, TweetJobState.RUNNING, output_bytes, now, now, int(simulated)))
    job_id = cur.lastrowid
    assert job_id is not None  # an INSERT always sets it
    return TweetJob(job_id, key, options_json, output_path, TweetJobState.RUNNING, 0, output_bytes, now, now), True


def jobs_for_output(conn: sqlite3.Connection, output_path: str, *, simulated: bool) -> list[TweetJob]:
    """The downloads of one world that wrote `output_path`, newest first (an update names the options one was
    made with)."""
    rows = conn.execute(f"SELECT {_JOB_COLUMNS} FROM tweet_jobs WHERE output_path = ? AND simulated = ? "
                        "ORDER BY updated_at DESC, id DESC", (output_path, int(simulated)))
    return [TweetJob.from_row(row) for row in rows]


def delete_job(conn: sqlite3.Connection, job_id: int) -> None:
    """Forget a job, its accounts and its written ids (cascade); the tweets stay cached."""
    conn.execute("DELETE FROM tweet_job_output WHERE job_id = ?", (job_id,))
    conn.execute("DELETE FROM tweet_job_accounts WHERE job_id = ?", (job_id,))
    conn.execute("DELETE FROM tweet_jobs WHERE id = ?", (job_id,))


def set_job_state(conn: sqlite3.Connection, job_id: int, state: TweetJobState, now: int) -> None:
    state = TweetJobState(state)  # a stray string raises ValueError here, before anything is written
    conn.execute("UPDATE tweet_jobs SET state = ?, updated_at = ? WHERE id = ?", (state, now, job_id))


def commit_output(conn: sqlite3.Connection, job_id: int, written: int, output_bytes: int, now: int) -> None:
    """Record `written` more examples and the output file's new durable size (same transaction as their ids)."""
    conn.execute("UPDATE tweet_jobs SET written = written + ?, output_bytes = ?, updated_at = ? WHERE id = ?",
                 (written, output_bytes, now, job_id))


# ----- per-account progress -------------------------------------------------------------------------------

def ensure_accounts(conn: sqlite3.Connection, job_id: int, usernames: Iterable[str]) -> None:
    """Add the accounts a job has not seen yet, as pending; existing rows (and their cursors) are kept."""
    conn.executemany("INSERT OR IGNORE INTO tweet_job_accounts (job_id, username, state) VALUES (?, ?, ?)",
                     [(job_id, name, AccountState.PENDING) for name in usernames])


def job_usernames(conn: sqlite3.Connection, job_ids: Sequence[int]) -> dict[int, list[str]]:
    """The accounts of each of `job_ids`, in download order: one query for a whole list of downloads."""
    names: dict[int, list[str]] = {job_id: [] for job_id in job_ids}
    wanted = list(names)
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start:start + _IN_CHUNK]
        rows = conn.execute(f"SELECT job_id, username FROM tweet_job_accounts WHERE job_id IN "
                            f"({', '.join('?' * len(chunk))}) ORDER BY rowid", chunk)
        for job_id, username in rows:
            names[job_id].append(username)
    return names


def job_accounts(conn: sqlite3.Connection, job_id: int) -> list[JobAccount]:
    """The job's accounts in the order they were added (the download order)."""
    rows = conn.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM tweet_job_accounts WHERE job_id = ? ORDER BY rowid",
                        (job_id,))
    return [JobAccount.from_row(row) for row in rows]


def set_account_user_id(conn: sqlite3.Connection, account: JobAccount, user_id: int | None) -> None:
    account.user_id = user_id
    conn.execute("UPDATE tweet_job_accounts SET user_id = ? WHERE job_id = ? AND username = ?",
                 (user_id, account.job_id, account.username))


def start_account(conn: sqlite3.Connection, account: JobAccount, user_id: int | None) -> None:
    account.user_id, account.state = user_id, AccountState.RUNNING
    conn.execute("UPDATE tweet_job_accounts SET user_id = ?, state = ? WHERE job_id = ? AND username = ?",
                 (user_id, AccountState.RUNNING, account.job_id, account.username))


def advance_account(conn: sqlite3.Connection, account: JobAccount, cursor: str | None, *, fetched: int,
                    written: int, skipped: int) -> None:
    """Record one committed page of `account`: the cursor of the next page and the page's counts."""
    account.cursor = cursor
    account.fetched += fetched
    account.written += written
    account.skipped += skipped
    conn.execute("UPDATE tweet_job_accounts SET cursor = ?, fetched = ?, written = ?, skipped = ? "
                 "WHERE job_id = ? AND username = ?",
                 (cursor, account.fetched, account.written, account.skipped, account.job_id, account.username))


def reopen_account(conn: sqlite3.Connection, account: JobAccount, cursor: str | None) -> None:
    """Make a finished account pending again from `cursor` (an update), keeping its counters."""
    account.state, account.cursor, account.message = AccountState.PENDING, cursor, ""
    conn.execute("UPDATE tweet_job_accounts SET state = ?, cursor = ?, message = '' WHERE job_id = ? AND username = ?",
                 (AccountState.PENDING, cursor, account.job_id, account.username))


def finish_account(conn: sqlite3.Connection, account: JobAccount, state: AccountState, message: str = "") -> None:
    state = AccountState(state)  # a stray string raises ValueError here, before anything is written
    account.state, account.message = state, message
    conn.execute("UPDATE tweet_job_accounts SET state = ?, message = ? WHERE job_id = ? AND username = ?",
                 (state, message, account.job_id, account.username))


# ----- what went into the output file ---------------------------------------------------------------------

def mark_written(conn: sqlite3.Connection, job_id: int, tweet_ids: Iterable[int]) -> None:
    conn.executemany("INSERT OR IGNORE INTO tweet_job_output (job_id, tweet_id) VALUES (?, ?)",
                     [(job_id, tweet_id) for tweet_id in tweet_ids])


def already_written(conn: sqlite3.Connection, job_id: int, ids: Iterable[int]) -> set[int]:
    """The subset of `ids` this job has already written to its output file."""
    wanted = list(dict.fromkeys(ids))
    found: set[int] = set()
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start:start + _IN_CHUNK]
        rows = conn.execute(f"SELECT tweet_id FROM tweet_job_output WHERE job_id = ? AND tweet_id IN "
                            f"({', '.join('?' * len(chunk))})", (job_id, *chunk))
        found.update(row[0] for row in rows)
    return found


def newest_taken_by_author(conn: sqlite3.Connection, job_id: int) -> dict[int, int]:
    """The newest tweet id the job took (wrote, or collected for a build), by author id: where an update of
    the job starts reading (`since_id`)."""
    rows = conn.execute("SELECT t.author_id, MAX(o.tweet_id) FROM tweet_job_output AS o JOIN tweets AS t "
                        "ON t.id = o.tweet_id WHERE o.job_id = ? AND t.author_id IS NOT NULL GROUP BY t.author_id",
                        (job_id,))
    return {int(author_id): int(newest) for author_id, newest in rows}


def job_summary(conn: sqlite3.Connection, job_id: int) -> JobSummary:
    job = get_job(conn, job_id)
    if job is None:
        raise KeyError(f"no tweet job {job_id}")
    marked = conn.execute("SELECT COUNT(*) FROM tweet_job_output WHERE job_id = ?", (job_id,)).fetchone()[0]
    return JobSummary(job, job_accounts(conn, job_id), marked)
