"""Twitter Exporter's files as it wrote them, for the import tests: its config.json and its SQLite database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from twexport_qt.sandbox.auth import SANDBOX_CREDENTIALS

# Its db.py, verbatim schema.
SCHEMA = """
CREATE TABLE IF NOT EXISTS follower (id integer PRIMARY KEY, name text NOT NULL, created_at text,
    description text, followers_count integer, friends_count integer, verified integer);
CREATE TABLE IF NOT EXISTS dm_status (id integer, timestamp text);
CREATE TABLE IF NOT EXISTS skip_user (id integer, timestamp text);
"""

SANDBOX_KEYS = {
    "consumer_key": SANDBOX_CREDENTIALS.consumer_key,
    "consumer_secret": SANDBOX_CREDENTIALS.consumer_secret,
    "access_token": SANDBOX_CREDENTIALS.access_token,
    "access_token_secret": SANDBOX_CREDENTIALS.access_token_secret,
}


def build_legacy_db(path: Path, *, followers: Iterable[tuple[object, str]] = (),
                    dm_status: Iterable[tuple[object, object]] = (),
                    skip_user: Iterable[tuple[object, object]] = ()) -> Path:
    """A database as Twitter Exporter left it: follower (id, name) rows, then its dm_status and skip_user rows."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(SCHEMA)
        conn.executemany("INSERT INTO follower (id, name, created_at, description, followers_count, friends_count, "
                         "verified) VALUES (?, ?, '2015-01-01 00:00:00', '', 10, 10, 0)", list(followers))
        conn.executemany("INSERT INTO dm_status (id, timestamp) VALUES (?, ?)", list(dm_status))
        conn.executemany("INSERT INTO skip_user (id, timestamp) VALUES (?, ?)", list(skip_user))
        conn.commit()
    finally:
        conn.close()
    return path


def write_legacy_config(folder: Path, *, keys: dict[str, str] | None = None, **overrides: object) -> Path:
    """Twitter Exporter's sample config.json (live mode, as someone who sent DMs had it), keys from `keys`."""
    config: dict[str, object] = {
        "twitter": dict(SANDBOX_KEYS if keys is None else keys),
        "db_file": "twitter_export.db",
        "test_flag": False,
        "test_accounts": ["balajis"],
        "test_retry_message": False,
        "enable_dm_flag": True,
        "message": "subscription message and link",
        "retry_message": "retry subscription message and link",
        "retry_after_days": 7,
        "follower_filters": {"created_before": "2019-06-27 00:00:00", "min_followers_count": 0,
                             "max_followers_count": 10000, "min_friends_count": 0, "max_friends_count": 10000,
                             "verified_only": False},
    }
    config.update(overrides)
    path = folder / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path
