from __future__ import annotations

import argparse
import io

from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.commands import dm_command
from twexport_qt.commands.dm_command import EXIT_OK, EXIT_STOPPED, run_dm_command


def _run(app, settings, dry_run=False):
    out = io.StringIO()
    code = run_dm_command(app.conn, app.gateway, app.pacer, app.clock, settings, dry_run, out=out)
    return code, out.getvalue()


def test_dry_run_flag_prints_progress_and_summary_and_sends_nothing(app):
    settings = CampaignSettings(message="Hi {name}", test_mode=False, dm_enabled=True)
    code, text = _run(app, settings, dry_run=True)
    assert code == EXIT_OK
    assert text.splitlines()[-1].startswith("Dry run: 51 would be sent, 9 would be skipped.")
    assert app.server.state.dms.count() == 0


def test_master_switch_off_exits_non_zero_with_the_reason(app):
    code, text = _run(app, CampaignSettings(message="Hi", test_mode=False))
    assert code == EXIT_STOPPED and "turn on 'Enable DMs'" in text


def test_register_adds_dm_run_with_dry_run():
    parser = argparse.ArgumentParser()
    dm_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["dm", "run", "--dry-run"])
    assert args.dry_run and args.handler is dm_command._handle_run
