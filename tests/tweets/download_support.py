"""Helpers shared by the download tests: a call-counting gateway on the sandbox and a reader for the written CSV.

The `clock` and `server` fixtures they go with are in tests/tweets/conftest.py.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, replace
from pathlib import Path

from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN, SANDBOX_CREDENTIALS
from twexport_qt.secrets.credentials import Credentials


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


def make_gateway(server, *, bearer: bool = True, user: bool = True, drop_included_tweets: bool = False) -> CountingGateway:
    values = asdict(SANDBOX_CREDENTIALS) if user else {}
    creds = Credentials(bearer_token=SANDBOX_BEARER_TOKEN if bearer else None, **values)
    return CountingGateway(XGateway(creds, base_url=server.base_url), drop_included_tweets)


def read_rows(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["tweets"]
    return [row[0] for row in rows[1:]]
