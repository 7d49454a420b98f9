"""`followers history` and `export left|new`: the growth table, the week's line and the changes' files, from the
local history (no request to X)."""

from __future__ import annotations

import csv

import pytest

from twexport_qt import cli
from twexport_qt.core.errors import EXIT_OK
from twexport_qt.sandbox.testing import churn


@pytest.fixture(autouse=True)
def commands_on_the_test_clock(monkeypatch, fake_clock):
    """The commands run on the test's FakeClock, the sandbox's too, so a scripted day is a day for both."""
    from twexport_qt.commands import session

    original = session.open_context
    monkeypatch.setattr(session, "open_context", lambda args, **kw: original(args, clock=fake_clock, **kw))


def fetch(x_profile: list[str]) -> None:
    assert cli.main([*x_profile, "followers", "fetch", "--yes"]) == EXIT_OK


def read_csv(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_history_prints_the_growth_table_and_the_week(x_profile, sandbox_server, fake_clock, tmp_path, capsys):
    population = sandbox_server.state.population
    fetch(x_profile)
    churn(population, joined=20, left=6, clock=fake_clock)
    fetch(x_profile)
    capsys.readouterr()
    requests_before = len(sandbox_server.billing.charges())

    out_file = tmp_path / "growth.csv"
    assert cli.main([*x_profile, "followers", "history", "--csv", str(out_file)]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Fetched", "(UTC)", "Followers", "Joined", "Left"]
    assert lines[1].split()[1:] == ["2,500", "start", "\u22120"]
    assert lines[2].split()[1:] == ["2,514", "+20", "\u22126"]
    assert lines[3] == "Since last week: +20 / \u22126"
    assert [(row["followers"], row["joined"], row["left"]) for row in read_csv(out_file)] == [
        ("2500", "2500", "0"), ("2514", "20", "6")]
    assert len(sandbox_server.billing.charges()) == requests_before  # read locally only


def test_history_since_a_date_after_every_fetch_says_there_is_none(x_profile, capsys):
    fetch(x_profile)
    capsys.readouterr()
    assert cli.main([*x_profile, "followers", "history", "--since", "2099-01-01"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("No complete followers fetch in this period")


def test_a_date_that_is_no_date_is_refused(x_profile, capsys):
    with pytest.raises(SystemExit) as refused:  # argparse's own refusal, with the sentence on stderr
        cli.main([*x_profile, "followers", "history", "--since", "last tuesday"])
    assert refused.value.code == 2
    assert "is not a date" in capsys.readouterr().err


def test_export_left_and_new_write_who_changed(x_profile, sandbox_server, fake_clock, tmp_path, capsys):
    population = sandbox_server.state.population
    fetch(x_profile)
    day = churn(population, joined=9, left=4, clock=fake_clock)
    fetch(x_profile)
    capsys.readouterr()

    left_file, new_file = tmp_path / "left.csv", tmp_path / "new.csv"
    assert cli.main([*x_profile, "export", "left", "--out", str(left_file)]) == EXIT_OK
    assert "Exported followers who left: 4 rows" in capsys.readouterr().out
    left = read_csv(left_file)
    assert sorted(int(row["user_id"]) for row in left) == sorted(day.left)
    assert all(row["username"] and row["seen_at"] for row in left)
    assert cli.main([*x_profile, "export", "new", "--out", str(new_file), "--since", "2000-01-01"]) == EXIT_OK
    assert [int(row["user_id"]) for row in read_csv(new_file)] == day.joined
    assert (tmp_path / "new.dictionary.csv").exists()

    future = tmp_path / "none.csv"
    assert cli.main([*x_profile, "export", "left", "--out", str(future), "--since", "2099-01-01"]) == EXIT_OK
    assert read_csv(future) == []
