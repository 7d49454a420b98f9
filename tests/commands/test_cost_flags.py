"""Paid commands print their estimate, ask above $1 at a terminal (`--yes` for scripts, which never hang),
and stop with exit code 1 before `--max-cost` or a budget is passed; the next run resumes."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from twexport_qt import cli, paths
from twexport_qt.billing.estimates import CampaignWork, estimate_campaign, estimate_followers_fetch
from twexport_qt.billing.prices import DEFAULT_PRICES, from_micros
from twexport_qt.commands.cost_prompt import CostNotConfirmed, confirm_cost
from twexport_qt.core.errors import EXIT_BAD_INPUT, EXIT_JOB_STOPPED, EXIT_OK
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.settings.model import AppSettings
from twexport_qt.settings.storage import save_settings
from twexport_qt.store import followers_repo, spend_repo
from twexport_qt.store.database import open_database

BIG = estimate_followers_fetch(48_210, DEFAULT_PRICES, owned_possible=True)      # up to $482.10
SMALL = estimate_campaign(CampaignWork(first=10, retry=0, capacity=400), DEFAULT_PRICES)  # $0.16


def test_above_the_threshold_a_script_is_refused_and_a_terminal_asks_with_no_as_default():
    with pytest.raises(CostNotConfirmed, match=r"could cost up to \$482.10, more than \$1.00: add --yes") as no:
        confirm_cost(BIG, yes=False, simulated=False, interactive=False)
    assert no.value.exit_code == EXIT_BAD_INPUT and "Nothing was requested" in no.value.user_message
    questions: list[str] = []
    with pytest.raises(CostNotConfirmed, match="Not confirmed"):
        confirm_cost(BIG, yes=False, simulated=False, interactive=True, ask=lambda q: questions.append(q) or "")
    assert questions == ["This could cost up to $482.10. Start? [y/N] "]
    confirm_cost(BIG, yes=False, simulated=False, interactive=True, ask=lambda q: "y")
    confirm_cost(BIG, yes=True, simulated=False, interactive=False)
    confirm_cost(SMALL, yes=False, simulated=False, interactive=False)  # below $1: no question
    confirm_cost(BIG, yes=False, simulated=True, interactive=False)     # the Sandbox bills nothing real


def fetch(data_dir, *flags: str) -> int:
    return cli.main(["--data-dir", str(data_dir), "followers", "fetch", *flags])


def ledger_total(data_dir) -> Decimal:
    conn = open_database(data_dir / paths.DATABASE_FILE_NAME)
    try:
        return from_micros(spend_repo.total_micros(conn, "Sandbox", "0000-01-01", "9999-12-31"))
    finally:
        conn.close()


def followers_stored(data_dir) -> int:
    conn = open_database(data_dir / paths.DATABASE_FILE_NAME)
    try:
        return followers_repo.count(conn, SANDBOX_USER_ID)
    finally:
        conn.close()


def test_followers_fetch_prints_its_estimate_and_max_cost_stops_it_with_exit_code_1(data_dir, capsys):
    assert fetch(data_dir, "--max-cost", "2") == EXIT_JOB_STOPPED
    out = capsys.readouterr().out
    assert out.startswith("Estimated cost: ≈ 5,000 followers: $5.00 as owned reads (up to $50.00 at the standard "
                          "rate) (simulated: the Sandbox bills nothing)\n")
    assert "--max-cost $2.00 stops this run before it is done" in out
    assert ("Stopped before passing --max-cost $2.00: this run spent $1.01 and the next request could cost up to "
            "$1.00. Pages fetched so far are saved; run the command again to resume.") in out
    assert ledger_total(data_dir) == Decimal("1.01")
    assert fetch(data_dir) == EXIT_OK  # resumes: the 4,000 left, billed once
    assert "4,000 followers left to fetch (1,000 of 5,000 fetched before)" in capsys.readouterr().out
    assert followers_stored(data_dir) == 5_000 and ledger_total(data_dir) == Decimal("5.01")


def test_a_daily_budget_in_settings_pauses_the_fetch_with_exit_code_1(data_dir, capsys):
    settings = AppSettings()
    settings.active.daily_budget_usd = Decimal("3.00")
    save_settings(settings, data_dir / paths.SETTINGS_FILE_NAME)
    assert fetch(data_dir) == EXIT_JOB_STOPPED
    out = capsys.readouterr().out
    assert "Paused before passing the daily budget of $3.00 of profile 'Sandbox': $2.01 is spent today" in out
    assert ledger_total(data_dir) == Decimal("2.01") <= Decimal("3.00")
    assert followers_stored(data_dir) == 2_000


def test_bad_max_cost_is_a_usage_error(data_dir, capsys):
    with pytest.raises(SystemExit) as usage:
        fetch(data_dir, "--max-cost", "lots")
    assert usage.value.code == 2 and "--max-cost must be an amount of US dollars" in capsys.readouterr().err


def test_without_a_terminal_an_x_profile_fetch_above_1_dollar_needs_yes(x_profile, data_dir, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script: no terminal to ask at
    assert cli.main([*x_profile, "followers", "fetch"]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "Estimated cost: ≈ 2,500 followers: $2.50 as owned reads (up to $25.00" in captured.out
    assert "add --yes to start it from a script" in captured.err
    assert cli.main([*x_profile, "followers", "fetch", "--yes"]) == EXIT_OK
    assert "Fetch finished: 2,500 followers" in capsys.readouterr().out


def test_dm_dry_run_says_it_is_free(data_dir, capsys):
    assert fetch(data_dir) == EXIT_OK
    capsys.readouterr()
    assert cli.main(["--data-dir", str(data_dir), "dm", "run", "--dry-run"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("Estimated cost: A dry run is free: it sends nothing")


def test_budgets_are_saved_as_exact_text(data_dir):
    settings = AppSettings()
    settings.active.monthly_budget_usd = Decimal("25.50")
    save_settings(settings, data_dir / paths.SETTINGS_FILE_NAME)
    saved = json.loads((data_dir / paths.SETTINGS_FILE_NAME).read_text(encoding="utf-8"))
    assert saved["profiles"]["Sandbox"]["monthly_budget_usd"] == "25.50"
