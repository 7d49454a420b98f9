"""`tweets download` writes every billed answer to the spend ledger before it exits: one whose write failed
mid-run (database locked, disk full) is kept by the recorder and written at the end, not lost."""

from __future__ import annotations

import sqlite3

from twexport_qt import cli, paths
from twexport_qt.billing import ledger
from twexport_qt.services import dataset_builds
from twexport_qt.store import spend_repo
from twexport_qt.store.database import open_database


def ledger_rows(data_dir) -> int:
    conn = open_database(data_dir / paths.DATABASE_FILE_NAME)
    try:
        return len(list(spend_repo.rows_between(conn, "Sandbox", "0000-01-01", "9999-12-31")))
    finally:
        conn.close()


def test_answers_whose_ledger_write_failed_are_written_before_the_command_exits(tmp_path, data_dir, monkeypatch,
                                                                                capsys):
    real_bill_answer, real_run_dataset = ledger.bill_answer, dataset_builds.run_dataset
    refused: list[int] = []
    locked = False  # the ledger refuses every write while the download runs

    def bill_answer(*args, **kwargs):
        if locked:
            refused.append(1)
            raise sqlite3.OperationalError("database is locked")
        return real_bill_answer(*args, **kwargs)

    rows_before_download: list[int] = []

    def run_dataset(*args, **kwargs):
        nonlocal locked
        rows_before_download.append(ledger_rows(data_dir))  # the estimate's look-up, written at once
        locked = True
        try:
            return real_run_dataset(*args, **kwargs)
        finally:
            locked = False

    monkeypatch.setattr(ledger, "bill_answer", bill_answer)
    monkeypatch.setattr(dataset_builds, "run_dataset", run_dataset)
    argv = ["--data-dir", str(data_dir), "tweets", "download", "alice_writes", "25", "--output",
            str(tmp_path / "alice.csv")]
    assert cli.main(argv) == 0
    assert "@alice_writes: 25 written" in capsys.readouterr().out
    assert refused  # the download's answers were billed while the ledger refused them
    assert ledger_rows(data_dir) > rows_before_download[0]  # ...and written when the command ended
