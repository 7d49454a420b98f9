"""`tweets download` dataset flags: parsed into DatasetOptions, and a bad value is one line, exit 2, nothing written."""

from __future__ import annotations

import argparse
import json
import re
import sqlite3

import pytest

from twexport_qt.commands import tweets_command
from twexport_qt.commands.tweets_command import UsageError, parse_download_args


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir")
    tweets_command.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["tweets", "download", *argv])


def test_every_dataset_flag_reaches_the_options(tmp_path):
    parsed = parse_download_args(parse(
        "alice", "--output-format", "chat-jsonl", "--system-prompt", "You are Alice.", "--sentiment", "3",
        "--sentiment-style", "token", "--thread-depth", "3", "--dedupe", "--near-duplicate-threshold", "0.7",
        "--min-length", "20", "--lang", "en, FR", "--scrub-contacts", "--scrub-mentions", "--scrub-links",
        "--split", "0.8,0.1,0.1", "--seed", "7", "--output", str(tmp_path / "alice.jsonl")))
    options = parsed.options
    assert options.output_format == "chat-jsonl" and options.system_prompt == "You are Alice."
    assert options.sentiment_style == "token" and options.thread_depth == 3
    assert options.dedupe and options.near_duplicate_threshold == 0.7 and options.min_length == 20
    assert options.languages == ("en", "fr")
    assert options.scrub_contacts and options.scrub_mentions and options.scrub_links
    assert options.split == (0.8, 0.1, 0.1) and options.seed == 7 and options.needs_build()
    assert not parsed.update


def test_defaults_leave_the_original_formats_streamed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parsed = parse_download_args(parse("alice", "--output-format", "text-jsonl"))
    assert parsed.output_path.name == "alice_tweets.jsonl" and parsed.options.needs_build()
    plain = parse_download_args(parse("alice", "--update"))
    assert plain.update and not plain.options.needs_build() and not plain.options.dedupe


@pytest.mark.parametrize("argv, message", [
    (("--output-format", "parquet"), "--output-format must be one of"),
    (("--thread-depth", "0"), "--thread-depth must be from 1 to 10"),
    (("--thread-depth", "two"), "--thread-depth must be a whole number"),
    (("--near-duplicate-threshold", "high"), "--near-duplicate-threshold must be a number"),
    (("--near-duplicate-threshold", "1.5"), "near-duplicate threshold must be a similarity"),
    (("--min-length", "-3"), "--min-length must be at least 0"),
    (("--lang", "english!"), "not a language code"),
    (("--split", "0.8,0.2"), "--split must be three shares"),
    (("--split", "0.8,0.3,0.1"), "add up to 1"),
    (("--sentiment-style", "emoji"), "--sentiment-style must be one of metadata, token"),
    (("--seed", "x"), "--seed must be a whole number"),
    (("--update", "--from-store"), "--update reads the accounts' timelines"),
])
def test_bad_dataset_values_are_one_clear_line(argv, message):
    with pytest.raises(UsageError, match=message):
        parse_download_args(parse("alice", *argv))


def test_a_bad_value_exits_2_and_writes_nothing(tmp_path, capsys):
    output = tmp_path / "never.jsonl"
    assert tweets_command._handle_download(parse("alice", "--split", "0.5,0.5,0.5", "--output", str(output))) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: The split shares")
    assert list(tmp_path.iterdir()) == []


def test_a_rebuild_says_no_api_use_and_an_update_with_other_options_is_refused(tmp_path, x_profile,
                                                                              sandbox_server, capsys):
    from twexport_qt import cli

    downloaded = tmp_path / "a" / "carol.csv"
    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--output", str(downloaded), "--yes"]) == 0
    charges = len(sandbox_server.billing.charges())
    capsys.readouterr()

    rebuilt = tmp_path / "b" / "carol.jsonl"
    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--from-store", "--output-format",
                     "chat-jsonl", "--dedupe", "--split", "0.8,0.1,0.1", "--scrub-contacts",
                     "--output", str(rebuilt)]) == 0
    out = capsys.readouterr().out
    assert "Building from 400 stored tweets, no API use." in out
    assert "Built from 400 stored tweets, no API use (0 requests)." in out
    assert "Removed: " in out and re.search(r"near duplicate: \d+ \(similarity >= 0.8\)", out) and "Scrubbed: " in out
    for split in ("train", "validation", "test"):
        path = rebuilt.with_name(f"carol.{split}.jsonl")
        lines = path.read_text(encoding="utf-8").splitlines()
        assert f"{split}: {path} — {len(lines):,} examples, ≈ " in out
    assert f"Dataset card: {rebuilt.parent / 'README.md'}" in out
    assert len(sandbox_server.billing.charges()) == charges  # nothing billed: no request was made

    before = downloaded.read_bytes()
    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--update", "--sentiment", "3",
                     "--output", str(downloaded)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "was made with other options (sentiment: 0 (now 3))" in err[0]
    assert downloaded.read_bytes() == before


# ----- the language filter reads X's `lang`, stored with each tweet -------------------------------------------

_SPANISH, _GERMAN, _JAPANESE = "Hoy estoy ", "Heute bin ich ", "今日は"  # how the sandbox's posts in them begin


def _dave_languages(sandbox_server) -> dict[int, str]:
    """X's `lang` of each of dave_designs' tweets, as the sandbox serves it: mostly "en", some in other languages,
    emoji only ("und"), a media link only ("zxx"), hashtags only ("qht")."""
    from twexport_qt.sandbox.population import WELL_KNOWN

    dave = next(user.id for user in WELL_KNOWN if user.username == "dave_designs")
    world = sandbox_server.state.tweets
    return {world.tweet(dave, k).id: world.tweet(dave, k).lang for k in range(world.count(dave))}


def _texts(path) -> list[str]:
    """The examples' texts of a JSONL dataset file."""
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


def _stored_languages(data_dir) -> dict[int, str | None]:
    with sqlite3.connect(data_dir / "twexport.sqlite3") as conn:
        return dict(conn.execute("SELECT id, lang FROM tweets"))


def test_lang_keeps_only_the_languages_asked_for_and_a_rebuild_needs_no_request(tmp_path, data_dir, x_profile,
                                                                                sandbox_server, capsys):
    from twexport_qt import cli

    languages = _dave_languages(sandbox_server)
    counts = {code: sum(1 for lang in languages.values() if lang == code) for code in set(languages.values())}
    assert counts["en"] > 300 and all(counts.get(code) for code in ("es", "de", "ja", "und", "zxx", "qht"))

    english = tmp_path / "dave.en.jsonl"
    assert cli.main([*x_profile, "tweets", "download", "dave_designs", "--lang", "en", "--output-format", "jsonl",
                     "--output", str(english), "--yes"]) == 0
    out = capsys.readouterr().out
    # A media-only post ("zxx") is empty once its link is cleaned: removed as empty before its language counts.
    removed = sum(count for code, count in counts.items() if code not in ("en", "zxx"))
    assert f"other language: {removed}" in out and f"empty after cleaning: {counts['zxx']}" in out
    assert f"@dave_designs: {counts['en']} written" in out
    texts = _texts(english)
    assert len(texts) == counts["en"] and not any(text.startswith((_SPANISH, _GERMAN, _JAPANESE)) for text in texts)
    assert _stored_languages(data_dir) == languages  # every tweet read is stored with its language
    charges = len(sandbox_server.billing.charges())

    spanish = tmp_path / "dave.es.jsonl"
    assert cli.main([*x_profile, "tweets", "download", "dave_designs", "--from-store", "--lang", "es",
                     "--output-format", "jsonl", "--output", str(spanish)]) == 0
    out = capsys.readouterr().out
    assert "no API use" in out
    texts = _texts(spanish)
    assert len(texts) == counts["es"] and all(text.startswith(_SPANISH) for text in texts)
    assert len(sandbox_server.billing.charges()) == charges  # nothing requested


def test_tweets_stored_without_a_language_pass_the_filter(tmp_path, data_dir, x_profile, sandbox_server, capsys):
    """Rows stored before TwExport kept `lang` (NULL) are kept by any language filter: nothing says otherwise."""
    from twexport_qt import cli

    languages = _dave_languages(sandbox_server)
    assert cli.main([*x_profile, "tweets", "download", "dave_designs", "--output", str(tmp_path / "all.csv"),
                     "--yes"]) == 0
    german = [tweet_id for tweet_id, lang in languages.items() if lang == "de"]
    with sqlite3.connect(data_dir / "twexport.sqlite3") as conn:  # as a database from before the migration
        conn.execute(f"UPDATE tweets SET lang = NULL WHERE id IN ({', '.join('?' * len(german))})", german)
    capsys.readouterr()

    rebuilt = tmp_path / "dave.es.jsonl"
    assert cli.main([*x_profile, "tweets", "download", "dave_designs", "--from-store", "--lang", "es",
                     "--output-format", "jsonl", "--output", str(rebuilt)]) == 0
    texts = _texts(rebuilt)
    spanish = sum(1 for lang in languages.values() if lang == "es")
    assert len(texts) == spanish + len(german)
    assert sum(text.startswith(_GERMAN) for text in texts) == len(german)
    assert f"other language: {len(languages) - spanish - len(german) - list(languages.values()).count('zxx')}" \
        in capsys.readouterr().out
