"""Helpers shared by the download tests: a call-counting gateway on the sandbox, a reader for the written CSV,
and the measure of long posts written whole.

The `clock` and `server` fixtures they go with are in tests/tweets/conftest.py.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN, SANDBOX_CREDENTIALS
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.tweets.cleaning import clean_text
from twexport_qt.tweets.options import DatasetOptions


class CountingGateway:
    """Wraps XGateway, counting calls per method (the requests the download really made)."""

    def __init__(self, inner: XGateway, drop_included_tweets: bool = False) -> None:
        self._inner = inner
        # Simulates X leaving parents out of `includes`, so every parent must be looked up.
        self._drop_included_tweets = drop_included_tweets
        self.calls: dict[str, int] = {}
        self.requested_tweet_ids: list[list[int]] = []
        self.log: list[tuple[str, int]] = []  # (method, ids asked) in call order

    def __getattr__(self, name):
        attr = getattr(self._inner, name)
        if not callable(attr) or name.startswith("_"):
            return attr

        def counted(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1
            if name == "tweets_by_ids":
                self.requested_tweet_ids.append(list(args[0]))
            self.log.append((name, len(args[0]) if name == "tweets_by_ids" else 0))
            result = attr(*args, **kwargs)
            if self._drop_included_tweets and name in ("user_tweets_page", "search_all_page"):
                result = replace(result, includes={k: v for k, v in result.includes.items() if k != "tweets"},
                                 errors=[e for e in result.errors if e.get("resource_type") != "tweet"])
            return result

        return counted


def make_gateway(server, *, bearer: bool = True, user: bool = True,
                 drop_included_tweets: bool = False) -> CountingGateway:
    values = asdict(SANDBOX_CREDENTIALS) if user else {}
    creds = Credentials(bearer_token=SANDBOX_BEARER_TOKEN if bearer else None, **values)
    return CountingGateway(XGateway(creds, base_url=server.base_url), drop_included_tweets)


def read_rows(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["tweets"]
    return [row[0] for row in rows[1:]]


@dataclass(frozen=True)
class LongPostFigures:
    """How many long posts a download wrote, and how many of them whole (as tweets and as reply context)."""

    written: int
    written_whole: int
    parents: int  # long posts written as a reply's IN_REPLY_TO or PARENT
    parents_whole: int

    @property
    def share_whole(self) -> float:
        total = self.written + self.parents
        return (self.written_whole + self.parents_whole) / total if total else float("nan")

    def line(self) -> str:
        return (f"long posts written whole: {self.written_whole}/{self.written} as tweets, "
                f"{self.parents_whole}/{self.parents} as reply parents = {self.share_whole:.1%}")


def _sections(row: str) -> dict[str, str]:
    """A reply-format row's sections by marker (TWEET, IN_REPLY_TO, PARENT); a simple row is all TWEET."""
    if not row.startswith("****ARGUMENTS\n"):
        return {"TWEET": row}
    sections: dict[str, str] = {}
    name = ""
    for line in row.split("\n"):
        if line.startswith("****"):
            name = line[4:]
            sections.setdefault(name, "")
        else:
            sections[name] = line if not sections.get(name) else f"{sections[name]}\n{line}"
    return sections


def long_posts_written_whole(conn, job_id: int, rows: list[str], server, options: DatasetOptions) -> LongPostFigures:
    """Measure, with the sandbox's own knowledge of its world, whether the long posts a job wrote are whole.

    A long post counts as whole when the `tweets` table holds its whole note and the dataset holds its whole
    cleaned text: as a tweet, or as the IN_REPLY_TO / PARENT of a reply it was written with. Printed too.
    """
    world, population = server.state.tweets, server.state.population

    def clean(tweet) -> str:
        return clean_text(tweet.note_text, strip_usertags=options.strip_usertags,
                          strip_hashtags=options.strip_hashtags, is_reply=tweet.is_reply)

    def stored_whole(tweet) -> bool:
        row = conn.execute("SELECT text FROM tweets WHERE id = ?", (tweet.id,)).fetchone()
        return row is not None and row[0] == tweet.note_text

    def shown(tweet) -> bool:
        author = population.by_id(tweet.author_id)
        return author is not None and not author.suspended and not author.protected

    sections = [_sections(row) for row in rows]
    tweet_texts = {s.get("TWEET", "") for s in sections}
    context_texts = {s.get(name, "") for s in sections for name in ("IN_REPLY_TO", "PARENT")}
    written = whole = parents = parents_whole = 0
    written_ids = [row[0] for row in conn.execute("SELECT tweet_id FROM tweet_job_output WHERE job_id = ?",
                                                  (job_id,))]
    seen_parents: set[int] = set()
    for tweet_id in written_ids:
        tweet = world.by_id(tweet_id)
        if tweet.is_long:
            written += 1
            whole += stored_whole(tweet) and clean(tweet) in tweet_texts
        if options.text_format != "reply" or not tweet.is_reply:
            continue
        for context_id in (tweet.referenced[0][1], tweet.conversation_id):
            context = world.by_id(context_id)
            if context is None or not context.is_long or not shown(context) or context_id in seen_parents:
                continue
            seen_parents.add(context_id)
            parents += 1
            parents_whole += stored_whole(context) and clean(context) in context_texts
    figures = LongPostFigures(written, whole, parents, parents_whole)
    print(figures.line())
    return figures
