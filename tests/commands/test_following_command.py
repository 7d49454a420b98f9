"""`following fetch`, `following summary` and `export following|mutuals|not-following-back|fans` end to end against
the sandbox: the price before the fetch, the counts against the sandbox's truth, the files and their dictionary."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from twexport_qt import cli
from twexport_qt.billing.prices import format_usd
from twexport_qt.core.clock import SystemClock
from twexport_qt.core.errors import EXIT_BAD_INPUT, EXIT_OK
from twexport_qt.exports.formats import dictionary_path
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.testing import churn, relationship_truth


def following_pages(sandbox_server) -> list[int]:
    return [charge.returned for charge in sandbox_server.billing.charges() if charge.endpoint == Endpoint.FOLLOWING]


def csv_ids(path) -> list[int]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [int(row["user_id"]) for row in csv.DictReader(handle)]


def test_the_summary_asks_for_a_fetch_first(x_profile, capsys):
    assert cli.main([*x_profile, "following", "summary"]) == EXIT_OK
    assert "run `following fetch` first" in capsys.readouterr().out


def test_a_paid_fetch_shows_its_price_and_a_script_must_say_yes(x_profile, sandbox_server, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script: no terminal to ask at
    assert cli.main([*x_profile, "following", "fetch"]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    following = len(relationship_truth(sandbox_server.state.population).following)
    owned, standard = format_usd(Decimal("0.001") * following), format_usd(Decimal("0.01") * following)
    assert (f"Estimated cost: ≈ {following:,} followed accounts: {owned} as owned reads (up to {standard} at the "
            "standard rate)") in captured.out
    assert "add --yes" in captured.err
    assert following_pages(sandbox_server) == []  # nothing was requested


def test_fetch_summary_and_exports_match_the_sandbox_as_it_changes(x_profile, sandbox_server, fake_clock, tmp_path,
                                                                  capsys, monkeypatch):
    # The command's app lives on the sandbox's simulated time, so its fetches are a simulated day apart (the
    # followers fetch tells who left by time: two full fetches within one second would see nobody leave).
    monkeypatch.setattr(SystemClock, "now", lambda _self: fake_clock.now())
    population = sandbox_server.state.population
    assert cli.main([*x_profile, "followers", "fetch", "--yes"]) == EXIT_OK
    assert cli.main([*x_profile, "export", "fans", "--out", str(tmp_path / "early.csv")]) == EXIT_BAD_INPUT
    assert "Fetch who you follow first (Following tab)." in capsys.readouterr().err

    for day in range(2):
        if day:
            population.following.unfollow(population.following.ids()[:4])  # fetched before: these go
            churn(population, joined=25, left=60, clock=fake_clock, seed=day)
            assert cli.main([*x_profile, "followers", "fetch", "--yes"]) == EXIT_OK
        capsys.readouterr()
        assert cli.main([*x_profile, "following", "fetch", "--yes"]) == EXIT_OK
        out = capsys.readouterr().out
        truth = relationship_truth(population)
        assert f"Following fetch finished: you follow {len(truth.following):,} accounts" in out
        assert f"; {4 if day else 0} no longer followed since the last complete fetch" in out

        assert cli.main([*x_profile, "following", "summary"]) == EXIT_OK
        summary = capsys.readouterr().out
        for label, count in (("Following:", truth.following), ("Followers:", truth.followers),
                             ("Mutuals:", truth.mutuals), ("Not following back:", truth.not_following_back),
                             ("Fans (not followed):", truth.fans)):
            line = next(line for line in summary.splitlines() if line.startswith(label))
            assert line.split()[-1] == f"{len(count):,}", label
        assert "did not finish" not in summary

    for kind, expected in (("following", set(truth.following)), ("mutuals", truth.mutuals),
                           ("not-following-back", truth.not_following_back), ("fans", truth.fans)):
        out_file = tmp_path / f"{kind}.csv"
        assert cli.main([*x_profile, "export", kind, "--out", str(out_file)]) == EXIT_OK
        assert f"{len(expected):,} rows to {out_file}" in capsys.readouterr().out
        assert set(csv_ids(out_file)) == expected, kind
        assert dictionary_path(out_file).is_file()
    assert csv_ids(tmp_path / "following.csv") == list(truth.following)  # X's order: newest followed first
    with open(dictionary_path(tmp_path / "following.csv"), newline="", encoding="utf-8") as handle:
        described = {row[0]: row for row in csv.reader(handle)}
    assert "following_position" in described and "follows_you" in described

    book = tmp_path / "not_back.xlsx"
    assert cli.main([*x_profile, "export", "not-following-back", "--out", str(book), "--columns",
                     "user_id,username,follows_you"]) == EXIT_OK
    sheet = load_workbook(book, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("user_id", "username", "follows_you")
    assert {int(row[0]) for row in rows[1:]} == truth.not_following_back
    assert {row[2] for row in rows[1:]} == {False}


def test_a_fetch_stopped_by_its_cost_cap_resumes_where_it_stopped(x_profile, sandbox_server, capsys):
    """--max-cost pauses before the page that could pass it; the next run reads only what is left."""
    population = sandbox_server.state.population
    population.following.follow(sorted(relationship_truth(population).fans)[:600])  # two pages of 1,000
    truth = relationship_truth(population)
    assert len(truth.following) > 1000
    assert cli.main([*x_profile, "following", "fetch", "--yes", "--max-cost", "1.5"]) != EXIT_OK  # one page
    assert "run the command again to resume" in capsys.readouterr().out
    first = following_pages(sandbox_server)
    assert 0 < sum(first) < len(truth.following)
    assert cli.main([*x_profile, "following", "fetch", "--yes"]) == EXIT_OK
    assert "resumed and finished" in capsys.readouterr().out
    assert sum(following_pages(sandbox_server)) == len(truth.following)  # no page read twice


def test_the_spend_ledger_names_the_run_a_following_fetch(x_profile, capsys):
    """It takes the followers fetch's lock, but what it spent is the following fetch's, not the followers'."""
    assert cli.main([*x_profile, "following", "fetch", "--yes"]) == EXIT_OK
    capsys.readouterr()
    assert cli.main([*x_profile, "spend"]) == EXIT_OK
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    per_job = lines[next(i for i, line in enumerate(lines) if line.startswith("Per job")) + 1:]
    jobs = [line.split("  ")[0] for line in per_job[:per_job.index("")]]
    assert jobs == ["fetch-following"]
