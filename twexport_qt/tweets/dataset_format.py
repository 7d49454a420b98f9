"""Lay out one training example, in the original tool's "simple" or "reply" format.

simple, sentiment off:   <text>
simple, sentiment on:    <LABEL>\\n<text>

reply (the Subreddit Simulator layout the original tool used; the label line is the bare label, as that
tool wrote it, and an empty section is just its marker line):

    ****ARGUMENTS
    REPLY                 (or ORIGINAL)
    POSITIVE              (only when sentiment is on)
    ****PARENT
    <text of the thread's first tweet>
    ****IN_REPLY_TO
    <text of the tweet replied to>
    ****TWEET
    <text>

A reply whose parent tweet could not be fetched (deleted, protected) is written as ORIGINAL with empty
sections: a REPLY with nothing to reply to would teach the model the wrong thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from twexport_qt.tweets.cleaning import clean_text
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
    if reply_context is not None and reply_context.root_text:
        lines.append(reply_context.root_text)
    lines.append("****IN_REPLY_TO")
    if reply_context is not None:
        lines.append(reply_context.in_reply_to_text)
    lines.append("****TWEET")
    lines.append(text)
    return "\n".join(lines)


def _clean(record: TweetRecord, options: DatasetOptions) -> str:
    return clean_text(
        record.text,
        strip_usertags=options.strip_usertags,
        strip_hashtags=options.strip_hashtags,
        is_reply=record.is_reply,
    )


def build_example(
    record: TweetRecord,
    options: DatasetOptions,
    labeler: SentimentLabeler,
    *,
    root: TweetRecord | None = None,
    in_reply_to: TweetRecord | None = None,
) -> Example | None:
    """Clean, label and format `record`; None when nothing is left of its text after cleaning.

    For the reply format pass the thread's first tweet as `root` and the tweet replied to as `in_reply_to`
    (the same record for a direct reply to the first tweet); leave `in_reply_to` None when it could not be
    fetched. The label describes the tweet's own cleaned text, not its context. Filtering (`should_keep`)
    is the caller's job, done before fetching any parents.
    """
    text = _clean(record, options)
    if not text:
        return None
    label = labeler.label(text)
    context: ReplyContext | None = None
    if options.text_format == "reply" and record.is_reply and in_reply_to is not None:
        parent_text = _clean(in_reply_to, options)
        root_text = _clean(root, options) if root is not None else ""
        if parent_text:
            context = ReplyContext(root_text=root_text, in_reply_to_text=parent_text)
    return Example(format_example(text, label=label, reply_context=context, text_format=options.text_format), label)
