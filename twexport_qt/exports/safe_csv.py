"""CSV files of data typed by strangers (names, bios, locations), safe to open in a spreadsheet.

Two guards apply to every *str* cell; no column is ever assumed clean from its name or its first rows,
because any text column can carry a payload on any row.

Formulas. A follower can set their name to `=HYPERLINK("https://evil.example","click")`; Excel, LibreOffice
and Google Sheets evaluate cells starting with `=`, `+`, `-`, `@`, tab or CR. Following the OWASP
CSV-injection guidance, such a cell is prefixed with `'`, which spreadsheets treat as "this is text" (the
apostrophe stays visible in other readers; that is the accepted trade-off).

Control and bidi characters. NUL and the other C0 controls (except tab, LF and CR, which are ordinary text in
a quoted cell), DEL, the C1 controls U+0080-U+009F, and the bidi embedding / override / isolate characters
U+202A-U+202E and U+2066-U+2069 are each replaced with U+FFFD. Controls truncate cells or confuse readers
(NUL ends a C string), and the bidi controls reorder what is displayed ("Trojan Source"), so a name could
show one thing while containing another; U+FFFD is visible, so a reader sees that something was there.
Ordinary text, emoji (with their zero-width joiners), the LRM / RLM marks and line breaks in bios are kept.
Lone surrogates, which UTF-8 cannot encode, become U+FFFD as well rather than failing the export.
The replacement comes first and the formula check sees its result: `=` behind a control character is
plain text once that is replaced, and a formula containing one is still prefixed.

Python ints and floats are written as plain numbers, untouched: they come from our own columns (counts,
ids), never from free text, so `-3` stays a number a spreadsheet can sum. Anything a stranger typed is a
`str`, and every str cell is checked.

Cell conversions: None -> empty cell; bool -> `true` / `false`; timezone-aware datetime -> ISO 8601 UTC
`YYYY-MM-DDTHH:MM:SSZ` (naive datetimes are rejected: they are ambiguous); date -> `YYYY-MM-DD`; any other
type -> `str(value)`, neutralised like text.

Files are UTF-8, RFC 4180 (`\\r\\n` line ends, minimal quoting) and written atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, islice
from pathlib import Path
from typing import Any

from twexport_qt.core.cancel import CancelToken
from twexport_qt.exports.atomic_file import atomic_write

FORMULA_PREFIXES = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP list)."""

_TEXT_MARKER = "'"

REPLACEMENT_CHARACTER = "\ufffd"
"""What every control or bidi character in a text cell becomes."""

# C0 controls except TAB, LF, CR; DEL and the C1 controls; bidi embeddings/overrides (LRE RLE PDF LRO RLO)
# and isolates (LRI RLI FSI PDI). LRM/RLM (U+200E/U+200F) and ZWJ are deliberately absent: they only mark.
# Lone surrogates (JSON can carry "\\ud800") are replaced too: UTF-8 cannot encode them, so one would fail the
# whole export.
_UNSAFE_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# The fast check looks for the same characters in the text's UTF-8 bytes, where C functions do the work
# (about 2x faster than the regex on non-ASCII text, 10x on ASCII): C0 controls and DEL are single bytes that
# never occur inside a multi-byte sequence, so one `bytes.translate` deleting every other byte finds them; the
# rest are multi-byte sequences with a fixed lead byte, each searched for only if that byte occurs at all.
_SAFE_UTF8_BYTES = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F), *range(0x80, 0x100)])
_MULTIBYTE_CHECKS = (
    (b"\xc2", re.compile(rb"\xc2[\x80-\x9f]")),  # C1 controls
    (b"\xe2", re.compile(rb"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")),  # bidi embeddings, overrides, isolates
    (b"\xed", re.compile(rb"\xed[\xa0-\xbf]")),  # lone surrogates, as "surrogatepass" encodes them
)
# A chunk's column is joined with this for the fast checks: every cell but the first then starts right after
# a separator, so one search finds every formula cell (and a few false hits on bios with a line starting
# "=", which the exact per-cell check then clears); LF is itself safe, so the joint hides no control character.
_CELL_SEPARATOR = "\n"
_FORMULA_AFTER_SEPARATOR = re.compile(_CELL_SEPARATOR + "[" + re.escape("".join(sorted(FORMULA_PREFIXES))) + "]")
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
    if _has_unsafe_char(text):
        text = _UNSAFE_CHAR.sub(REPLACEMENT_CHARACTER, text)
    # Unchanged text is returned as the same object: _neutralise_chunk relies on that to spot changes.
    return _TEXT_MARKER + text if text[:1] in FORMULA_PREFIXES else text


def replace_unsafe_chars(text: str) -> str:
    """`text` with every control, bidi or lone-surrogate character replaced by U+FFFD (no formula marker: the
    workbook writer stores text as text instead)."""
    return _UNSAFE_CHAR.sub(REPLACEMENT_CHARACTER, text) if _has_unsafe_char(text) else text


def _has_unsafe_char(text: str) -> bool:
    """Whether `text` holds a character `_UNSAFE_CHAR` matches (tests hold the two equal)."""
    data = text.encode("utf-8", "surrogatepass")
    if data.translate(None, _SAFE_UTF8_BYTES):
        return True
    if data.isascii():
        return False
    return any(lead in data and pattern.search(data) is not None for lead, pattern in _MULTIBYTE_CHECKS)


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
    C-level work only: a text column's cells are joined into one string, where one regex search finds whether
    any cell starts with a formula character and one pass over its UTF-8 bytes whether any holds a control or
    bidi character; only a column flagged so is checked cell by cell (`map`), and only the rows hit are copied
    and patched. Every cell is still checked; the column view merely lets a clean chunk pass without a
    Python-level step per cell. Rows are never mutated in place.
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
            # Two searches over the joined column; only a column they flag is checked cell by cell.
            joined = _CELL_SEPARATOR.join(column)
            hits: Iterable[int] = ()
            if column[0][:1] in FORMULA_PREFIXES or _FORMULA_AFTER_SEPARATOR.search(joined):
                hits = compress(indices, map(FORMULA_PREFIXES.__contains__, map(_first_char, column)))
            if _has_unsafe_char(joined):
                hits = {*hits, *compress(indices, map(_has_unsafe_char, column))}
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
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
