"""Dataset files that grow as tweets arrive and survive a crash: one writer per output format.

Writers append; `flush()` pushes a batch to disk (fsync), so everything written before the last flush is
saved even if the app dies. Reopening an existing file appends after what is there, and first cuts off a
half-written last entry, which is what a crash in the middle of a batch leaves behind.

Formats:
- csv:   one column with the header `tweets` (what gpt-2-simple expects); multi-line examples are quoted.
- jsonl: one `{"text": ..., "label": ...}` object per line; `text` is the formatted example, the same
         string the CSV holds, and `label` repeats its sentiment label (null when off) for filtering.
- txt:   examples separated by `<|endoftext|>` lines, GPT-2's document separator.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import IO

from twexport_qt.core.errors import TwExportError
from twexport_qt.core.usernames import normalize_username
from twexport_qt.tweets.options import STREAMING_FORMATS, OutputFormat, file_extension

CSV_HEADER = "tweets"
TEXT_SEPARATOR = "<|endoftext|>"
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")
_TAIL_SCAN_BYTES = 1 << 20  # an entry is a few KB at most; 1 MB back is far enough to find the last one


class OutputFileError(TwExportError):
    default_message = "The dataset file cannot be written."


class DatasetWriter(ABC):
    """Appends examples to one dataset file. Use as a context manager, or call `close()`."""

    # Bytes that end every complete entry; a file not ending with them holds a torn last entry.
    entry_terminator: bytes
    # What an existing file of this format starts with; anything else is not ours to append to.
    file_signature: bytes = b""
    # What a new file of this format begins with, before any example (the CSV header).
    file_header: str = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        is_new = _prepare_for_append(path, self.entry_terminator, self.file_signature)
        # Open for the writer's whole life (many batches): close() or the context manager's exit closes it.
        self._file: IO[str] = path.open("a", encoding="utf-8", newline="")
        self.written = 0  # examples written through this writer (not those already in a reopened file)
        if is_new:
            self._file.write(self.file_header)

    @staticmethod
    @abstractmethod
    def entry(example: str, label: str | None = None) -> str:
        """One formatted example exactly as this format writes it, terminator included (previews show it)."""

    def write(self, example: str, label: str | None = None) -> None:
        """Append one formatted example; `label` is its sentiment label, if any. One write call per entry."""
        self._file.write(self.entry(example, label))
        self.written += 1

    def flush(self) -> None:
        """Make everything written so far durable; call after each batch."""
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self.flush()
            self._file.close()

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class CsvDatasetWriter(DatasetWriter):
    entry_terminator = b"\r\n"  # csv module's row terminator; examples only contain bare \n
    file_header = CSV_HEADER + "\r\n"  # the row csv.writer writes for it
    file_signature = file_header.encode()

    @staticmethod
    def entry(example: str, label: str | None = None) -> str:
        # Formatted in memory first so a row reaches the file in one write call.
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_MINIMAL).writerow([example])
        return buffer.getvalue()


class JsonlDatasetWriter(DatasetWriter):
    entry_terminator = b"\n"
    file_signature = b"{"

    @staticmethod
    def entry(example: str, label: str | None = None) -> str:
        return json.dumps({"text": example, "label": label}, ensure_ascii=False) + "\n"


class TextDatasetWriter(DatasetWriter):
    entry_terminator = f"\n{TEXT_SEPARATOR}\n".encode()

    @staticmethod
    def entry(example: str, label: str | None = None) -> str:
        return f"{example}\n{TEXT_SEPARATOR}\n"


_WRITERS: dict[str, type[DatasetWriter]] = {
    "csv": CsvDatasetWriter,
    "jsonl": JsonlDatasetWriter,
    "txt": TextDatasetWriter,
}


def writer_class(output_format: OutputFormat) -> type[DatasetWriter]:
    """The writer of a streaming format (csv, jsonl, txt); chat-jsonl and text-jsonl are built (datasets/)."""
    if output_format not in STREAMING_FORMATS:
        raise ValueError(f"Only 'csv', 'jsonl' and 'txt' are written page by page, not {output_format!r}: "
                         "the other formats are built from the stored tweets at the end.")
    return _WRITERS[output_format]


def open_writer(path: str | os.PathLike[str], output_format: OutputFormat) -> DatasetWriter:
    """Open `path` for appending examples in `output_format`, creating it (and its folder) if needed."""
    cls = writer_class(output_format)
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return cls(target)
    except OSError as error:
        raise OutputFileError(
            f"Cannot write {target} ({error.strerror or error}). Choose a folder you can write to."
        ) from error


def default_output_name(source: str, output_format: OutputFormat = "csv") -> str:
    """`<username>_tweets.<ext>` for one account, `<list file stem>_tweets.<ext>` for a usernames file.

    Only letters, digits, `_`, `-` and `.` reach the name: a source like `x.com/a/../../evil` must never turn
    into a path that leaves the folder the file is meant for.
    """
    stem = Path(source).stem if source.lower().endswith(".txt") else normalize_username(source)
    stem = _UNSAFE_NAME_CHARS.sub("_", stem).strip("._") or "tweets"
    return f"{stem}_tweets.{file_extension(output_format)}"


def _prepare_for_append(path: Path, terminator: bytes, signature: bytes) -> bool:
    """Check that an existing `path` is a dataset of this format and cut it back to its last complete entry.

    Returns True if the file is new or empty. A file that does not look like ours is refused rather than
    repaired: cutting "torn" bytes off someone else's file would destroy data.
    """
    if not path.exists():
        return True
    size = path.stat().st_size
    if size == 0:
        return True
    with open(path, "r+b") as file:
        head = file.read(len(signature))
        start = max(0, size - _TAIL_SCAN_BYTES)
        file.seek(start)
        tail = file.read()
        cut = tail.rfind(terminator)
        if not head.startswith(signature) or cut < 0:
            raise OutputFileError(
                f"{path} already exists and is not a TwExport dataset in this format. "
                "Choose another file name, or move that file away."
            )
        keep = start + cut + len(terminator)
        if keep < size:
            file.truncate(keep)
    return False
