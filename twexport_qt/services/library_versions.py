"""Versions of the libraries below the views, for Help → About (views may not import SQLite themselves)."""

from __future__ import annotations

import sqlite3


def sqlite_version() -> str:
    """The version of the SQLite library the app runs on."""
    return sqlite3.sqlite_version
