"""`followers fetch [--new-only]`: the price of both refreshes before either starts, and the cheap one reading
only the new followers."""

from __future__ import annotations

import io

from twexport_qt import cli
from twexport_qt.core.errors import EXIT_BAD_INPUT, EXIT_OK
from twexport_qt.sandbox.endpoints import Endpoint


def followers_pages_billed(sandbox_server) -> list[int]:
    return [charge.returned for charge in sandbox_server.billing.charges() if charge.endpoint == Endpoint.FOLLOWERS]


def test_new_only_needs_a_stored_list_and_reads_nothing_without_one(x_profile, sandbox_server, capsys):
    assert cli.main([*x_profile, "followers", "fetch", "--new-only", "--yes"]) == EXIT_BAD_INPUT
    assert "run `followers fetch` without --new-only first" in capsys.readouterr().err
    assert followers_pages_billed(sandbox_server) == []


def test_both_prices_are_shown_and_new_only_reads_the_new_followers(x_profile, sandbox_server, capsys):
    assert cli.main([*x_profile, "followers", "fetch", "--yes"]) == EXIT_OK
    first = capsys.readouterr().out
    assert "new followers only" not in first  # nothing stored yet: there is no cheaper choice
    sandbox_server.state.population.add_followers(30)

    assert cli.main([*x_profile, "followers", "fetch", "--new-only", "--yes"]) == EXIT_OK
    out = capsys.readouterr().out
    assert ("Estimated cost: ≈ 30 new followers and a check page of 100 known ones: $0.13 as owned reads (up to "
            "$2.30 at the standard rate)\n") in out
    assert ("Full refresh ≈ $2.53 (up to $25.30); new followers only ≈ $0.13 (up to $2.30) (without --new-only "
            "for a full refresh).\n") in out
    assert "New-followers refresh finished: 30 new followers (130 followers read now, 2 pages)." in out
    assert followers_pages_billed(sandbox_server)[3:] == [30, 100]

    assert cli.main([*x_profile, "followers", "fetch", "--yes"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("Estimated cost: ≈ 2,530 followers: $2.53 as owned reads")
    assert "Full refresh ≈ $2.53 (up to $25.30); new followers only ≈ $0.10 (up to $2.00) (use --new-only)." in out
    assert "Fetch finished: 2,530 followers in this run" in out


def test_new_only_asks_above_a_dollar_like_any_paid_job(x_profile, sandbox_server, monkeypatch, capsys):
    assert cli.main([*x_profile, "followers", "fetch", "--yes"]) == EXIT_OK
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script: no terminal to ask at
    capsys.readouterr()
    pages = len(followers_pages_billed(sandbox_server))
    # Up to $2.00 at the standard rate (two check pages): a script must say --yes.
    assert cli.main([*x_profile, "followers", "fetch", "--new-only"]) == EXIT_BAD_INPUT
    assert "add --yes" in capsys.readouterr().err
    assert len(followers_pages_billed(sandbox_server)) == pages
