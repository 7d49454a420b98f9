"""Excel workbooks of data typed by strangers: typed cells, never a formula, streamed to disk, written atomically.

The XLSX twin of `safe_csv`. Each column's `ColumnType` (exports/columns.py) decides its cells: counts are numbers,
times real date-times (UTC; Excel has no time zones, the header's dictionary says UTC), flags TRUE/FALSE, X ids
text (they exceed the 15 significant digits of a spreadsheet number) and percentages numbers shown with one
decimal. Text is never a formula: every text cell goes through XlsxWriter's `write_string`, which writes an inline
string whatever its first character (no spreadsheet evaluates one), and text starting with `=`, `+`, `-`, `@`, `#`,
tab or CR also gets Excel's "quote prefix" style, which keeps it text even when the user edits the cell. Control and
bidi characters are replaced by U+FFFD as in CSVs.

XlsxWriter writes the workbook: pure Python, no dependencies, and in its `constant_memory` mode each finished row
goes to a scratch file on disk, so memory stays flat however many rows there are (openpyxl's write-only mode was
six times slower). The scratch files live in a private temporary folder removed whatever happens; the workbook
itself is written under a temporary name beside the target and moved into place (`atomic_file`), so a cancelled
or failed export leaves nothing behind. More rows than a sheet holds continue on "Export 2", "Export 3"…
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twexport_qt.core.cancel import CancelToken
from twexport_qt.exports.atomic_file import atomic_write
from twexport_qt.exports.columns import ColumnType, ExportColumn
from twexport_qt.exports.safe_csv import FORMULA_PREFIXES, replace_unsafe_chars

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

DATA_SHEET_TITLE = "Export"
DICTIONARY_SHEET_TITLE = "Data dictionary"
DICTIONARY_HEADER = ("column", "type", "unit", "meaning", "source")
DICTIONARY_WIDTHS = (34, 10, 10, 70, 44)
TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0.0"
_TEXT_FIRST_CHARACTERS = FORMULA_PREFIXES | {"#"}  # formulas, and error literals such as #N/A
_CANCEL_EVERY = 1_000
MAX_DATA_ROWS_PER_SHEET = 1_048_575
"""Excel's 1,048,576 rows per sheet, less the header: a larger export continues on "Export 2", "Export 3"…"""

_WORKBOOK_OPTIONS = {
    "constant_memory": True,  # rows go to disk as they are finished: flat memory for a million rows
    # Belt and braces: we only call typed writers, which never convert, but `write()` would otherwise turn
    # "=…" into a formula, "http…" into a link and "12" into a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,  # non-finite numbers are handled below and never reach the library
    "use_zip64": True,  # a sheet of a million long rows can pass 4 GB uncompressed; zipfile adds ZIP64 only then
}
_UNIX_EPOCH = dt.datetime(1970, 1, 1)  # naive: the cells are UTC wall-clock times


def write_xlsx(
    path: Path | str,
    columns: Sequence[ExportColumn],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Callable[[int], None] | None = None,
    cancel: CancelToken | None = None,
    progress_every: int = 10_000,
    dictionary: bool = True,
) -> int:
    """Write `rows` (stored values, in `columns` order) to the workbook `path`; returns the data rows written.

    The data sheet has a bold, frozen header row and each column's width (more than Excel's rows per sheet continue
    on further sheets); with `dictionary`, a last sheet holds the data dictionary. `cancel` is checked every 1,000
    rows, `progress(rows_so_far)` called every `progress_every` rows and at the end. On cancel or error no file
    appears and an existing one is untouched.
    """
    if progress_every < 1:
        raise ValueError("progress_every must be at least 1")
    # Imported here, not at module level: only an XLSX export needs it, and it costs start-up time.
    from xlsxwriter.workbook import Workbook

    # XlsxWriter's row files (about 1 GB for a million followers) go beside the workbook, on the disk that must
    # hold it anyway, not to the system's temp folder, which is often RAM (tmpfs) or a small partition.
    scratch_parent = Path(path).resolve().parent
    with (tempfile.TemporaryDirectory(prefix=".twexport-xlsx-", dir=scratch_parent) as scratch,
          atomic_write(path, "wb") as file):
        workbook = Workbook(file, {**_WORKBOOK_OPTIONS, "tmpdir": scratch})
        try:
            styles = _Styles.of(workbook)
            written, reported = _write_rows(workbook, styles, columns, rows, progress, cancel, progress_every)
            if dictionary:
                _write_dictionary_sheet(workbook, styles, columns)
            _zip(workbook)
        except BaseException:
            _close_scratch_files(workbook)
            raise
    if progress is not None and (reported != written or written == 0):
        progress(written)
    return written


@dataclass(frozen=True)
class _Styles:
    """The workbook's cell formats, made once (each `add_format` is a style record in the file)."""

    header: Format
    timestamp: Format
    percent: Format
    quoted: Format

    @classmethod
    def of(cls, workbook: Workbook) -> _Styles:
        return cls(header=workbook.add_format({"bold": True}),
                   timestamp=workbook.add_format({"num_format": TIMESTAMP_FORMAT}),
                   percent=workbook.add_format({"num_format": PERCENT_FORMAT}),
                   quoted=workbook.add_format({"quote_prefix": True}))


CellWriter = Callable[["Worksheet", int, int, Any], None]
"""Writes a value to (row, column) of a sheet, or nothing for an empty cell."""


def _write_rows(workbook: Workbook, styles: _Styles, columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]],
                progress: Callable[[int], None] | None, cancel: CancelToken | None,
                progress_every: int) -> tuple[int, int]:
    """The data sheets; returns the rows written and the last count reported to `progress`."""
    header = [column.name for column in columns]
    widths = [column.workbook_width for column in columns]
    cell_writers = list(enumerate(_cell_writer(column.type, styles) for column in columns))
    written = reported = 0
    sheet = _start_sheet(workbook, styles, DATA_SHEET_TITLE, header, widths)
    for row in rows:
        if cancel is not None and written % _CANCEL_EVERY == 0:
            cancel.raise_if_cancelled()
        if written and written % MAX_DATA_ROWS_PER_SHEET == 0:
            title = f"{DATA_SHEET_TITLE} {written // MAX_DATA_ROWS_PER_SHEET + 1}"
            sheet = _start_sheet(workbook, styles, title, header, widths)
        number = written % MAX_DATA_ROWS_PER_SHEET + 1  # zero-based, after the header row
        for (column, write), value in zip(cell_writers, row, strict=True):
            if value is not None:
                write(sheet, number, column, value)
        written += 1
        if written % progress_every == 0 and progress is not None:
            progress(written)
            reported = written
    if cancel is not None:
        cancel.raise_if_cancelled()
    return written, reported


def _start_sheet(workbook: Workbook, styles: _Styles, title: str, header: Sequence[str],
                 widths: Sequence[int]) -> Worksheet:
    """A sheet with its column widths and a bold header row frozen above the rows to come."""
    sheet = workbook.add_worksheet(title)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    for column, name in enumerate(header):
        sheet.write_string(0, column, name, styles.header)
    return sheet


def _write_dictionary_sheet(workbook: Workbook, styles: _Styles, columns: Sequence[ExportColumn]) -> None:
    sheet = _start_sheet(workbook, styles, DICTIONARY_SHEET_TITLE, DICTIONARY_HEADER, DICTIONARY_WIDTHS)
    for number, column in enumerate(columns, 1):
        for index, value in enumerate(dictionary_row(column)):
            _write_text(sheet, number, index, value, styles)


def dictionary_row(column: ExportColumn) -> tuple[str, str, str, str, str]:
    """One column's line of the data dictionary, in `DICTIONARY_HEADER` order."""
    return column.name, column.type.value, column.unit, column.meaning, column.source


def _zip(workbook: Workbook) -> None:
    """Assemble the workbook into its file (`Workbook.close`), failing the way callers expect.

    XlsxWriter reports an OSError (disk full…) as its own `FileCreateError`; callers handle OSError, so that is
    what is raised. A failed `close` also leaves its zip object in the failed call's frames, open: they are cleared
    here, so the zip is collected while our file is still open (later, its finaliser would write to a closed file).
    """
    from xlsxwriter.exceptions import FileCreateError

    try:
        workbook.close()
    except BaseException as error:
        failure: BaseException | None = error
        while failure is not None:  # the wrapped OSError's traceback holds the zip's frame
            traceback.clear_frames(failure.__traceback__)
            failure = failure.__context__
        cause = error.args[0] if isinstance(error, FileCreateError) and error.args else None
        if isinstance(cause, OSError):
            raise cause from None
        raise


def _close_scratch_files(workbook: Workbook) -> None:
    """Close the row files of a workbook being discarded, so its scratch folder can be removed (Windows cannot
    delete an open file). XlsxWriter has no public way to abandon a workbook: `close()` would first zip every row
    written so far, minutes of work for a cancelled million-row export. This is the step its `close()` takes for
    `constant_memory` sheets."""
    for sheet in workbook.worksheets():
        sheet._opt_close()


def _cell_writer(column_type: ColumnType, styles: _Styles) -> CellWriter:
    """How a column's (non-empty) values become cells."""
    if column_type == ColumnType.INTEGER:
        return lambda sheet, row, column, value: _write_count(sheet, row, column, value, styles)
    if column_type == ColumnType.BOOLEAN:
        return lambda sheet, row, column, value: sheet.write_boolean(row, column, bool(value))
    if column_type == ColumnType.TIMESTAMP:
        return lambda sheet, row, column, epoch: sheet.write_datetime(
            row, column, _UNIX_EPOCH + dt.timedelta(seconds=epoch), styles.timestamp)
    if column_type == ColumnType.PERCENT:
        return lambda sheet, row, column, value: _write_share(sheet, row, column, value, styles)
    # Text and X ids (numbers as text: all their digits kept).
    return lambda sheet, row, column, value: _write_text(sheet, row, column, value, styles)


def _write_count(sheet: Worksheet, row: int, column: int, value: Any, styles: _Styles) -> None:
    if type(value) is int or (type(value) is float and math.isfinite(value)):  # not bool: a stray flag is text
        sheet.write_number(row, column, value)
    else:
        _write_text(sheet, row, column, value, styles)


def _write_share(sheet: Worksheet, row: int, column: int, value: Any, styles: _Styles) -> None:
    share = float(value)
    if math.isfinite(share):  # a spreadsheet number has no NaN or infinity: no share is no cell
        sheet.write_number(row, column, share, styles.percent)


def _write_text(sheet: Worksheet, row: int, column: int, value: Any, styles: _Styles) -> None:
    """Text, never evaluated; text a spreadsheet would evaluate once edited gets the quote prefix. XlsxWriter cuts
    text at Excel's 32,767 characters per cell."""
    text = replace_unsafe_chars(value if type(value) is str else str(value))
    if not text:
        return  # an empty cell, as a spreadsheet keeps one
    if text[0] in _TEXT_FIRST_CHARACTERS:
        sheet.write_string(row, column, text, styles.quoted)
    else:
        sheet.write_string(row, column, text)
