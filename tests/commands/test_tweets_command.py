"""`tweets download`: seed-style positional arguments, flags, and an end-to-end run on the built-in sandbox."""

from __future__ import annotations

import argparse
import csv
import json

import pytest

from twexport_qt import cli
from twexport_qt.commands import registry, tweets_command
from twexport_qt.commands.tweets_command import UsageError, parse_download_args


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    tweets_command.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["tweets", "download", *argv])


def test_seed_readme_example_is_read_in_the_seeds_order(tmp_path):
    # python3 download_tweets.py <user> None True False False False 3 reply
    parsed = parse_download_args(parse("santiagodc", "None", "True", "False", "False", "False", "3", "reply",
                                       "--output", str(tmp_path / "o.csv")))
    options = parsed.options
    assert parsed.request_sources == ("santiagodc",)
    assert options.limit is None and options.include_replies and not options.include_links
    assert not options.strip_usertags and not options.strip_hashtags
    assert options.sentiment == 3 and options.text_format == "reply"


def test_positional_limit_and_timeframe_and_default_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parsed = parse_download_args(parse("@alice", "100", "False", "True", "True", "True", "0", "simple",
                                       "202001011200"))
    assert parsed.options.limit == 100 and parsed.options.strip_hashtags
    assert parsed.options.start.isoformat() == "2020-01-01T12:00:00+00:00"
    assert parsed.output_path == tmp_path / "alice_tweets.csv"


def test_flags_and_usernames_file(tmp_path):
    names = tmp_path / "people.txt"
    names.write_text("alice\n@bob  # friend\nnot a name\n")
    parsed = parse_download_args(parse(str(names), "--limit", "5", "--include-replies", "--no-links",
                                       "--include-quotes", "--sentiment", "5", "--format", "reply",
                                       "--until", "202401010000", "--source", "search", "--output-format", "jsonl"))
    assert parsed.request_sources == ("alice", "bob") and len(parsed.username_problems) == 1
    assert parsed.source_kind == "search" and parsed.options.include_quotes and not parsed.options.include_links
    assert parsed.output_path.name == "people_tweets.jsonl"


@pytest.mark.parametrize("argv, message", [
    (("alice", "ten"), "limit"),
    (("alice", "None", "maybe"), "include_replies"),
    (("alice", "None", "True", "True", "False", "False", "4"), "sentiment"),
    (("alice", "--timeframe", "2020"), "Timeframe"),
    (("alice", "50", "--limit", "60"), "given twice"),
    (("--source", "archive"), "--archive"),
    ((), "username"),
])
def test_bad_input_is_one_clear_error(argv, message):
    with pytest.raises(UsageError, match=message):
        parse_download_args(parse(*argv))


def test_bad_input_exits_2_with_one_line(capsys):
    assert tweets_command._handle_download(parse("alice", "ten")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: limit")


def test_end_to_end_on_the_sandbox_profile(tmp_path, data_dir, capsys):
    assert tweets_command in registry.COMMAND_MODULES
    output = tmp_path / "dataset.csv"
    argv = ["--data-dir", str(data_dir), "tweets", "download", "alice_writes", "25", "--output", str(output)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "@alice_writes: 25 written" in out
    assert "25 tweets written in this run" in out and f"Dataset file: {output}" in out  # the wizard's sentence
    with open(output, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["tweets"] and len(rows) == 26
    assert cli.main(argv) == 0  # the same command again: already complete, nothing appended
    assert "already finished" in capsys.readouterr().out
    with open(output, newline="", encoding="utf-8") as file:
        assert len(list(csv.reader(file))) == 26


def test_terminal_progress_redraws_in_place_on_a_tty_and_prints_lines_otherwise():
    import io

    from twexport_qt.commands.terminal_progress import TerminalProgress, render_line, render_wait
    from twexport_qt.core.progress import Progress
    from twexport_qt.gateway.pacing import WaitNotice

    line = render_line(Progress(50, 200, "@alice (1/2): 60 read", 125.0), 200)
    assert line.startswith("[#####---------------]  25% 50/200") and line.endswith("ETA 2:05")
    assert len(render_line(Progress(1, None, "x" * 500), 40)) == 40
    assert render_wait(WaitNotice("rate_limit", "e", 1_000.0, "Waiting."), 925.0, 80) == "Waiting. Resuming in 1:15."

    tty = io.StringIO()
    display = TerminalProgress(tty, is_tty=True)
    display.update(Progress(1, 2, "long message here"))
    display.update(Progress(2, 2, "short"))
    display.close()
    assert tty.getvalue().count("\r") == 2 and tty.getvalue().endswith("\n")

    plain = io.StringIO()
    display = TerminalProgress(plain, is_tty=False, plain_interval=3600)
    for done in range(5):
        display.update(Progress(done, 10, "same account"))
    display.waiting(WaitNotice("rate_limit", "e", 10.0, "Waiting."))
    assert "\r" not in plain.getvalue() and len(plain.getvalue().splitlines()) == 2


def test_from_store_picks_the_stored_tweets_and_refuses_another_source(tmp_path):
    parsed = parse_download_args(parse("alice", "--from-store", "--sentiment", "3", "--output", str(tmp_path / "o")))
    assert parsed.source_kind == "stored" and parsed.options.sentiment == 3
    with pytest.raises(UsageError, match="--from-store"):
        parse_download_args(parse("alice", "--from-store", "--source", "search"))


def ledger_rows(data_dir) -> int:
    from twexport_qt import paths
    from twexport_qt.store import spend_repo
    from twexport_qt.store.database import open_database

    conn = open_database(data_dir / paths.DATABASE_FILE_NAME)
    try:
        return len(list(spend_repo.rows_between(conn, "Sandbox", "0000-01-01", "9999-12-31")))
    finally:
        conn.close()


def test_from_store_is_free_makes_no_request_and_says_which_account_has_nothing_stored(tmp_path, data_dir, capsys):
    def download(*argv: str) -> str:
        assert cli.main(["--data-dir", str(data_dir), "tweets", "download", *argv]) == 0
        return capsys.readouterr().out

    download("alice_writes", "40", "--output", str(tmp_path / "first.csv"))
    billed = ledger_rows(data_dir)
    assert billed > 0  # the download itself was billed, answer by answer

    out = download("alice_writes", "40", "--from-store", "--output", str(tmp_path / "same.csv"))
    assert "Estimated cost: free — built from tweets already downloaded, no request" in out
    assert "@alice_writes: 40 written" in out
    assert (tmp_path / "same.csv").read_bytes() == (tmp_path / "first.csv").read_bytes()

    names = tmp_path / "people.txt"
    names.write_text("alice_writes\nbob_builds\n")
    out = download(str(names), "40", "--from-store", "--sentiment", "5", "--output-format", "jsonl",
                   "--output", str(tmp_path / "labelled.jsonl"))
    assert "@bob_builds: skipped, no tweets of this account are stored yet" in out
    lines = [json.loads(line) for line in (tmp_path / "labelled.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 40 and all(line["label"] for line in lines)
    assert ledger_rows(data_dir) == billed  # neither rebuild made a request


def test_a_sandbox_follower_with_no_tweets_is_explained_on_the_command_line(tmp_path, data_dir, capsys):
    import numpy as np

    from twexport_qt.app_context import DEFAULT_SANDBOX_SEED
    from twexport_qt.sandbox.population import Population

    follower = Population(DEFAULT_SANDBOX_SEED).users_at(np.array([10]))[0].username  # followers post nothing
    output = tmp_path / "follower.csv"
    argv = ["--data-dir", str(data_dir), "tweets", "download", follower, "25", "--output", str(output)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"@{follower}: 0 written" in out
    assert "the Sandbox's followers post nothing" in out and "@alice_writes" in out
