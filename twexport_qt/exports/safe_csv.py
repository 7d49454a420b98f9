"""CSV files of data typed by strangers (names, bios, locations), safe to open in a spreadsheet.

A follower can set their name to `=HYPERLINK("https://evil.example","click")`; Excel, LibreOffice and
Google Sheets evaluate cells starting with `=`, `+`, `-`, `@`, tab or CR. Following the OWASP CSV-injection
guidance, every *string* cell starting with one of those is prefixed with `'`, which spreadsheets treat as
"this is text" (the apostrophe stays visible in other readers; that is the accepted trade-off).

Python ints and floats are written as plain numbers, untouched: they come from our own columns (counts,
ids), never from free text, so `-3` stays a number a spreadsheet can sum. Anything a stranger typed is a
`str`, and every str cell is checked: no column is ever assumed clean from its name or its first rows,
because any text column can carry a payload on any row.

Cell conversions: None -> empty cell; bool -> `true` / `false`; timezone-aware datetime -> ISO 8601 UTC
`YYYY-MM-DDTHH:MM:SSZ` (naive datetimes are rejected: they are ambiguous); date -> `YYYY-MM-DD`; any other
type -> `str(value)`, neutralised like text.

Files are UTF-8, RFC 4180 (`\\r\\n` line ends, minimal quoting) and written atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import operator
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, islice
from pathlib import Path
from typing import Any

from twexport_qt.core.cancel import CancelToken
from twexport_qt.exports.atomic_file import atomic_write

FORMULA_PREFIXES = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP list)."""

_TEXT_MARKER = "'"
# The csv module writes these correctly by itself: ints/floats as numbers, None as an empty cell.
# Exact types, not isinstance: bool is an int subclass and must go through the slow path.
_WRITTEN_AS_IS = frozenset({int, float, type(None)})
_ONLY_STR = frozenset({str})
_first_char = operator.itemgetter(slice(0, 1))
# Small enough that a chunk's columns stay in CPU cache (measured ~2x faster than 10,000-row chunks),
# large enough to amortise the per-chunk work; also bounds how long a cancel request waits.
_CHUNK_ROWS = 1000


def neutralise_cell(value: Any) -> str:
    """The text of one CSV cell for `value`, never evaluated as a formula by a spreadsheet."""
    if isinstance(value, str):
        text = value
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, int):
        return str(value)
    elif isinstance(value, float):
        return repr(value)  # what the csv module writes for floats
    elif isinstance(value, dt.datetime):
        return _iso_utc(value)
    elif isinstance(value, dt.date):
        return value.isoformat()
    else:
        text = str(value)
    return _TEXT_MARKER + text if text[:1] in FORMULA_PREFIXES else text


def write_csv(
    path: Path | str,
    header: list[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Callable[[int], None] | None = None,
    cancel: CancelToken | None = None,
    progress_every: int = 10_000,
    excel_bom: bool = False,
) -> int:
    """Write `header` and `rows` to `path` atomically; returns the number of data rows written.

    `rows` is consumed lazily (a SQLite cursor works). `cancel` is checked every 1,000 rows;
    `progress(rows_written_so_far)` is called every `progress_every` rows and once at the end. If `cancel`
    fires or `rows` raises, no file appears at `path` and an existing one is left as it was.
    `excel_bom` starts the file with a UTF-8 byte-order mark, which Excel needs to detect UTF-8.
    """
    if progress_every < 1:
        raise ValueError("progress_every must be at least 1")
    encoding = "utf-8-sig" if excel_bom else "utf-8"
    row_iter = iter(rows)
    written = reported = 0
    next_report = progress_every
    with atomic_write(path, "w", encoding=encoding, newline="") as file:
        writer = csv.writer(file, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow([neutralise_cell(name) for name in header])
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            # Chunks end exactly on progress boundaries so callers see round numbers.
            chunk = list(islice(row_iter, min(_CHUNK_ROWS, next_report - written)))
            if not chunk:
                break
            writer.writerows(_neutralise_chunk(chunk))
            written += len(chunk)
            if written == next_report:
                next_report += progress_every
                if progress is not None:
                    progress(written)
                    reported = written
        if progress is not None and (reported != written or written == 0):
            progress(written)
    return written


def _neutralise_chunk(chunk: list[Sequence[Any]]) -> list[Sequence[Any]]:
    """`chunk` with `neutralise_cell` applied wherever it changes what the csv module would write.

    This is the hot path (15M cells for a large follower export), so it works column by column with
    C-level iteration: `map` over every cell of a text column finds the few cells that start with a formula
    character, and only those rows are copied and patched. Every cell is still checked; the column view
    merely lets a clean chunk pass without a Python-level step per cell. Rows are never mutated in place.
    """
    if len(set(map(len, chunk))) != 1:
        # Ragged rows would be truncated by zip(); they are abnormal, so take the simple exact route.
        return [[neutralise_cell(cell) for cell in row] for row in chunk]
    patched: dict[int, list[Any]] = {}
    indices = range(len(chunk))
    for column_index, column in enumerate(zip(*chunk)):
        kinds = set(map(type, column))
        if kinds <= _WRITTEN_AS_IS:
            continue
        if kinds == _ONLY_STR:
            hits: Iterable[int] = compress(indices, map(FORMULA_PREFIXES.__contains__, map(_first_char, column)))
        else:
            # Mixed column (e.g. text and None, or bools): decide cell by cell; unchanged text is returned as is.
            hits = [
                i
                for i, cell in enumerate(column)
                if cell.__class__ not in _WRITTEN_AS_IS and neutralise_cell(cell) is not cell
            ]
        for row_index in hits:
            row = patched.get(row_index)
            if row is None:
                row = patched[row_index] = list(chunk[row_index])
            row[column_index] = neutralise_cell(row[column_index])
    for row_index, row in patched.items():
        chunk[row_index] = row
    return chunk


def _iso_utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"refusing to export naive datetime {moment!r}: attach a timezone (UTC)")
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
