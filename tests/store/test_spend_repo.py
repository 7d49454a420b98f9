"""spend_ledger and spend_billed_resources (migration 5): exact sums, X's per-day de-duplication, past days gone."""

from __future__ import annotations

from twexport_qt.store import spend_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.migrations import MIGRATIONS, SCHEMA_VERSION
from twexport_qt.store.spend_repo import SpendGroup, SpendRow, SpendTotal


def row(day: str, job: str | None, endpoint: str, billed: int, unit: int, *, profile: str = "main",
        kind: str = "follows") -> SpendRow:
    return SpendRow(billed_at=0, utc_day=day, profile=profile, job=job, endpoint=endpoint, resource_kind=kind,
                    owned=unit == 1_000, returned=billed + 1, billed=billed, unit_price_micros=unit,
                    amount_micros=billed * unit)


def test_migration_5_adds_the_ledger_and_the_billed_ids_keyed_day_first(tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 5 and "CREATE TABLE spend_ledger" in MIGRATIONS[4]
    ledger_columns = [r[1] for r in conn.execute("PRAGMA table_info(spend_ledger)")]
    assert ledger_columns == ["id", "billed_at", "utc_day", "profile", "job", "endpoint", "resource_kind", "owned",
                              "returned", "billed", "unit_price_micros", "amount_micros"]
    assert [r[1] for r in conn.execute("PRAGMA index_list(spend_ledger)")] == ["spend_ledger_profile_day"]
    key = [r[1] for r in conn.execute("PRAGMA table_info(spend_billed_resources)") if r[5]]
    assert key == ["utc_day", "profile", "resource_kind", "owned", "resource_id"]


def test_a_resource_is_billed_once_per_day_profile_kind_and_rate(tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    with conn:
        assert spend_repo.mark_billed(conn, "2026-01-01", "main", "follows", True, ["1", "2", "3"]) == 3
        assert spend_repo.mark_billed(conn, "2026-01-01", "main", "follows", True, ["2", "3", "4"]) == 1
        assert spend_repo.mark_billed(conn, "2026-01-01", "main", "follows", False, ["2"]) == 1  # standard rate
        assert spend_repo.mark_billed(conn, "2026-01-01", "main", "users", True, ["2"]) == 1  # another kind
        assert spend_repo.mark_billed(conn, "2026-01-01", "other", "follows", True, ["2"]) == 1  # another profile
        assert spend_repo.mark_billed(conn, "2026-01-02", "main", "follows", True, ["1", "2"]) == 2  # next day
        assert spend_repo.forget_billed_before(conn, "2026-01-02") == 7
        assert spend_repo.mark_billed(conn, "2026-01-02", "main", "follows", True, ["1", "5"]) == 1


def test_totals_per_job_endpoint_and_day_are_exact_and_per_profile(tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    with conn:
        for entry in (row("2026-01-01", "fetch-followers", "GET /2/users/:id/followers", 1_000, 1_000),
                      row("2026-01-01", "fetch-followers", "GET /2/users/me", 1, 10_000, kind="users"),
                      row("2026-01-02", "dm-campaign", "POST /2/dm_conversations/with/:id/messages", 3, 15_000,
                          kind="dm_create"),
                      row("2026-01-02", None, "GET /2/users/me", 1, 10_000, kind="users"),
                      row("2026-02-01", "fetch-followers", "GET /2/users/:id/followers", 500, 1_000),
                      row("2026-01-01", "fetch-followers", "GET /2/users/:id/followers", 9, 10_000, profile="x")):
            spend_repo.add(conn, entry)
    assert spend_repo.total_micros(conn, "main", "2026-01-01", "2026-01-31") == 1_065_000
    assert spend_repo.totals_by(conn, SpendGroup.JOB, "main", "2026-01-01", "2026-01-31") == [
        SpendTotal("fetch-followers", 2, 1_003, 1_001, 1_010_000), SpendTotal("dm-campaign", 1, 4, 3, 45_000),
        SpendTotal(None, 1, 2, 1, 10_000)]
    assert [(t.key, t.amount_micros) for t in
            spend_repo.totals_by(conn, SpendGroup.DAY, "main", "2026-01-01", "2026-01-31")] == [
        ("2026-01-01", 1_010_000), ("2026-01-02", 55_000)]
    assert [t.key for t in spend_repo.totals_by(conn, SpendGroup.ENDPOINT, "main", "2026-01-01", "2026-01-31")] == [
        "GET /2/users/:id/followers", "POST /2/dm_conversations/with/:id/messages", "GET /2/users/me"]
    assert [r.utc_day for r in spend_repo.rows_between(conn, "main", "2026-01-02", "2026-02-28")] == [
        "2026-01-02", "2026-01-02", "2026-02-01"]
