"""Datasets built from archives shaped like real exports: what ends up in the CSV, row by row."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tweets import archive_fixtures as fx
from tests.tweets.download_support import read_rows
from twexport_qt.core.clock import FakeClock
from twexport_qt.store.database import open_database
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions


def _one_line(text: str) -> str:
    return " ".join(text.split())


LONG_ORIGINAL = _one_line(fx.LONG_ORIGINAL)
THREAD_FIRST = _one_line(fx.THREAD_FIRST)
STRADDLING = _one_line(fx.STRADDLING)


def _dataset(tmp_path: Path, files: dict[str, str], options: DatasetOptions) -> list[str]:
    archive = fx.write_zip(tmp_path / "twitter-archive.zip", files)
    output = tmp_path / "out.csv"
    run_download(open_database(":memory:"), None, None, FakeClock(),
                 DownloadRequest((str(archive),), "archive", options, output))
    return read_rows(output)


def test_new_style_archive_with_default_options(tmp_path: Path) -> None:
    # Newest first. Left out: both retweets ("RT @nasa", "rt @poet_daily"), the three replies, the three
    # quotes (x.com, /photo/1, and the long post quoting Other_Acct). Links to the owner's own posts stay.
    assert _dataset(tmp_path, fx.new_style_files(), DatasetOptions()) == [
        "Fish & chips tonight, then an early night.",
        "The swarm, filmed from a safe distance",
        "Sunset over the allotments",
        "The thread from before my rename",
        "As I said last spring, mulch is everything",
        THREAD_FIRST,
        "And the corrected winter plan goes up next week.",
        STRADDLING,
        "Two rules for seedlings: light before warmth, and water from below. Details:",
        LONG_ORIGINAL,
    ]
    assert LONG_ORIGINAL.endswith("and the best part is still to come.")  # the whole post, not the preview
    assert "& I promised" in LONG_ORIGINAL and "patience <3" in LONG_ORIGINAL


def test_quotes_only_when_asked(tmp_path: Path) -> None:
    rows = _dataset(tmp_path, fx.new_style_files(), DatasetOptions(include_quotes=True))
    assert "So true, and nobody says it out loud" in rows
    assert "Look at this chart from the council" in rows
    assert _one_line(fx.LONG_QUOTE) in rows
    assert len(rows) == 13


def test_without_links_photos_and_videos_go_too(tmp_path: Path) -> None:
    # As from the API, where X lists media among the links: only tweets with no link, photo or video remain.
    assert _dataset(tmp_path, fx.new_style_files(), DatasetOptions(include_links=False)) == [
        "Fish & chips tonight, then an early night.",
        THREAD_FIRST,
        "And the corrected winter plan goes up next week.",
        STRADDLING,
        LONG_ORIGINAL,
    ]


def test_new_style_archive_in_reply_format(tmp_path: Path) -> None:
    rows = _dataset(tmp_path, fx.new_style_files(), DatasetOptions(include_replies=True, text_format="reply"))
    by_tweet = {row.split("****TWEET\n")[1]: row for row in rows}

    # A long reply in the owner's own thread: every section holds a whole post.
    assert by_tweet[_one_line(fx.THREAD_SECOND)] == (
        f"****ARGUMENTS\nREPLY\n****PARENT\n{THREAD_FIRST}\n****IN_REPLY_TO\n{THREAD_FIRST}\n"
        f"****TWEET\n{_one_line(fx.THREAD_SECOND)}"
    )
    # Replies to posts outside the archive, with no credentials to look them up: ORIGINAL, as the original
    # wrote a reply whose parent it could not fetch. The @mention X put first is gone.
    assert by_tweet[_one_line(fx.LONG_REPLY)] == (
        f"****ARGUMENTS\nORIGINAL\n****PARENT\n****IN_REPLY_TO\n****TWEET\n{_one_line(fx.LONG_REPLY)}"
    )
    assert "Thanks, that fixed it!" in by_tweet


def test_old_style_archive_with_default_options(tmp_path: Path) -> None:
    # tweet.js + tweet-part1.js: the retweet, the quote and the replies are left out; the photo-only tweet
    # cleans to nothing.
    assert _dataset(tmp_path, fx.old_style_files(), DatasetOptions()) == [
        "First frost on the cabbages",
        "Part two of yesterday's thread",
        "Planted the first potatoes today.",
    ]


def test_old_style_archive_in_reply_format(tmp_path: Path) -> None:
    rows = _dataset(tmp_path, fx.old_style_files(), DatasetOptions(include_replies=True, text_format="reply"))
    by_tweet = {row.split("****TWEET\n")[1]: row for row in rows}

    assert by_tweet["Then the rain came & washed it all away."] == (
        "****ARGUMENTS\nREPLY\n****PARENT\nPlanted the first potatoes today.\n"
        "****IN_REPLY_TO\nPlanted the first potatoes today.\n****TWEET\nThen the rain came & washed it all away."
    )
    # Its parent is a photo and nothing else: still a REPLY, with empty lines for the context, as the original.
    assert by_tweet["Forgot to say: these are the leeks."] == (
        "****ARGUMENTS\nREPLY\n****PARENT\n\n****IN_REPLY_TO\n\n****TWEET\nForgot to say: these are the leeks."
    )
    assert by_tweet["Which variety was it?"].startswith("****ARGUMENTS\nORIGINAL\n")


@pytest.mark.parametrize("sentiment", [3, 5, 7])
def test_labels_describe_the_whole_long_post(tmp_path: Path, sentiment: int) -> None:
    rows = _dataset(tmp_path, fx.new_style_files(), DatasetOptions(sentiment=sentiment))
    label, text = rows[-1].split("\n", 1)
    assert text == LONG_ORIGINAL and label.endswith("POSITIVE")
