from __future__ import annotations

import argparse
import io

import pytest

from twexport_qt.campaigns.live_gate import LiveAudience
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.commands import dm_command
from twexport_qt.commands.dm_command import (
    EXIT_OK,
    EXIT_STOPPED,
    LiveNotConfirmed,
    confirm_on_command_line,
    run_dm_command,
)


def _run(app, settings, dry_run=False):
    out = io.StringIO()
    code = run_dm_command(app.conn, app.gateway, app.pacer, app.clock, settings, dry_run, out=out)
    return code, out.getvalue()


def test_dry_run_flag_prints_progress_and_summary_and_sends_nothing(app):
    settings = CampaignSettings(message="Hi {name}", test_mode=False, dm_enabled=True)
    code, text = _run(app, settings, dry_run=True)
    assert code == EXIT_OK
    assert text.splitlines()[-1].startswith(
        "Dry run: 51 due; 51 would be sent today (daily cap 400, 0 sent in the last 24 hours); 9 skipped because "
        "they don't accept DMs.")
    assert app.server.state.dms.count() == 0


def test_master_switch_off_exits_non_zero_with_the_reason(app):
    code, text = _run(app, CampaignSettings(message="Hi", test_mode=False))
    assert code == EXIT_STOPPED and "turn on 'Enable DMs'" in text


def test_register_adds_dm_run_with_dry_run():
    parser = argparse.ArgumentParser()
    dm_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["dm", "run", "--dry-run"])
    assert args.dry_run and args.handler is dm_command._handle_run


def _live_settings(**overrides) -> CampaignSettings:
    return CampaignSettings(**{**{"message": "Hi {name}", "test_mode": False, "dm_enabled": True}, **overrides})


AUDIENCE = LiveAudience(first=40, retry=2, daily_cap=400)


def test_a_live_profile_without_live_says_what_it_would_do_and_sends_nothing():
    with pytest.raises(LiveNotConfirmed, match="would message 42 people") as refused:
        confirm_on_command_line(_live_settings(), AUDIENCE, live=False, yes=False)
    assert "add --live" in refused.value.user_message and refused.value.exit_code == 2


def test_live_in_a_script_needs_yes_and_at_a_terminal_asks_with_no_as_default():
    with pytest.raises(LiveNotConfirmed, match="add --yes"):
        confirm_on_command_line(_live_settings(), AUDIENCE, live=True, yes=False, interactive=False)
    questions: list[str] = []
    with pytest.raises(LiveNotConfirmed, match="not confirmed"):  # Enter at the prompt
        confirm_on_command_line(_live_settings(), AUDIENCE, live=True, yes=False, interactive=True,
                                ask=lambda q: questions.append(q) or "")
    assert "42 people" in questions[0] and "[y/N]" in questions[0]
    assert confirm_on_command_line(_live_settings(), AUDIENCE, live=True, yes=False, interactive=True,
                                   ask=lambda q: "yes")
    assert confirm_on_command_line(_live_settings(), AUDIENCE, live=True, yes=True)


def test_test_sends_need_no_flag_and_live_on_a_test_profile_is_refused():
    assert not confirm_on_command_line(_live_settings(test_mode=True), AUDIENCE, live=False, yes=False)
    with pytest.raises(LiveNotConfirmed, match="not in live mode"):
        confirm_on_command_line(_live_settings(test_mode=True), AUDIENCE, live=True, yes=True)


def test_dm_run_as_a_process_sends_live_only_with_live_and_yes(tmp_path):
    """The real command on the built-in sandbox, with settings saved live (as the Settings file would be)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from twexport_qt.settings.model import AppSettings
    from twexport_qt.settings.storage import save_settings

    settings = AppSettings()
    settings.active.set_switches(dm_enabled=True, test_mode=False)  # live, not confirmed
    settings.active.daily_cap = 5
    save_settings(settings, tmp_path / "settings.json")
    root = Path(__file__).resolve().parents[2]

    def dm_run(*flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(root / "main.py"), "--data-dir", str(tmp_path), *flags],
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})

    assert dm_run("followers", "fetch").returncode == 0
    plain = dm_run("dm", "run")
    assert plain.returncode == 2 and "would message" in plain.stderr and "Nothing was sent" in plain.stderr
    scripted = dm_run("dm", "run", "--live")
    assert scripted.returncode == 2 and "--yes" in scripted.stderr
    sent = dm_run("dm", "run", "--live", "--yes")
    assert sent.returncode == 0 and "Campaign: 5 sent" in sent.stdout, sent.stdout + sent.stderr


def test_a_run_paused_by_max_cost_says_so_keeps_what_was_sent_and_exits_1(app, tmp_path):
    from decimal import Decimal

    from tests.campaigns.conftest import UserCredentials
    from twexport_qt.billing.guard import SpendGuard, SpendLimits
    from twexport_qt.billing.ledger import SpendRecorder
    from twexport_qt.billing.prices import DEFAULT_PRICES
    from twexport_qt.core.errors import EXIT_JOB_STOPPED
    from twexport_qt.gateway.pacing import Pacer
    from twexport_qt.gateway.x_gateway import XGateway
    from twexport_qt.store.database import open_database

    ledger = open_database(tmp_path / "ledger.sqlite3")
    recorder = SpendRecorder(lambda: ledger, DEFAULT_PRICES, app.clock, profile="Sandbox")
    guard = SpendGuard(recorder, lambda: ledger, app.clock, SpendLimits(max_cost=Decimal("0.10")))
    gateway = XGateway(UserCredentials(), base_url=app.server.base_url, on_answer=recorder.record,
                       before_request=guard.before_request)
    out = io.StringIO()
    settings = CampaignSettings(message="Hi {name}", test_mode=False, dm_enabled=True, live_confirmed=True)
    code = run_dm_command(app.conn, gateway, Pacer(gateway.rate_limits, app.clock), app.clock, settings, False,
                          out=out)
    ledger.close()
    assert code == EXIT_JOB_STOPPED
    assert out.getvalue().splitlines()[-1] == (
        "Stopped before passing --max-cost $0.10: this run spent $0.10 and the next request could cost up to "
        "$0.015. DMs already sent are recorded; run again to continue.")
    assert app.server.state.dms.count() == 6  # /users/me ($0.010) and six DMs ($0.090): exactly the limit
    assert run_dm_command(app.conn, app.gateway, app.pacer, app.clock, settings, False, out=io.StringIO()) == EXIT_OK
    assert app.server.state.dms.count() == 51  # the rest, none twice
