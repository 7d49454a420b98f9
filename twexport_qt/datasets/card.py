"""Write the dataset card, a README.md beside the files: what is in the dataset, how it was made, and checksums.

It follows the spirit of Hugging Face dataset cards (sources, creation, filters, format, considerations) in
plain Markdown, so it reads well on a hub, in a file manager or in a repository. The card goes to README.md in
the dataset's folder unless a README.md is already there that is not this dataset's card (the user's own file, or
the card of another dataset built into the same folder): then to `<stem>.README.md`, so neither is overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from twexport_qt.core.usernames import unique_usernames
from twexport_qt.datasets import formats
from twexport_qt.datasets.conversations import ORIGINAL_POST_PROMPT
from twexport_qt.datasets.dedupe import NUM_PERM, SHINGLE_WORDS, lsh_parameters
from twexport_qt.datasets.token_estimate import RULE
from twexport_qt.tweets.cleaning import RemovalReason
from twexport_qt.tweets.options import DatasetOptions, sentiment_token
from twexport_qt.tweets.sentiment import label_for_compound

if TYPE_CHECKING:
    from twexport_qt.datasets.builder import BuildReport

CARD_MARKER = "<!-- dataset card written by TwExport; it is rewritten with the dataset -->"
CARD_NAME = "README.md"

_REASON_MEANINGS: dict[str, str] = {
    RemovalReason.FILTERED: "left out by the dataset's options (retweets, replies, quotes, links, timeframe)",
    RemovalReason.EMPTY: "nothing left after cleaning (a photo, a bare link)",
    RemovalReason.TOO_SHORT: "shorter than the minimum length after cleaning",
    RemovalReason.OTHER_LANGUAGE: "written in a language not chosen (X's `lang`)",
    RemovalReason.EXACT_DUPLICATE: "the same text as a newer tweet (ignoring case and spacing)",
    RemovalReason.NEAR_DUPLICATE: "nearly the same text as a newer tweet (MinHash estimate, see threshold)",
    RemovalReason.OVER_LIMIT: "beyond the per-account limit",
    RemovalReason.EMAILS: "e-mail addresses replaced by [EMAIL] (the tweets stay)",
    RemovalReason.PHONES: "phone numbers replaced by [PHONE] (the tweets stay)",
    RemovalReason.MENTIONS: "@mentions replaced by @USER (the tweets stay)",
    RemovalReason.LINKS: "links replaced by [LINK] (the tweets stay)",
}


def card_path_for(out_path: Path) -> Path:
    """Where the card of the dataset named `out_path` goes: README.md, unless that file is someone else's own or
    the card of another dataset in the same folder (then `<stem>.README.md`, so neither is overwritten)."""
    readme = out_path.parent / CARD_NAME
    if not readme.exists():
        return readme
    try:
        with readme.open(encoding="utf-8") as file:
            head = (file.readline().strip(), file.readline().strip())
    except (OSError, UnicodeDecodeError):
        head = ("", "")
    return readme if head == (CARD_MARKER, _title(out_path)) else out_path.with_name(f"{out_path.stem}.{CARD_NAME}")


def _title(out_path: Path) -> str:
    """The card's first heading, which names its dataset (`card_path_for` reads it back)."""
    return f"# {out_path.stem}"


def write_card(out_path: Path, usernames: Sequence[str], options: DatasetOptions, report: BuildReport,
               example: str) -> Path:
    """Write the card of a finished build (`example`: the first entry written) and return its path."""
    path = card_path_for(out_path)
    formats.write_atomically(path, "", [render_card(out_path, usernames, options, report, example)])
    return path


def render_card(out_path: Path, usernames: Sequence[str], options: DatasetOptions, report: BuildReport,
                example: str, built_at: datetime | None = None) -> str:
    """The card's Markdown text."""
    built = (built_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    lines = [CARD_MARKER, _title(out_path), "",
             f"A {options.output_format} dataset of posts on X by {_names(usernames)}, built by TwExport on "
             f"{built} from {report.tweets_read:,} stored tweets, with no request to X.", ""]
    lines += _sources(report)
    lines += _files(report)
    lines += ["## Options", "", "```json", json.dumps(json.loads(options.to_json()), indent=2, sort_keys=True),
              "```", ""]
    lines += _filters(options, report)
    lines += _sentiment(options)
    lines += _format(options, example)
    lines += ["## Rights to the text", "",
              "The posts were written by their authors, who hold the rights to them; X's Developer Agreement and "
              "Terms of Service govern their use. Use this dataset only where you have the right to: your own "
              "posts, posts you have permission for, or uses the law allows where you are (for example research "
              "exceptions). Do not publish it, or a model that repeats its text, without that right. Replies "
              "and threads quote other people's posts as context.", ""]
    return "\n".join(lines)


def _names(usernames: Sequence[str]) -> str:
    names = [f"@{name}" for name in unique_usernames(usernames)]
    return ", ".join(names) if len(names) <= 5 else f"{', '.join(names[:5])} and {len(names) - 5} more"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "—"


def _sources(report: BuildReport) -> list[str]:
    lines = ["## Sources", "", "| Account | Stored tweets read | Examples |", "|---|---:|---:|"]
    lines += [f"| @{account.username} | {account.tweets_read:,} | {account.examples:,} |"
              for account in report.accounts]
    lines.append("")
    if report.missing:
        lines += [f"No tweets stored for: {', '.join('@' + name for name in report.missing)}.", ""]
    lines += [f"Time window of the examples: {_when(report.first_tweet_at)} to {_when(report.last_tweet_at)}.", ""]
    return lines


def _files(report: BuildReport) -> list[str]:
    lines = ["## Files", "", "| File | Split | Examples | Estimated tokens | Bytes | SHA-256 |",
             "|---|---|---:|---:|---:|---|"]
    lines += [f"| {built.path.name} | {built.split or 'all'} | {built.examples:,} | {built.estimated_tokens:,} | "
              f"{built.size:,} | `{built.sha256}` |" for built in report.files]
    lines += ["", f"Estimated tokens: {report.estimated_tokens:,} in all; {RULE}. Tokenizers differ, more so "
              "for other languages and emoji: treat it as an estimate for pricing, not a count.", ""]
    return lines


def _filters(options: DatasetOptions, report: BuildReport) -> list[str]:
    lines = ["## Filters and what they removed", ""]
    if options.dedupe:
        bands = lsh_parameters(options.near_duplicate_threshold)
        lines += [f"De-duplication: exact duplicates, and near duplicates whose estimated Jaccard similarity of "
                  f"{SHINGLE_WORDS}-word shingles is at least **{options.near_duplicate_threshold:g}** "
                  f"(MinHash, {NUM_PERM} permutations, LSH with {bands.bands} bands of {bands.rows} rows); "
                  "the newest copy stays.", ""]
    if options.min_length:
        lines += [f"Minimum length: {options.min_length} characters of cleaned text.", ""]
    if options.languages:
        lines += [f"Languages kept (X's `lang`): {', '.join(options.languages)}; tweets whose language was "
                  "not stored are kept; X's und, zxx, qme, qht… count as languages: kept only if listed.", ""]
    lines += ["| Reason | Count | Meaning |", "|---|---:|---|"]
    lines += [f"| {reason} | {count:,} | {_REASON_MEANINGS.get(reason, '')} |"
              for reason, count in report.removed.items()]
    if not report.removed:
        lines.append("| — | 0 | nothing was removed |")
    split = options.split
    if split is not None:
        lines += ["", f"Split by conversation (a thread never spans two files): train {split[0]:g}, validation "
                  f"{split[1]:g}, test {split[2]:g}, seed {options.seed}; a conversation's split is a hash of the "
                  "seed and its first tweet's id, so the shares hold approximately and rebuilds agree."]
    return [*lines, ""]


def _cut_points(categories: int) -> str:
    """Where the labels change along |compound|, read from the labeler itself so the card cannot drift."""
    steps = [index / 1000 for index in range(1001)]
    changes, previous = [], label_for_compound(0.0, categories)
    for value in steps:
        label = label_for_compound(value, categories)
        if label != previous:
            changes.append(f"{previous} below {value:.3g}")
            previous = label
    changes.append(f"{previous} up to 1")
    return "; ".join(changes) + " (the same on the negative side)"


def _sentiment(options: DatasetOptions) -> list[str]:
    if not options.sentiment:
        return ["## Sentiment", "", "No sentiment labels.", ""]
    style = (f"as a control token starting the {'assistant turn' if options.output_format == 'chat-jsonl' else 'text'}"
             f", e.g. `{sentiment_token('POSITIVE')}`" if options.sentiment_style == "token"
             else 'as a "sentiment" key beside the example')
    if options.output_format not in ("chat-jsonl", "text-jsonl"):
        style = "as in the original tool's layout (a label line, and a `label` key in jsonl)"
    return ["## Sentiment", "",
            f"{options.sentiment} categories from VADER's compound score of each tweet's cleaned text "
            f"(vaderSentiment lexicon, bundled, never downloaded), written {style}. Cut points by |compound|: "
            f"{_cut_points(options.sentiment)}.", ""]


def _format(options: DatasetOptions, example: str) -> list[str]:
    descriptions = {
        "chat-jsonl": ('One JSON object per line: {"messages": [...]} with "role" and "content" keys. A reply\'s '
                       "parent is the user turn and the reply the assistant turn"
                       + (f", with up to {options.thread_depth} tweets of the thread above as earlier turns"
                          if options.thread_depth > 1 else "")
                       + f'; a post that answers nothing has the user turn "{ORIGINAL_POST_PROMPT}".'
                       + (" A system turn comes first." if options.system_prompt else "")),
        "text-jsonl": 'One JSON object per line: {"text": ...}.',
        "jsonl": 'One JSON object per line: {"text": ..., "label": ...} (gpt-2-simple and others).',
        "csv": "One column headed `tweets` (gpt-2-simple); multi-line examples are quoted.",
        "txt": "Examples separated by `<|endoftext|>` lines (GPT-2's document separator).",
    }
    lines = ["## Format", "", descriptions[options.output_format], ""]
    if example:
        lines += ["The first example:", "", "```", example.rstrip("\r\n"), "```", ""]
    return lines
