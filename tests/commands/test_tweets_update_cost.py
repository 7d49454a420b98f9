"""`tweets download --update` is priced and confirmed like any paid download: a figured estimate, the question
above $1 (refused in a script without `--yes`), `--max-cost`; the Sandbox profile never asks."""

from __future__ import annotations

import io

import pytest

from twexport_qt import cli
from twexport_qt.core.errors import EXIT_BAD_INPUT, EXIT_JOB_STOPPED, EXIT_OK
from twexport_qt.sandbox.billing import XResource
from twexport_qt.sandbox.endpoints import Endpoint


def timeline_pages(sandbox_server) -> int:
    return sum(1 for charge in sandbox_server.billing.charges()
               if charge.endpoint == Endpoint.USER_TWEETS and charge.resource == XResource.POSTS_READ)


@pytest.fixture
def script(monkeypatch):
    """A script: no terminal to ask at."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def test_an_update_in_a_script_prints_its_price_and_needs_yes(tmp_path, x_profile, sandbox_server, script,
                                                             capsys):
    dataset = tmp_path / "carol.csv"
    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--output", str(dataset), "--yes"]) == EXIT_OK
    before, pages = dataset.read_bytes(), timeline_pages(sandbox_server)
    capsys.readouterr()

    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--update", "--output",
                     str(dataset)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert ("Estimated cost: only posts newer than the dataset's are read, from 1 account: $0.01 if none is new "
            "(up to $") in captured.out
    assert "add --yes to start it from a script" in captured.err
    assert "Only the look-up that priced it was read ($0.01 at most); nothing else was requested." in captured.err
    assert timeline_pages(sandbox_server) == pages and dataset.read_bytes() == before  # no tweet was read

    assert "What was downloaded so far" not in captured.err  # it did not start: nothing to resume

    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--update", "--output", str(dataset),
                     "--yes"]) == EXIT_OK
    assert "Update: 0 newer tweets read, 0 added to the file; 400 in the file now." in capsys.readouterr().out


def test_max_cost_stops_an_update_before_the_request_that_could_pass_it(tmp_path, x_profile, sandbox_server,
                                                                        script, capsys):
    dataset = tmp_path / "carol.csv"
    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--output", str(dataset), "--yes"]) == EXIT_OK
    charges = len(sandbox_server.billing.charges())
    capsys.readouterr()
    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--update", "--output", str(dataset),
                     "--yes", "--max-cost", "0.005"]) == EXIT_JOB_STOPPED
    assert "Stopped before passing --max-cost $0.005" in capsys.readouterr().out
    assert len(sandbox_server.billing.charges()) == charges  # not even the price look-up


def test_an_update_of_an_unfinished_download_is_priced_as_finishing_it(tmp_path, x_profile, sandbox_server,
                                                                       script, capsys):
    dataset = tmp_path / "carol.csv"
    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--output", str(dataset), "--yes",
                     "--max-cost", "0.60"]) == EXIT_JOB_STOPPED  # paused part way: the download is not finished
    pages = timeline_pages(sandbox_server)
    capsys.readouterr()

    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--update", "--output",
                     str(dataset)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "This dataset's download never finished: --update finishes it first." in captured.out
    assert "Estimated cost: ≈ " in captured.out and " posts from 1 account: $" in captured.out
    assert "add --yes to start it from a script" in captured.err
    assert timeline_pages(sandbox_server) == pages


def test_the_sandbox_profile_prices_an_update_and_never_asks(tmp_path, data_dir, script, capsys):
    dataset = tmp_path / "carol.csv"
    sandbox = ["--data-dir", str(data_dir), "tweets", "download", "carol_codes", "--output", str(dataset)]
    assert cli.main(sandbox) == EXIT_OK
    capsys.readouterr()
    assert cli.main([*sandbox, "--update"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Estimated cost: only posts newer than the dataset's are read, from 1 account: " in out
    assert "(simulated: the Sandbox bills nothing)" in out


def test_an_update_that_is_not_possible_reads_nothing(tmp_path, x_profile, sandbox_server, script, capsys):
    charges = len(sandbox_server.billing.charges())
    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--update", "--output",
                     str(tmp_path / "none.csv")]) == EXIT_BAD_INPUT
    assert "run the command without --update first" in capsys.readouterr().err
    assert len(sandbox_server.billing.charges()) == charges  # not even the price look-up
