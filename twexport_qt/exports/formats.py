"""Writing one export table as CSV or XLSX, limited to chosen columns, with its data dictionary beside it.

`exporters.py` knows what each export contains (a header of column names and rows of stored values); this module
knows how a table becomes a file, the same way for every export kind, so a kind that declares its columns gets
both formats, the Excel BOM, the column chooser and the dictionary without code of its own.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.timefmt import to_utc_datetime
from twexport_qt.exports.columns import ColumnType, ExportColumn, choose_columns, column_definition
from twexport_qt.exports.safe_csv import write_csv

DICTIONARY_SUFFIX = ".dictionary.csv"


class ExportFormat(StrEnum):
    """File formats of the table exports; the values are the command line's `--format` names and file suffixes."""

    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class TableOptions:
    """How the user wants a table export written. Empty `columns`: all of them, in the export's order."""

    format: ExportFormat = ExportFormat.CSV
    excel_bom: bool = False
    columns: tuple[str, ...] = ()


def format_for_path(path: Path | str) -> ExportFormat:
    """The format a file name asks for: XLSX for `.xlsx`, CSV otherwise."""
    return ExportFormat.XLSX if Path(path).suffix.lower() == ".xlsx" else ExportFormat.CSV


def dictionary_path(path: Path | str) -> Path:
    """Where the data dictionary of the export at `path` is written: `followers.csv` → `followers.dictionary.csv`."""
    target = Path(path)
    return target.with_name(target.stem + DICTIONARY_SUFFIX)


def iso(epoch: int | None) -> str | None:
    """A stored time as a CSV writes it: ISO 8601 in UTC."""
    return None if epoch is None else to_utc_datetime(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


def _percent_text(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


# CSV cells for stored values; types absent here are written as stored (ints, 0/1 flags, text).
_CSV_CONVERTERS: dict[ColumnType, Callable[[Any], Any]] = {ColumnType.TIMESTAMP: iso, ColumnType.PERCENT: _percent_text}


def write_table(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    options: TableOptions,
    *,
    export_title: str,
    progress: Callable[[int], None] | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Write the table (`rows` of stored values in `header` order) to `path` as `options` say, then its data
    dictionary to `dictionary_path(path)`; returns the data rows written.

    Raises `UnknownColumnsError` (before writing anything) when `options.columns` names a column not in `header`.
    """
    positions = choose_columns(header, options.columns, export_title)
    columns = [column_definition(header[position]) for position in positions]
    chosen_rows = rows if positions == list(range(len(header))) else _project(rows, positions)
    if options.format == ExportFormat.XLSX:
        from twexport_qt.exports.safe_xlsx import write_xlsx  # XlsxWriter is imported by the first XLSX export

        written = write_xlsx(path, columns, chosen_rows, progress=progress, cancel=cancel)
    else:
        written = write_csv(path, [column.name for column in columns], _csv_cells(chosen_rows, columns),
                            progress=progress, cancel=cancel, excel_bom=options.excel_bom)
    # Beside a workbook, the dictionary is for Excel users too: with a BOM, Excel reads its "→" and "…" right.
    write_dictionary(dictionary_path(path), columns,
                     excel_bom=options.excel_bom or options.format == ExportFormat.XLSX)
    return written


def write_dictionary(path: Path, columns: Sequence[ExportColumn], *, excel_bom: bool = False) -> None:
    """The data dictionary: one line per exported column (name, type, unit, meaning, X source field)."""
    from twexport_qt.exports.safe_xlsx import DICTIONARY_HEADER, dictionary_row

    write_csv(path, list(DICTIONARY_HEADER), [dictionary_row(column) for column in columns], excel_bom=excel_bom)


def _project(rows: Iterable[Sequence[Any]], positions: list[int]) -> Iterator[Sequence[Any]]:
    if len(positions) == 1:
        position = positions[0]
        return ((row[position],) for row in rows)
    return map(operator.itemgetter(*positions), rows)


def _csv_cells(rows: Iterable[Sequence[Any]], columns: Sequence[ExportColumn]) -> Iterable[Sequence[Any]]:
    conversions = [(index, _CSV_CONVERTERS[column.type]) for index, column in enumerate(columns)
                   if column.type in _CSV_CONVERTERS]
    if not conversions:
        return rows
    return (_converted(row, conversions) for row in rows)


def _converted(row: Sequence[Any], conversions: list[tuple[int, Callable[[Any], Any]]]) -> list[Any]:
    values = list(row)
    for index, convert in conversions:
        values[index] = convert(values[index])
    return values
