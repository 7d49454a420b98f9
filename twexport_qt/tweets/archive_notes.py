"""Give an archive's long posts their whole text: X keeps it in note-tweet.js, apart from the tweet it belongs to.

A post longer than 280 characters is in an archive twice. tweets.js holds a preview, the first ~275 characters
ending in "…" (often followed by a t.co link); data/note-tweet.js (`window.YTD.note_tweet.part0`, split into
`note-tweet-part1.js`... like any type) holds the whole post as `{"noteTweet": {"noteTweetId", "createdAt":
"2023-10-13T14:58:50.000Z", "core": {"text", "urls": [{"expandedUrl", ...}], ...}}}`. Posts of 280 characters or
fewer with bold or italic words are notes too. A note's text is not HTML-escaped, lacks the leading @mentions of
a reply and has t.co links of its own.

The note names no tweet, and its id is not the tweet's: it is allocated when the note is saved, 13 to 41 ms
before the tweet (measured on a real archive, 41 notes of 41). A note belongs to a tweet when all of these hold:

1. the tweet's id is the smallest tweets.js id above the note's, and no other note's id lies between the two
   (ids are snowflakes, ordered by time; two notes that would claim one tweet are both left alone);
2. the tweet was created in the note's second or the next (a 13-41 ms gap can straddle a second);
   matching on the second alone, as many parsers do, was ambiguous for 14 of those 41 notes;
3. the tweet's own text, up to its first t.co link or "…", is the start of the note's text.

A note failing any of them is left unattached, counted and logged, and its tweet keeps the preview: a truncated
text is better than someone else's.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from twexport_qt.tweets.archive_values import parse_id, parse_iso_time

# The 13-41 ms between note and tweet may cross into the next second, never further.
MAX_SECONDS_AFTER_NOTE = 1
# Where the preview stops being the note's text: X's own t.co links differ from the note's, and "…" marks the cut.
_PREVIEW_END = re.compile(r"https?://t\.co/|…")
# The @mentions X puts before a reply's text; a note does not repeat them.
_LEADING_MENTIONS = re.compile(r"(?:@[A-Za-z0-9_]+\s+)+")


@dataclass(frozen=True, slots=True)
class Note:
    """One long post of note-tweet.js."""

    note_id: int
    created_at: int  # epoch seconds, rounded down
    text: str  # as the note has it: not HTML-escaped, no leading reply @mentions
    urls: tuple[str, ...]  # the expanded links in the text


@dataclass(frozen=True, slots=True)
class UnmatchedNote:
    note: Note
    reason: str  # completes "A long post ... was left out of its tweet: <reason>"


def parse_note(entry: Any) -> Note:
    """The note in one note-tweet.js entry. Raises ValueError, KeyError or TypeError when it is not one."""
    note = entry["noteTweet"]
    core = note["core"]
    text = core["text"]
    if not isinstance(text, str):
        raise TypeError(f"text is {type(text).__name__}, not a string")
    urls = tuple(str(url["expandedUrl"]) for url in core.get("urls") or ()
                 if isinstance(url, Mapping) and url.get("expandedUrl"))
    return Note(parse_id(note["noteTweetId"], "noteTweetId"), parse_iso_time(note["createdAt"], "createdAt"),
                text, urls)


class NoteOwners:
    """Finds the tweet each note belongs to (rules 1 and 2) in one pass over the archive's tweets.

    Feed every tweet's id and time to `see`, in any order, then call `result`. Memory grows with the notes,
    not with the tweets: for each note only the smallest tweet id between it and the next note is kept.
    """

    def __init__(self, notes: Iterable[Note]) -> None:
        self._notes = sorted(notes, key=lambda note: note.note_id)
        self._note_ids = [note.note_id for note in self._notes]
        self._first_after: list[tuple[int, int] | None] = [None] * len(self._notes)

    def see(self, tweet_id: int, created_at: int) -> None:
        slot = bisect.bisect_left(self._note_ids, tweet_id) - 1  # the last note with a smaller id
        if slot < 0:
            return
        current = self._first_after[slot]
        if current is None or tweet_id < current[0]:
            self._first_after[slot] = (tweet_id, created_at)

    def result(self) -> tuple[dict[int, Note], list[UnmatchedNote]]:
        """({tweet id: its note}, the notes that belong to no tweet, with why)."""
        owners: dict[int, Note] = {}
        unmatched: list[UnmatchedNote] = []
        for note, found in zip(self._notes, self._first_after):
            if found is None:
                unmatched.append(UnmatchedNote(note, "no tweet follows it before the next long post (its tweet "
                                                     "may have been deleted)"))
                continue
            tweet_id, created_at = found
            if not 0 <= created_at - note.created_at <= MAX_SECONDS_AFTER_NOTE:
                unmatched.append(UnmatchedNote(note, f"the next tweet, {tweet_id}, was posted "
                                                     f"{created_at - note.created_at} s after it, not within a second"))
                continue
            owners[tweet_id] = note
        return owners, unmatched


def _squashed(text: str) -> str:
    return " ".join(text.split())


def _is_preview_of(preview: str, note_text: str) -> bool:
    head = html.unescape(preview)
    cut = _PREVIEW_END.search(head)
    if cut is not None:
        head = head[:cut.start()]
    return _squashed(note_text).startswith(_squashed(head))


def whole_text(full_text: str, note: Note) -> str | None:
    """The tweet's text with the note's whole text in place of the preview (rule 3), or None if the tweet's text
    is not the start of the note's.

    The result follows tweets.js's conventions, so it is cleaned like any archive text: HTML-escaped (`&amp;`,
    `&lt;`, `&gt;`) and with the reply's leading @mentions kept from the tweet.
    """
    starts = [0]
    mentions = _LEADING_MENTIONS.match(full_text)
    if mentions is not None:
        starts.append(mentions.end())
    for start in starts:
        if _is_preview_of(full_text[start:], note.text):
            return full_text[:start] + html.escape(note.text, quote=False)
    return None
