"""A fresh migrated database per test (`conn`) and a `store` to put tweets in it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from tests.datasets.store_fixtures import TweetStore
from twexport_qt.store.database import open_database


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    connection = open_database(":memory:")
    yield connection
    connection.close()


@pytest.fixture
def store(conn: sqlite3.Connection) -> TweetStore:
    return TweetStore(conn)
