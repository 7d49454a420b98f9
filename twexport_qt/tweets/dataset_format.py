"""Lay out one training example, in the original tool's "simple" or "reply" format.

simple, sentiment off:   <text>
simple, sentiment on:    <LABEL>\\n<text>

reply (the Subreddit Simulator layout the original tool used; the label line is the bare label, as that
tool wrote it):

    ****ARGUMENTS
    REPLY                 (or ORIGINAL)
    POSITIVE              (only when sentiment is on)
    ****PARENT
    <text of the thread's first tweet>
    ****IN_REPLY_TO
    <text of the tweet replied to>
    ****TWEET
    <text>

As in the original: an ORIGINAL's PARENT and IN_REPLY_TO sections are bare marker lines, while a REPLY always
has one text line under each, empty when that tweet's text cleans to nothing (a photo, a link) or, for PARENT,
when the thread's first tweet is gone. A reply whose replied-to tweet could not be fetched (deleted, protected)
is written as ORIGINAL with empty sections, as the original did. One difference on purpose: PARENT is the
thread's first tweet, as the original's README describes it, where its code took the tweet the replied-to tweet
answered (the same tweet for a direct reply to the first one; README "Differences from the original tool").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from twexport_qt.tweets.cleaning import clean_record
from twexport_qt.tweets.options import DatasetOptions, TextFormat
from twexport_qt.tweets.records import TweetRecord
from twexport_qt.tweets.sentiment import SentimentLabeler


@dataclass(frozen=True)
class ReplyContext:
    """Cleaned texts of the tweets a reply belongs under. For a direct reply to the thread's first tweet
    both are that tweet's text; `root_text` is "" when the first tweet is gone but the parent is not."""

    root_text: str
    in_reply_to_text: str


@dataclass(frozen=True)
class Example:
    """One dataset entry: the formatted text and the label it carries (None when sentiment is off)."""

    text: str
    label: str | None


def format_example(
    text: str,
    *,
    label: str | None = None,
    reply_context: ReplyContext | None = None,
    text_format: TextFormat = "simple",
) -> str:
    """Format cleaned, non-empty `text`; `reply_context` is only read by the "reply" format."""
    if not text:
        raise ValueError("Cannot format an empty tweet text; drop the tweet instead.")
    if text_format == "simple":
        return text if label is None else f"{label}\n{text}"
    if text_format != "reply":
        raise ValueError(f"Text format must be 'simple' or 'reply', not {text_format!r}.")
    lines = ["****ARGUMENTS", "ORIGINAL" if reply_context is None else "REPLY"]
    if label is not None:
        lines.append(label)
    lines.append("****PARENT")
    if reply_context is not None:
        lines.append(reply_context.root_text)  # possibly "": the original wrote the empty line too
    lines.append("****IN_REPLY_TO")
    if reply_context is not None:
        lines.append(reply_context.in_reply_to_text)
    lines.append("****TWEET")
    lines.append(text)
    return "\n".join(lines)




def build_example(
    record: TweetRecord,
    options: DatasetOptions,
    labeler: SentimentLabeler,
    *,
    root: TweetRecord | None = None,
    in_reply_to: TweetRecord | None = None,
    counts: Counter[str] | None = None,
    cleaned: str | None = None,
) -> Example | None:
    """Clean, label and format `record`; None when nothing is left of its text after cleaning.

    For the reply format pass the thread's first tweet as `root` and the tweet replied to as `in_reply_to`
    (the same record for a direct reply to the first tweet); leave `in_reply_to` None when it could not be
    fetched. The label describes the tweet's own cleaned text, not its context. Filtering (`should_keep`)
    is the caller's job, done before fetching any parents. A tweet whose own text cleans to nothing is never
    written, in either format (the original still wrote such a reply, with an empty TWEET section).
    Scrubbing options apply to the tweet and its context alike; `counts` adds up what scrubbing replaced in the
    tweet's own text (context tweets are counted where they are examples themselves). `cleaned` is the
    record's text already cleaned with these options, when the caller has it (then `counts` is not used).
    """
    text = cleaned if cleaned is not None else clean_record(record, options, counts)
    if not text:
        return None
    label = labeler.label(text)
    context: ReplyContext | None = None
    if options.text_format == "reply" and record.is_reply and in_reply_to is not None:
        # Still a REPLY when the context cleans to nothing (a photo, a bare link), as in the original: written
        # as ORIGINAL, an answer such as "haha, yes" would teach the model to post it out of the blue.
        root_text = clean_record(root, options) if root is not None else ""
        context = ReplyContext(root_text=root_text, in_reply_to_text=clean_record(in_reply_to, options))
    return Example(format_example(text, label=label, reply_context=context, text_format=options.text_format), label)
