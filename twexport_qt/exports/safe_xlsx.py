"""Excel workbooks of data typed by strangers: typed cells, never a formula, streamed to disk, written atomically.

The XLSX twin of `safe_csv`. Each column's `ColumnType` (exports/columns.py) decides its cells: counts are numbers,
times real date-times (UTC; Excel has no time zones, the header's dictionary says UTC), flags TRUE/FALSE, X ids
text (they exceed the 15 significant digits of a spreadsheet number) and percentages numbers shown with one
decimal. Text is never a formula: openpyxl would turn a string starting with `=` into one (and `#N/A` into an
error), so any text starting with `=`, `+`, `-`, `@`, `#`, tab or CR is stored as an inline string with Excel's
"quote prefix" style, which keeps it text even when the cell is edited. Control and bidi characters are replaced
by U+FFFD as in CSVs (openpyxl refuses control characters outright).

openpyxl's write-only mode streams rows into a temporary XML file, and saving copies that file into the zip, so
memory stays flat however many rows there are; the zip itself is written under a temporary name beside the
target and moved into place (`atomic_file`), so a cancelled or failed export leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from twexport_qt.core.cancel import CancelToken
from twexport_qt.exports.atomic_file import atomic_write
from twexport_qt.exports.columns import ColumnType, ExportColumn
from twexport_qt.exports.safe_csv import FORMULA_PREFIXES, replace_unsafe_chars

DATA_SHEET_TITLE = "Export"
DICTIONARY_SHEET_TITLE = "Data dictionary"
DICTIONARY_HEADER = ("column", "type", "unit", "meaning", "source")
TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0.0"
_TEXT_FIRST_CHARACTERS = FORMULA_PREFIXES | {"#"}  # formulas, and error literals such as #N/A
_MAX_CELL_CHARS = 32_767  # Excel's limit; a longer cell makes it "repair" the workbook
_CANCEL_EVERY = 1_000
MAX_DATA_ROWS_PER_SHEET = 1_048_575
"""Excel's 1,048,576 rows per sheet, less the header: a larger export continues on "Export 2", "Export 3"…"""

WriteOnlyWorksheet = Any
"""openpyxl's write-only sheet (its class lives in a private module, so it is not imported for a hint)."""
CellValue = Any
"""What a worksheet row holds: a plain value (None, str, int, float, bool, datetime) or a styled WriteOnlyCell."""


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
    workbook = Workbook(write_only=True)
    header = [column.name for column in columns]
    widths = [column.workbook_width for column in columns]
    try:
        sheet = workbook.create_sheet(DATA_SHEET_TITLE)
        _start_sheet(sheet, header, widths)
        converters = [_converter(sheet, column.type) for column in columns]
        written = reported = 0
        for row in rows:
            if cancel is not None and written % _CANCEL_EVERY == 0:
                cancel.raise_if_cancelled()
            if written and written % MAX_DATA_ROWS_PER_SHEET == 0:
                sheet = workbook.create_sheet(f"{DATA_SHEET_TITLE} {written // MAX_DATA_ROWS_PER_SHEET + 1}")
                _start_sheet(sheet, header, widths)
                converters = [_converter(sheet, column.type) for column in columns]
            sheet.append([convert(value) for convert, value in zip(converters, row, strict=True)])
            written += 1
            if written % progress_every == 0 and progress is not None:
                progress(written)
                reported = written
        if cancel is not None:
            cancel.raise_if_cancelled()
        if dictionary:
            _write_dictionary_sheet(workbook, columns)
        with atomic_write(path, "wb") as file:
            workbook.save(file)
    except BaseException:
        _discard_temporary_files(workbook)
        raise
    if progress is not None and (reported != written or written == 0):
        progress(written)
    return written


def _start_sheet(sheet: WriteOnlyWorksheet, header: Sequence[str], widths: Sequence[int]) -> None:
    # Write-only sheets take their layout before the first row.
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, replace_unsafe_chars(name))
        cell.data_type = "s"
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _write_dictionary_sheet(workbook: Workbook, columns: Sequence[ExportColumn]) -> None:
    sheet = workbook.create_sheet(DICTIONARY_SHEET_TITLE)
    _start_sheet(sheet, DICTIONARY_HEADER, (34, 10, 10, 70, 44))
    text = _converter(sheet, ColumnType.TEXT)
    for column in columns:
        sheet.append([text(value) for value in dictionary_row(column)])


def dictionary_row(column: ExportColumn) -> tuple[str, str, str, str, str]:
    """One column's line of the data dictionary, in `DICTIONARY_HEADER` order."""
    return column.name, column.type.value, column.unit, column.meaning, column.source


def _converter(sheet: WriteOnlyWorksheet, column_type: ColumnType) -> Callable[[Any], CellValue]:
    if column_type == ColumnType.INTEGER:
        return lambda value: value if value is None or type(value) in (int, float) else _text_cell(sheet, value)
    if column_type == ColumnType.ID:
        return lambda value: None if value is None else str(value)
    if column_type == ColumnType.BOOLEAN:
        return lambda value: None if value is None else bool(value)
    if column_type == ColumnType.TIMESTAMP:
        return lambda value: None if value is None else _timestamp_cell(sheet, value)
    if column_type == ColumnType.PERCENT:
        return lambda value: None if value is None else _number_cell(sheet, value, PERCENT_FORMAT)
    return lambda value: None if value is None else _text_cell(sheet, value)


def _text_cell(sheet: WriteOnlyWorksheet, value: Any) -> CellValue:
    """Plain text as is (the fast path); text a spreadsheet would evaluate, as an explicit text cell."""
    text = replace_unsafe_chars(value if type(value) is str else str(value))[:_MAX_CELL_CHARS]
    if text[:1] not in _TEXT_FIRST_CHARACTERS:
        return text
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # openpyxl typed "=…" as a formula and "#N/A" as an error when the value was bound
    cell.quotePrefix = True
    return cell


def _timestamp_cell(sheet: WriteOnlyWorksheet, epoch: int) -> CellValue:
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)  # Excel cells have no time zone
    cell = WriteOnlyCell(sheet, moment)
    cell.number_format = TIMESTAMP_FORMAT
    return cell


def _number_cell(sheet: WriteOnlyWorksheet, value: float, number_format: str) -> CellValue:
    cell = WriteOnlyCell(sheet, value)
    cell.number_format = number_format
    return cell


def _discard_temporary_files(workbook: Workbook) -> None:
    """Remove the XML files write-only sheets stream into (openpyxl removes them only on save or at exit, and a
    cancelled million-row export would otherwise leave hundreds of MB in the temp folder until then)."""
    for sheet in workbook.worksheets:
        try:
            if not sheet.closed:
                sheet.close()  # ends the sheet's row stream and closes its file
            writer = getattr(sheet, "_writer", None)  # openpyxl has no public way to delete that file
            if writer is not None:
                writer.cleanup()
        except (OSError, ValueError):
            pass  # already saved (save removes the files), or failed mid-save
