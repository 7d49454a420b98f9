"""How one example is written in each output format, and the files that hold them.

chat-jsonl (the shape Hugging Face `datasets`, TRL, Axolotl, Unsloth and hosted fine-tuning services read):

    {"messages": [{"role": "system", "content": "..."},        (only with a system prompt)
                  {"role": "user", "content": "<the tweet replied to>"},
                  {"role": "assistant", "content": "<the account's reply>"}],
     "sentiment": "POSITIVE"}                                    (only with sentiment as metadata)

text-jsonl: {"text": "<the example>"} plus "sentiment" as metadata; the example is laid out by the text format
(simple or reply, tweets/dataset_format.py). With sentiment as a token, "<|sentiment:positive|> " starts the
assistant turn or the text instead (tweets/options.py `sentiment_token`).
csv, jsonl, txt: exactly what the streaming writers write (tweets/output_writers.py), gpt-2-simple compatible.

Files are written whole and atomically: into a hidden part file beside the target, fsynced, then renamed over
it, so a cancelled or failed build leaves the previous file as it was. The SHA-256 is taken while writing.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import TracebackType

from twexport_qt.datasets.conversations import ORIGINAL_POST_PROMPT, Role, Turn
from twexport_qt.datasets.token_estimate import TOKENS_PER_MESSAGE, estimate_chat_tokens, estimate_text_tokens
from twexport_qt.tweets.options import BUILT_FORMATS, DatasetOptions, sentiment_token
from twexport_qt.tweets.output_writers import writer_class

# json's own encoder of a str as a JSON string, non-ASCII kept as is (what ensure_ascii=False does).
_encode_string: Callable[[str], str] = json.encoder.encode_basestring
# What each chat message starts with, up to its content.
_MESSAGE_START = {role: f'{{"role": "{role}", "content": ' for role in Role}
_ASSISTANT_START = _MESSAGE_START[Role.ASSISTANT]
PART_SUFFIX = ".part"  # the shape exports/atomic_file.py sweeps when a killed process leaves one behind


@dataclass(frozen=True, slots=True)
class Entry:
    """One example as written (terminator included) and its estimated tokens."""

    text: str
    tokens: int


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    sha256: str
    size: int


def _with_token(content: str, label: str | None, options: DatasetOptions) -> str:
    if label is None or options.sentiment_style != "token":
        return content
    return f"{sentiment_token(label)} {content}"


def _json_line(record: dict[str, object], label: str | None, options: DatasetOptions) -> str:
    if label is not None and options.sentiment_style == "metadata":
        record["sentiment"] = label
    return json.dumps(record, ensure_ascii=False) + "\n"


def chat_entry(turns: list[Turn], label: str | None, options: DatasetOptions) -> Entry:
    """The chat-jsonl line of one conversation; the sentiment token (if any) starts the last assistant turn.

    Byte for byte `json.dumps({"messages": [...], "sentiment": ...}, ensure_ascii=False)`, assembled from
    json's own string encoder: three times faster than building and dumping the dicts, a third of a build.
    """
    messages = [(Role.SYSTEM, options.system_prompt)] if options.system_prompt else []
    messages += [(turn.role, turn.content) for turn in turns[:-1]]
    messages.append((turns[-1].role, _with_token(turns[-1].content, label, options)))
    body = ", ".join([f'{_MESSAGE_START[role]}{_encode_string(content)}}}' for role, content in messages])
    metadata = (f', "sentiment": {_encode_string(label)}'
                if label is not None and options.sentiment_style == "metadata" else "")
    return Entry(f'{{"messages": [{body}]{metadata}}}\n', estimate_chat_tokens([content for _, content in messages]))


def original_chat_entry(text: str, label: str | None, options: DatasetOptions) -> Entry:
    """`chat_entry` of a tweet that answers none (the turns ORIGINAL_POST_PROMPT, then `text`), byte for byte:
    what comes before the assistant turn is the same for every such tweet, so it is assembled once."""
    prefix, prefix_tokens = _original_prefix(options.system_prompt)
    content = _with_token(text, label, options)
    metadata = (f', "sentiment": {_encode_string(label)}'
                if label is not None and options.sentiment_style == "metadata" else "")
    return Entry(f'{prefix}{_ASSISTANT_START}{_encode_string(content)}}}]{metadata}}}\n',
                 prefix_tokens + estimate_text_tokens(content) + TOKENS_PER_MESSAGE)


@lru_cache(maxsize=8)
def _original_prefix(system_prompt: str | None) -> tuple[str, int]:
    """The start of an original post's chat line, up to its assistant turn, and the tokens of its messages."""
    messages = [(Role.SYSTEM, system_prompt)] if system_prompt else []
    messages.append((Role.USER, ORIGINAL_POST_PROMPT))
    body = "".join([f'{_MESSAGE_START[role]}{_encode_string(content)}}}, ' for role, content in messages])
    return f'{{"messages": [{body}', estimate_chat_tokens([content for _, content in messages])


def text_entry(example: str, label: str | None, options: DatasetOptions) -> Entry:
    """The text-jsonl line of one example (`example` laid out by the text format, without a label line)."""
    text = _with_token(example, label, options)
    return Entry(_json_line({"text": text}, label, options), estimate_text_tokens(text))


def streaming_entry(example: str, label: str | None, options: DatasetOptions) -> Entry:
    """A csv/jsonl/txt entry, byte for byte what the download's writer appends."""
    return Entry(writer_class(options.output_format).entry(example, label), estimate_text_tokens(example))


def file_header(options: DatasetOptions) -> str:
    """What a file of this format starts with before its first entry (the CSV header)."""
    return "" if options.output_format in BUILT_FORMATS else writer_class(options.output_format).file_header


class AtomicFile:
    """A file written whole or not at all: entries go to a hidden part file beside `path`, which `commit`
    fsyncs and renames over `path`; `discard` (or an exception in a `with` block) removes it instead."""

    def __init__(self, path: Path, header: str = "") -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Opened by name (not mkstemp) so the file gets the user's usual permissions, not mkstemp's 0600.
        self._part = path.parent / f".{path.name[:48]}.{secrets.token_hex(4)}{PART_SUFFIX}"
        self._file = self._part.open("xb")  # closed by commit or discard: it lives across many calls
        self._digest = hashlib.sha256()
        self._size = 0
        self._pending: list[str] = []
        if header:
            self.write(header)

    def write(self, text: str) -> None:
        self._pending.append(text)
        if len(self._pending) >= 4096:  # encoded, hashed and written a few thousand entries at a time
            self._flush_pending()

    def _flush_pending(self) -> None:
        data = "".join(self._pending).encode("utf-8")
        self._pending.clear()
        self._digest.update(data)
        self._size += len(data)
        self._file.write(data)

    def commit(self) -> WrittenFile:
        self._flush_pending()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._part, self.path)
        return WrittenFile(self.path, self._digest.hexdigest(), self._size)

    def discard(self) -> None:
        self._file.close()
        self._part.unlink(missing_ok=True)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None or not self._file.closed:
            self.discard()


def write_atomically(path: Path, header: str, entries: Iterable[str]) -> WrittenFile:
    """Write `header` and `entries` to `path`, replacing it only once everything is on disk."""
    with AtomicFile(path, header) as file:
        for text in entries:
            file.write(text)
        return file.commit()
