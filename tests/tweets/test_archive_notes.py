"""Long posts in archives: note-tweet.js joined to the tweets they belong to, never to a wrong one."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.tweets import archive_fixtures as fx
from twexport_qt.tweets.archive import ArchiveError, open_archive
from twexport_qt.tweets.archive_notes import Note, NoteOwners, parse_note, whole_text
from twexport_qt.tweets.archive_values import parse_iso_time

# ----- the rules, one by one ---------------------------------------------------------------------------------


def _note(note_id: int, created_at: int = 1_000, text: str = "whole text") -> Note:
    return Note(note_id, created_at, text, ())


def _owners(notes: list[Note], tweets: list[tuple[int, int]]) -> tuple[dict[int, int], list[int]]:
    """({tweet id: note id}, unmatched note ids) for `tweets` given as (id, created_at)."""
    owners = NoteOwners(notes)
    for tweet_id, created_at in tweets:
        owners.see(tweet_id, created_at)
    found, unmatched = owners.result()
    return {tweet_id: note.note_id for tweet_id, note in found.items()}, [item.note.note_id for item in unmatched]


def test_a_note_belongs_to_the_smallest_tweet_id_above_it() -> None:
    tweets = [(300, 1_000), (120, 1_000), (90, 1_000), (150, 1_000)]  # any order
    assert _owners([_note(100)], tweets) == ({120: 100}, [])


def test_the_tweet_may_be_created_in_the_next_second_but_no_later() -> None:
    assert _owners([_note(100, created_at=1_000)], [(101, 1_001)]) == ({101: 100}, [])
    assert _owners([_note(100, created_at=1_000)], [(101, 1_002)]) == ({}, [100])
    assert _owners([_note(100, created_at=1_000)], [(101, 999)]) == ({}, [100])


def test_two_notes_before_one_tweet_leave_the_earlier_note_alone() -> None:
    # The earlier note's tweet is gone; the tweet above both belongs to the nearer note only.
    assert _owners([_note(100), _note(110)], [(120, 1_000)]) == ({120: 110}, [100])


def test_a_note_with_no_tweet_above_it_is_unmatched() -> None:
    assert _owners([_note(100)], [(90, 1_000)]) == ({}, [100])


def test_second_only_matching_would_be_ambiguous_ids_are_not() -> None:
    # Two long posts of a thread and their tweets, all within one second.
    notes = [_note(100), _note(200)]
    assert _owners(notes, [(130, 1_000), (240, 1_000)]) == ({130: 100, 240: 200}, [])


@pytest.mark.parametrize(
    ("full_text", "note_text", "expected"),
    [
        # the preview ends in "…", with or without a t.co link after it
        ("A long story about bees…", "A long story about bees and wasps.", "A long story about bees and wasps."),
        ("A long story about bees… https://t.co/self", "A long story about bees and wasps.",
         "A long story about bees and wasps."),
        # tweets.js is HTML-escaped, the note is not; the result is escaped like tweets.js
        ("Fish &amp; chips &lt;3…", "Fish & chips <3 forever", "Fish &amp; chips &lt;3 forever"),
        # a reply's leading @mentions are only in tweets.js, and stay in front
        ("@ann @bob So, the plan…", "So, the plan is simple.", "@ann @bob So, the plan is simple."),
        # t.co links differ between the two: the preview is compared up to its first link
        ("Read https://t.co/TWEET and more", "Read https://t.co/NOTE and more", "Read https://t.co/NOTE and more"),
        # whitespace may be cut differently
        ("Line one\n\nLine two…", "Line one\n\nLine two and three", "Line one\n\nLine two and three"),
        # another post's text: not this tweet's note
        ("And the corrected plan goes up next week.", "Draft of the winter plan", None),
        ("@ann Totally different…", "So, the plan is simple.", None),
    ],
)
def test_whole_text_replaces_a_preview_only_of_the_same_text(full_text: str, note_text: str,
                                                            expected: str | None) -> None:
    assert whole_text(full_text, _note(1, text=note_text)) == expected


def test_parse_note_reads_xs_record() -> None:
    entry = fx.note("1764561416905322496", "2024-03-04T08:00:00", fx.STYLED_SHORT,
                    urls=[("https://t.co/NoTe4Rules", "https://example.org/seedlings")], bold=(10, 15))
    assert parse_note(entry) == Note(1764561416905322496, parse_iso_time("2024-03-04T08:00:00.000Z", "t"),
                                     fx.STYLED_SHORT, ("https://example.org/seedlings",))


@pytest.mark.parametrize("value", ["2024-03-04 08:00", "yesterday", "2024-03-04T08:00:00", 1709539200, None])
def test_note_times_must_be_utc_iso_dates(value: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        parse_iso_time(value, "createdAt")


# ----- a whole archive ---------------------------------------------------------------------------------------


@pytest.fixture(params=["zip", "folder"])
def new_archive(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "zip":
        return fx.write_zip(tmp_path / "twitter-2024-03-13-abc.zip", fx.new_style_files())
    return fx.write_folder(tmp_path / "extracted", fx.new_style_files())


def test_every_long_post_gets_its_whole_text_from_both_note_files(new_archive: Path) -> None:
    archive = open_archive(new_archive)
    texts = {tweet.id: tweet.text for tweet in archive.iter_tweets()}

    assert texts[int(fx.T_ORIGINAL)] == fx.escaped(fx.LONG_ORIGINAL)  # note-tweet-part1.js
    assert "&amp; I promised" in texts[int(fx.T_ORIGINAL)] and "patience &lt;3" in texts[int(fx.T_ORIGINAL)]
    assert texts[int(fx.T_REPLY)] == "@river_dev " + fx.LONG_REPLY  # the reply's @mention stays in front
    assert texts[int(fx.T_QUOTE)] == fx.LONG_QUOTE
    assert texts[int(fx.T_STYLED)] == fx.STYLED_SHORT  # a short styled post: the note's own t.co link
    assert texts[int(fx.T_STRADDLING)] == fx.STRADDLING  # note at :59.990, tweet at :00.015
    assert texts[int(fx.T_THREAD_1)] == fx.THREAD_FIRST  # two long posts within one second
    assert texts[int(fx.T_THREAD_2)] == fx.THREAD_SECOND
    assert (archive.joined_long_posts, archive.unmatched_long_posts) == (7, 1)


def test_a_note_whose_tweet_was_deleted_is_counted_and_never_lent_to_the_next_tweet(
        new_archive: Path, caplog: pytest.LogCaptureFixture) -> None:
    archive = open_archive(new_archive)
    with caplog.at_level(logging.WARNING):
        texts = {tweet.id: tweet.text for tweet in archive.iter_tweets()}

    # Posted 350 ms after the orphan note, in the same second: rule 3 (same text) keeps them apart.
    assert texts[int(fx.T_AFTER_DELETED)] == "And the corrected winter plan goes up next week."
    assert not any(fx.DELETED_LONG[:40] in text for text in texts.values())
    assert archive.unmatched_long_posts == 1
    assert f"Long post {fx.N_DELETED} of the archive's note-tweet.js was not joined" in caplog.text
    assert "does not begin with its text" in caplog.text


def test_counts_stay_the_same_when_the_archive_is_read_again(new_archive: Path) -> None:
    archive = open_archive(new_archive)
    for _ in range(3):  # the download re-reads the archive to resume and to find reply parents
        assert len(list(archive.iter_tweets())) == 18
    assert (archive.joined_long_posts, archive.unmatched_long_posts) == (7, 1)


def test_an_archive_without_notes_reads_as_before(tmp_path: Path) -> None:
    files = fx.new_style_files()
    del files["data/note-tweet.js"], files["data/note-tweet-part1.js"]
    archive = open_archive(fx.write_folder(tmp_path, files))
    texts = {tweet.id: tweet.text for tweet in archive.iter_tweets()}
    assert texts[int(fx.T_ORIGINAL)] == fx.preview(fx.LONG_ORIGINAL)
    assert (archive.joined_long_posts, archive.unmatched_long_posts) == (0, 0)


def test_a_malformed_note_is_counted_and_the_others_still_join(tmp_path: Path, caplog) -> None:
    files = fx.new_style_files()
    _, more_notes = fx.new_style_notes()
    broken = fx.note("123", "2024-03-01T09:00:00", "x")
    broken["noteTweet"]["createdAt"] = "last Tuesday"
    files["data/note-tweet-part1.js"] = fx.ytd("note_tweet.part1", [broken, *more_notes])
    archive = open_archive(fx.write_folder(tmp_path, files))

    texts = {tweet.id: tweet.text for tweet in archive.iter_tweets()}

    assert texts[int(fx.T_QUOTE)] == fx.LONG_QUOTE
    assert (archive.joined_long_posts, archive.unmatched_long_posts) == (7, 2)
    assert "Long post 1 of data/note-tweet-part1.js" in caplog.text and "createdAt" in caplog.text


def test_a_damaged_note_file_is_a_sentence(tmp_path: Path) -> None:
    files = fx.new_style_files()
    files["data/note-tweet.js"] = "window.YTD.note_tweet.part0 = [ {"
    archive = open_archive(fx.write_folder(tmp_path, files))
    with pytest.raises(ArchiveError, match=r"data/note-tweet\.js in the archive"):
        list(archive.iter_tweets())
