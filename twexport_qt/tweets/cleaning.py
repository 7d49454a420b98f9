"""Turn a tweet's raw text into training text, and decide which tweets belong in a dataset.

The rules follow the original tool (download-tweets-ai-text-gen-plus) where a user would expect them to, and
differ on purpose elsewhere; README "Differences from the original tool" lists each difference and why, and
tests/tweets/test_original_parity.py holds a model of the original's rules that every one is checked against.

Runs once per downloaded tweet (100k+ per job): patterns are compiled once at import, and cheap substring
tests decide which of them need to run at all.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twexport_qt.tweets.options import DatasetOptions
    from twexport_qt.tweets.records import TweetRecord

# Links in any form X shows them: full URLs, bare t.co/www. links, and the media links old clients appended
# ("pic.twitter.com/abc", now "pic.x.com/abc"). Two patterns, each behind a substring test, because one
# case-insensitive alternation scanned every tweet at a quarter of the speed. X lower-cases the links it
# rewrites, so only the scheme's case varies in practice. The lookbehind keeps "e.g.www" and e-mails intact.
_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://\S+")
_BARE_LINK = re.compile(r"(?<![\w.@/])(?:www\.|t\.co/|pic\.(?:twitter|x)\.com/)\S+")
_BARE_LINK_MARKERS = ("www.", "t.co/", "pic.")
# X prepends "@a @b " to the text of a reply; these are routing, not words the author typed.
_REPLY_PREFIX = re.compile(r"(?:@[A-Za-z0-9_]+\s*)+")
# Whole tokens not glued to a preceding word, so "me@example.com" and "C#" survive; after any other character
# they go, as in the original ("(@bob)" -> "()", "@@bob" -> "@"). X also reads the full-width ＠ and ＃ as tag
# marks. The lookbehinds come after the literal first character so the regex engine can jump between the marks
# instead of trying every position; the ＠ variant runs only when one is present, as a class of two marks
# costs the plain "@" search half its speed. Handles are ASCII (so "@ユーザー" is no tag); hashtags may hold any
# letter (#café, #日本), hence \w rather than the original's ASCII class, which left "é" of "#café" behind.
_USERTAG = re.compile(r"@(?<!\w@)[A-Za-z0-9_]+")
_WIDE_USERTAG = re.compile(r"[@＠](?<!\w[@＠])[A-Za-z0-9_]+")
_HASHTAG = re.compile(r"[#＃](?<!\w[#＃])\w+")
# A retweet typed by hand, as people did before X had a button: "RT @x: ...", also "rt @x", "RT: @x", " RT @x".
_MANUAL_RETWEET = re.compile(r"\s*RT\b[\s:]*[@＠]", re.IGNORECASE)


def _has_bare_link_marker(text: str) -> bool:
    return any(marker in text for marker in _BARE_LINK_MARKERS)


def _remove_links(text: str) -> str:
    # Replaced by nothing, as the original did; a link runs to the next space, so no words are glued.
    if "://" in text:
        text = _URL.sub("", text)
    if _has_bare_link_marker(text):
        text = _BARE_LINK.sub("", text)
    return text


def contains_link(text: str) -> bool:
    """True if `text` holds a URL in any of the forms `clean_text` removes."""
    return ("://" in text and _URL.search(text) is not None) or (
        _has_bare_link_marker(text) and _BARE_LINK.search(text) is not None
    )


def clean_text(text: str, *, strip_usertags: bool = False, strip_hashtags: bool = False, is_reply: bool = False) -> str:
    """Return the tweet text as a single line fit for a training set; "" when nothing is left.

    In order: HTML entities are unescaped (X escapes `&`, `<`, `>` in tweet text), a reply's leading
    @mentions are removed (only when `is_reply`: an original tweet that starts with a mention is a sentence
    about that person), links are removed, then optionally every @usertag / #hashtag. Removed means replaced
    by nothing, and stripping removes the whole token including the word, as the original tool did ("I love
    #python" -> "I love"), because a dangling word often no longer reads as a sentence. Whitespace, line breaks
    and no-break spaces included, collapses to single spaces so one tweet is one line. Emoji, "…" and other
    symbols are kept.
    """
    if "&" in text:
        text = html.unescape(text)
    if is_reply:
        text = text.lstrip()
        prefix = _REPLY_PREFIX.match(text)
        if prefix:
            text = text[prefix.end():]
    text = _remove_links(text)
    if strip_usertags:
        if "＠" in text:
            text = _WIDE_USERTAG.sub("", text)
        elif "@" in text:
            text = _USERTAG.sub("", text)
    if strip_hashtags and ("#" in text or "＃" in text):
        text = _HASHTAG.sub("", text)
    # str.split() splits on every Unicode space (line breaks, NBSP) and is 3x faster than re.sub(r"\s+").
    return " ".join(text.split())


def is_manual_retweet(text: str) -> bool:
    """True for a retweet typed by hand ("RT @x: ..."): someone else's words, like a retweet.

    The original tool dropped every text starting with "RT " in capitals; a "RT if you agree" is the author's own
    sentence and is kept here, while "rt @x", "RT: @x" and a leading space no longer let a retweet through.
    """
    return _MANUAL_RETWEET.match(text) is not None


def should_keep(record: TweetRecord, options: DatasetOptions) -> bool:
    """Whether `record` belongs in the dataset described by `options` (before its text is cleaned).

    Retweets, by X's flag or typed by hand, are never kept: their text is someone else's. The timeframe is
    half-open, start <= t < end.
    """
    if record.is_retweet or is_manual_retweet(record.text):
        return False
    if record.is_reply and not options.include_replies:
        return False
    if record.is_quote and not options.include_quotes:
        return False
    if record.has_links and not options.include_links:
        return False
    if options.start is not None and record.created_at < options.start.timestamp():
        return False
    return options.end is None or record.created_at < options.end.timestamp()
