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
from collections import Counter
from enum import StrEnum
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


class RemovalReason(StrEnum):
    """Why a tweet or a piece of its text did not reach a dataset: the stable keys of a build's counts."""

    FILTERED = "filtered by options"  # should_keep: retweet, reply, quote, link, timeframe
    EMPTY = "empty after cleaning"
    TOO_SHORT = "too short"
    OTHER_LANGUAGE = "other language"
    EXACT_DUPLICATE = "exact duplicate"
    NEAR_DUPLICATE = "near duplicate"
    OVER_LIMIT = "over the limit"
    # Scrubbed: replaced in the text by a placeholder, the tweet itself stays.
    EMAILS = "e-mail addresses"
    PHONES = "phone numbers"
    MENTIONS = "mentions"
    LINKS = "links"


SCRUBBED_REASONS: tuple[RemovalReason, ...] = (RemovalReason.EMAILS, RemovalReason.PHONES, RemovalReason.MENTIONS,
                                               RemovalReason.LINKS)
EMAIL_PLACEHOLDER = "[EMAIL]"
PHONE_PLACEHOLDER = "[PHONE]"
MENTION_PLACEHOLDER = "@USER"
LINK_PLACEHOLDER = "[LINK]"

# An address as people type it: no quoted local parts or IP literals, which never occur in tweets.
_EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b")
# Phone numbers, written the ways people write them (a library such as phonenumbers needs a home region for
# every number without "+", parses each candidate in Python and ships megabytes of metadata; these shapes catch
# what tweets hold while leaving numbers that are not phones alone):
#   international: "+" and 8 to 15 digits, grouped by spaces, dots, dashes or a parenthesised area code;
#   national: groups of 2 to 4 digits joined by one kind of separator (-, . or space), 7 to 12 digits in all,
#   e.g. "(555) 123-4567", "555-123-4567", "555.123.4567", "06 12 34 56 78", "020 7946 0958", "555-1234";
#   with dashes or dots the first group may be a one-digit prefix ("1-800-555-0199").
# Left alone on purpose: dates ("2024-03-22", "22.03.2024"), IP addresses, versions ("1.2.3", "10.15.7"),
# prices ("$1,299.99"), times, years and year ranges ("2023-2024"), tweet ids and other bare digit runs (a
# run of digits without "+" or separators is no more likely a phone than an id or an amount), and
# space-separated numbers unless they start with 0 (a trunk prefix) or read 3-3-4 ("555 123 4567").
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\w-]|[.]\d)")
_PHONE_NATIONAL = re.compile(
    r"(?<![\w.+/:-])(?:\(\d{2,4}\) ?\d{2,4}(?:[ .-]\d{2,4}){1,3}|\d{1,4}(?:-\d{2,4}){1,4}"
    r"|\d{1,4}(?:\.\d{2,4}){1,4}|\d{2,4}(?: \d{2,4}){2,4})(?![\w/:]|[.,-]\d)")
_DATE = re.compile(r"\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}")
_IP_ADDRESS = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_PHONE_SEPARATORS = re.compile(r"[ .()-]+")
_DIGIT = re.compile(r"\d")
_ASCII_DIGITS = b"0123456789"
# Fewest digits of a phone number (national 7, international 8; see _is_phone_number): a text holding fewer
# cannot have one replaced, so the phone patterns (a scan at every position) run only on texts with as many.
# Most tweets hold few digits or none.
_PHONE_MIN_DIGITS = 7


def _digit_count(text: str) -> int:
    """How many characters of `text` match `\\d`. Most tweets are ASCII, where deleting the digits from the bytes
    and comparing lengths takes a third of the time of a regex scan (which tries every position)."""
    if text.isascii():
        return len(text) - len(text.encode("ascii").translate(None, _ASCII_DIGITS))
    return len(_DIGIT.findall(text))


def _is_phone_number(candidate: str, international: bool) -> bool:
    digits = sum(char.isdigit() for char in candidate)
    if international:
        return 8 <= digits <= 15
    if not 7 <= digits <= 12 or _DATE.fullmatch(candidate) or _IP_ADDRESS.fullmatch(candidate):
        return False
    groups = [group for group in _PHONE_SEPARATORS.split(candidate.strip("()")) if group]
    if len(groups) == 2:  # "555-1234" only: "2023-2024", "12.50" and the like are not phones
        return [len(g) for g in groups] == [3, 4]
    if " " in candidate and not candidate.startswith(("0", "(")):
        return [len(g) for g in groups] == [3, 3, 4]
    return True


def _replace_phones(text: str, counts: Counter[str] | None) -> str:
    def replace(match: re.Match[str], international: bool) -> str:
        if not _is_phone_number(match.group(), international):
            return match.group()
        if counts is not None:
            counts[RemovalReason.PHONES] += 1
        return PHONE_PLACEHOLDER

    if "+" in text:
        text = _PHONE_INTERNATIONAL.sub(lambda m: replace(m, True), text)
    return _PHONE_NATIONAL.sub(lambda m: replace(m, False), text)


def _counted_sub(pattern: re.Pattern[str], placeholder: str, text: str, counts: Counter[str] | None,
                 reason: RemovalReason) -> str:
    text, replaced = pattern.subn(placeholder, text)
    if counts is not None and replaced:
        counts[reason] += replaced
    return text


def scrub_contact_details(text: str, counts: Counter[str] | None = None) -> str:
    """Replace e-mail addresses by "[EMAIL]" and phone numbers by "[PHONE]"; `counts` adds up what was replaced
    under RemovalReason.EMAILS / PHONES. Cheap when there is nothing to find (most tweets)."""
    if "@" in text and "." in text:
        text = _counted_sub(_EMAIL, EMAIL_PLACEHOLDER, text, counts, RemovalReason.EMAILS)
    if _digit_count(text) >= _PHONE_MIN_DIGITS:
        text = _replace_phones(text, counts)
    return text


def _remove_links(text: str, placeholder: str = "", counts: Counter[str] | None = None) -> str:
    # Replaced by nothing, as the original did; a link runs to the next space, so no words are glued.
    if "://" in text:
        text = _counted_sub(_URL, placeholder, text, counts, RemovalReason.LINKS)
    # The markers _BARE_LINK starts with, spelled out here and in contains_link (no call, no any() over a
    # tuple): these tests run for every tweet.
    if "www." in text or "t.co/" in text or "pic." in text:
        text = _counted_sub(_BARE_LINK, placeholder, text, counts, RemovalReason.LINKS)
    return text


def contains_link(text: str) -> bool:
    """True if `text` holds a URL in any of the forms `clean_text` removes."""
    return ("://" in text and _URL.search(text) is not None) or (
        ("www." in text or "t.co/" in text or "pic." in text) and _BARE_LINK.search(text) is not None
    )


def clean_text(text: str, *, strip_usertags: bool = False, strip_hashtags: bool = False, is_reply: bool = False,
               scrub_contacts: bool = False, scrub_mentions: bool = False, scrub_links: bool = False,
               counts: Counter[str] | None = None) -> str:
    """Return the tweet text as a single line fit for a training set; "" when nothing is left.

    In order: HTML entities are unescaped (X escapes `&`, `<`, `>` in tweet text), a reply's leading
    @mentions are removed (only when `is_reply`: an original tweet that starts with a mention is a sentence
    about that person), links are removed, then optionally every @usertag / #hashtag. Removed means replaced
    by nothing, and stripping removes the whole token including the word, as the original tool did ("I love
    #python" -> "I love"), because a dangling word often no longer reads as a sentence. Whitespace, line breaks
    and no-break spaces included, collapses to single spaces so one tweet is one line. Emoji, "…" and other
    symbols are kept.

    Scrubbing (off by default; `counts` adds up what it replaced, by RemovalReason): `scrub_links` writes
    "[LINK]" where a link was instead of nothing; `scrub_contacts` replaces e-mail addresses and phone numbers
    (after links, so the digits of a URL are never taken for a phone); `scrub_mentions` replaces each @name by
    "@USER", unless `strip_usertags` removes them altogether. A reply's leading @mentions are removed first
    either way: they are routing, and counting them would say nothing about the text.
    """
    if "&" in text:
        text = html.unescape(text)
    if is_reply:
        text = text.lstrip()
        prefix = _REPLY_PREFIX.match(text)
        if prefix:
            text = text[prefix.end():]
    text = _remove_links(text, LINK_PLACEHOLDER if scrub_links else "", counts if scrub_links else None)
    if scrub_contacts:
        text = scrub_contact_details(text, counts)
    if strip_usertags:
        if "＠" in text:
            text = _WIDE_USERTAG.sub("", text)
        elif "@" in text:
            text = _USERTAG.sub("", text)
    elif scrub_mentions and ("@" in text or "＠" in text):
        text = _counted_sub(_WIDE_USERTAG, MENTION_PLACEHOLDER, text, counts, RemovalReason.MENTIONS)
    if strip_hashtags and ("#" in text or "＃" in text):
        text = _HASHTAG.sub("", text)
    # str.split() splits on every Unicode space (line breaks, NBSP) and is 3x faster than re.sub(r"\s+").
    return " ".join(text.split())


def is_manual_retweet(text: str) -> bool:
    """True for a retweet typed by hand ("RT @x: ..."): someone else's words, like a retweet.

    The original tool dropped every text starting with "RT " in capitals; a "RT if you agree" is the author's own
    sentence and is kept here, while "rt @x", "RT: @x" and a leading space no longer let a retweet through.
    """
    first = text[:1]
    if first not in "rR" and not first.isspace():  # no regex for the tweets that cannot match (nearly all)
        return False
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


def clean_record(record: TweetRecord, options: DatasetOptions, counts: Counter[str] | None = None) -> str:
    """`clean_text` of `record` with every text option of `options`: what the dataset holds of its text."""
    return clean_text(record.text, strip_usertags=options.strip_usertags, strip_hashtags=options.strip_hashtags,
                      is_reply=record.is_reply, scrub_contacts=options.scrub_contacts,
                      scrub_mentions=options.scrub_mentions, scrub_links=options.scrub_links, counts=counts)


def tweet_language(record: TweetRecord) -> str | None:
    """X's `lang` of `record`, None when it was never stored (rows stored before it was kept, archives without
    the field)."""
    return record.lang.lower() if record.lang else None


def quality_problem(record: TweetRecord, cleaned: str, options: DatasetOptions) -> RemovalReason | None:
    """Why `record`, whose text cleans to `cleaned`, fails the per-tweet quality filters; None when it passes.

    The same rules whether a dataset is streamed page by page or built at the end: empty text, shorter than
    `min_length` characters, or a language outside `languages` (a tweet whose language was never stored passes;
    X's "und" is a language like any other).
    """
    if not cleaned:
        return RemovalReason.EMPTY
    if len(cleaned) < options.min_length:
        return RemovalReason.TOO_SHORT
    if options.languages:
        language = tweet_language(record)
        if language is not None and language not in options.languages:
            return RemovalReason.OTHER_LANGUAGE
    return None
