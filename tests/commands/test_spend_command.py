"""`main.py spend`: today's and the month's spend per job, endpoint and day from the ledger; `--csv` writes the
month's rows safely; a bad month or a refused file is one sentence and exit code 2."""

from __future__ import annotations

import csv
import datetime as dt
import time

import pytest

from twexport_qt import cli, paths
from twexport_qt.billing.days import utc_day
from twexport_qt.billing.report import Month
from twexport_qt.commands import registry, spend_command
from twexport_qt.store import spend_repo
from twexport_qt.store.database import open_database
from twexport_qt.store.spend_repo import SpendRow

PROFILE = "Sandbox"  # the default profile of a new data folder


def seed(data_dir, rows: list[SpendRow]) -> None:
    conn = open_database(data_dir / paths.DATABASE_FILE_NAME)
    with conn:
        for row in rows:
            spend_repo.add(conn, row)
    conn.close()


def row(at: float, job: str | None, endpoint: str, kind: str, owned: bool, returned: int, billed: int,
        unit: int) -> SpendRow:
    return SpendRow(int(at), utc_day(at), PROFILE, job, endpoint, kind, owned, returned, billed, unit, billed * unit)


@pytest.fixture
def ledger(data_dir):
    """Today: a fetch and a DM campaign; on the 1st of last year's December: a fetch with a =formula job name."""
    now = time.time()
    last_year = dt.datetime(dt.date.today().year - 1, 12, 1, 12, tzinfo=dt.UTC).timestamp()
    seed(data_dir, [
        row(now, "fetch-followers", "GET /2/users/me", "users", False, 1, 1, 10_000),
        row(now, "fetch-followers", "GET /2/users/:id/followers", "follows", True, 1_000, 1_000, 1_000),
        row(now, "fetch-followers", "GET /2/users/:id/followers", "follows", True, 1_000, 0, 1_000),
        row(now, "dm-campaign", "POST /2/dm_conversations/with/:id/messages", "dm_create", False, 1, 1, 15_000),
        row(now, None, "GET /2/users", "users", False, 2, 2, 10_000),
        row(last_year, "=HYPERLINK(\"x\")", "GET /2/users/:id/followers", "follows", False, 7, 7, 10_000),
    ])
    return Month.of(now), Month.of(last_year)


def spend(data_dir, *args: str) -> int:
    return cli.main(["--data-dir", str(data_dir), "spend", *args])


def test_prints_today_the_month_and_each_job_endpoint_and_day(data_dir, ledger, capsys):
    assert spend_command in registry.COMMAND_MODULES
    assert spend(data_dir) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("Spend of profile 'Sandbox' at X's pay-per-use prices of 2026-08 (the Sandbox is "
                               "simulated")
    assert lines[1] == f"Today ({dt.datetime.now(dt.UTC).date().isoformat()}, UTC): $1.045"
    assert lines[2] == f"{ledger[0].first_day:%B %Y}: $1.045"
    cells = [line.split("  ") for line in lines[3:]]
    table = [[cell.strip() for cell in line if cell.strip()] for line in cells]
    assert table == [
        [],
        ["Per job", "answers", "returned", "billed", "amount"],
        ["fetch-followers", "3", "2,001", "1,001", "$1.01"],
        ["(no job named)", "1", "2", "2", "$0.02"],
        ["dm-campaign", "1", "1", "1", "$0.015"],
        [],
        ["Per endpoint", "answers", "returned", "billed", "amount"],
        ["GET /2/users/:id/followers", "2", "2,000", "1,000", "$1.00"],
        ["GET /2/users", "1", "2", "2", "$0.02"],
        ["POST /2/dm_conversations/with/:id/messages", "1", "1", "1", "$0.015"],
        ["GET /2/users/me", "1", "1", "1", "$0.01"],
        [],
        ["Per day (UTC)", "amount"],
        [utc_day(time.time()), "$1.045"],
    ]


def test_another_month_and_an_empty_one(data_dir, ledger, capsys):
    assert spend(data_dir, "--month", str(ledger[1])) == 0
    out = capsys.readouterr().out
    assert f"{ledger[1].first_day:%B %Y}: $0.07" in out
    assert out.splitlines()[-1].split() == [ledger[1].first_day.isoformat(), "$0.07"]
    assert spend(data_dir, "--month", "2001-01") == 0
    assert "Nothing was billed in January 2001." in capsys.readouterr().out


def test_csv_holds_the_months_ledger_rows_safe_for_spreadsheets(data_dir, ledger, tmp_path, capsys):
    target = tmp_path / "spend.csv"
    assert spend(data_dir, "--month", str(ledger[1]), "--csv", str(target)) == 0
    assert f"Wrote 1 ledger rows of {ledger[1]} to {target}" in capsys.readouterr().out
    with open(target, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == spend_command.CSV_HEADER
    assert rows[1] == [f"{ledger[1].first_day.isoformat()}T12:00:00Z", ledger[1].first_day.isoformat(), PROFILE,
                       "'=HYPERLINK(\"x\")", "GET /2/users/:id/followers", "follows", "false", "7", "7", "0.01",
                       "0.07"]
    assert spend(data_dir, "--csv", str(target)) == 0
    with open(target, newline="", encoding="utf-8") as file:
        current = list(csv.reader(file))[1:]
    assert len(current) == 5 and {line[3] for line in current} == {"fetch-followers", "dm-campaign", ""}
    assert [line[9] for line in current if line[5] == "follows"] == ["0.001", "0.001"]


@pytest.mark.parametrize("month", ["2026-13", "last month", "2026/08"])
def test_a_bad_month_is_one_sentence_and_exit_2(data_dir, month, capsys):
    assert spend(data_dir, "--month", month) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "YYYY-MM" in err[0]


def test_a_csv_inside_the_data_folder_is_refused(data_dir, ledger, capsys):
    assert spend(data_dir, "--csv", str(data_dir / "spend.csv")) == 2
    assert "does not write exports into its data folder" in capsys.readouterr().err
    assert not (data_dir / "spend.csv").exists()
