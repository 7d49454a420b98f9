"""dm_replies (migration 4): one row per reply, keyed by X's event id, no text; an opt-out stays one."""

from __future__ import annotations

from twexport_qt.store import dm_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.migrations import MIGRATIONS, SCHEMA_VERSION

OWNER = 7


def test_migration_4_adds_the_table_with_its_index(tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 4 and "CREATE TABLE dm_replies" in MIGRATIONS[3]
    columns = [(row[1], row[2], row[3], row[5]) for row in conn.execute("PRAGMA table_info(dm_replies)")]
    assert columns == [("owner_id", "INTEGER", 1, 1), ("user_id", "INTEGER", 1, 0), ("event_id", "TEXT", 1, 2),
                       ("created_at", "INTEGER", 1, 0), ("opt_out", "INTEGER", 1, 0), ("recorded_at", "INTEGER", 1, 0)]
    assert [row[1] for row in conn.execute("PRAGMA index_list(dm_replies)") if row[1] == "dm_replies_user"]


def test_a_reply_is_recorded_once_and_an_opt_out_is_never_undone(tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    with conn:
        assert dm_repo.record_reply(conn, OWNER, 42, "900", 1_000, opt_out=False, now=2_000)
        assert not dm_repo.record_reply(conn, OWNER, 42, "900", 1_000, opt_out=False, now=3_000)  # read again
        assert dm_repo.record_reply(conn, OWNER, 42, "900", 1_000, opt_out=True, now=4_000)  # words changed
        assert not dm_repo.record_reply(conn, OWNER, 42, "900", 1_000, opt_out=False, now=5_000)
        dm_repo.record_reply(conn, OWNER, 42, "950", 1_100, opt_out=False, now=5_000)
        dm_repo.record_reply(conn, OWNER, 43, "960", 1_200, opt_out=False, now=5_000)
    assert dm_repo.replies_from(conn, OWNER, 42) == [dm_repo.ReplyRow(42, "900", 1_000, True, 2_000),
                                                      dm_repo.ReplyRow(42, "950", 1_100, False, 5_000)]
    assert dm_repo.replied_user_ids(conn, OWNER) == {42, 43}
    assert dm_repo.replied_user_ids(conn, OWNER, opt_out_only=True) == {42}
    assert dm_repo.opt_out_reason("stop") == "opted out: stop"
