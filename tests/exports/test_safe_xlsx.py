"""XLSX exports: typed cells, a bold frozen header, never a formula whatever a stranger typed, atomic like CSVs."""

from __future__ import annotations

import datetime as dt
import errno
import random
import tempfile
import zipfile

import pytest
from openpyxl import load_workbook

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.exports import safe_xlsx
from twexport_qt.exports.columns import ColumnType, ExportColumn
from twexport_qt.exports.safe_xlsx import DATA_SHEET_TITLE, DICTIONARY_SHEET_TITLE, TIMESTAMP_FORMAT, write_xlsx

TEXT = ExportColumn("name", ColumnType.TEXT, "Display name", "X user field name")
HOSTILE = ["=HYPERLINK(\"http://evil\",\"click\")", "+SUM(1,2)", "-2+3", "@cmd|' /C calc'!A0", "#N/A", "=1",
           "\t=1", "\r=1", "=A1\x00", "\u202egnp.exe", "ok\x1b[31m"]


def cells(path, sheet: str = DATA_SHEET_TITLE):
    return [list(row) for row in load_workbook(path)[sheet].iter_rows()]


@pytest.fixture(autouse=True)
def own_temp_dir(tmp_path, monkeypatch):
    """A private system temp folder: it shows that nothing is left behind there (the scratch files of XlsxWriter
    go beside the workbook)."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return temp


def test_text_a_spreadsheet_would_evaluate_is_stored_as_text(tmp_path):
    out = tmp_path / "hostile.xlsx"
    assert write_xlsx(out, [TEXT], [[text] for text in HOSTILE]) == len(HOSTILE)
    body = [row[0] for row in cells(out)[1:]]
    assert all(cell.data_type == "s" for cell in body)
    assert [cell.value for cell in body][:7] == HOSTILE[:7]
    # A CR is stored as the standard escape `_x000D_` (XML would turn a raw CR into LF); Excel shows a CR, openpyxl's
    # reader the escape: either way text, quote-prefixed.
    assert body[7].value in ("\r=1", "_x000D_=1") and body[7].quotePrefix
    # Controls and bidi overrides become U+FFFD, as in CSVs (openpyxl would refuse the controls outright).
    assert [cell.value for cell in body][8:] == ["=A1\ufffd", "\ufffdgnp.exe", "ok\ufffd[31m"]
    assert all(cell.quotePrefix for cell in body if cell.value[:1] in "=+-@#\t\r")
    with zipfile.ZipFile(out) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml and 't="e"' not in sheet_xml


def test_each_column_type_becomes_a_typed_cell(tmp_path):
    columns = [
        ExportColumn("user_id", ColumnType.ID, "", ""),
        ExportColumn("followers_count", ColumnType.INTEGER, "", ""),
        ExportColumn("created_at", ColumnType.TIMESTAMP, "", "", "UTC"),
        ExportColumn("verified", ColumnType.BOOLEAN, "", ""),
        ExportColumn("replied_percent", ColumnType.PERCENT, "", "", "%"),
        TEXT,
    ]
    out = tmp_path / "typed.xlsx"
    write_xlsx(out, columns, [
        (1_600_000_000_000_000_123, -3, 1_700_000_000, 1, 12.5, "Ana"),
        (7, 0, None, 0, None, None),
        (8, 5, 0, None, 100.0, ""),
    ])
    header, first, second, third = cells(out)
    assert [cell.value for cell in header] == [column.name for column in columns]
    assert first[0].value == "1600000000000000123"  # all 19 digits: a number would keep 15
    assert first[1].value == -3 and first[1].data_type == "n"
    assert first[2].value == dt.datetime(2023, 11, 14, 22, 13, 20) and first[2].number_format == TIMESTAMP_FORMAT
    assert first[3].value is True and second[3].value is False and third[3].value is None
    assert first[4].value == 12.5 and first[4].number_format == "0.0"
    assert [cell.value for cell in second[2:]] == [None, False, None, None]
    assert third[2].value == dt.datetime(1970, 1, 1)


def test_the_header_is_bold_frozen_and_columns_have_widths(tmp_path):
    columns = [TEXT, ExportColumn("description", ColumnType.TEXT, "Bio", "", width=60),
               ExportColumn("unfollowed_within_7_days_percent", ColumnType.PERCENT, "", "")]
    out = tmp_path / "layout.xlsx"
    write_xlsx(out, columns, [("a", "b", 1.0)])
    sheet = load_workbook(out)[DATA_SHEET_TITLE]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    # Stored as Excel stores a width of N characters: N plus the cell padding (24 → 24.71), shown as N in Excel.
    widths = [int(sheet.column_dimensions[letter].width) for letter in "ABC"]
    assert widths == [24, 60, len("unfollowed_within_7_days_percent") + 2]


def test_the_workbook_carries_its_data_dictionary(tmp_path):
    out = tmp_path / "dictionary.xlsx"
    write_xlsx(out, [TEXT], [("a",)])
    rows = [[cell.value for cell in row] for row in cells(out, DICTIONARY_SHEET_TITLE)]
    assert rows == [["column", "type", "unit", "meaning", "source"],
                    ["name", "text", None, "Display name", "X user field name"]]


def test_a_cancelled_export_leaves_no_file_and_no_temporary_files(tmp_path, own_temp_dir):
    out = tmp_path / "cancelled.xlsx"
    out.write_bytes(b"previous export")
    token = CancelToken()

    def rows():
        for number in range(5_000):
            if number == 2_500:
                token.cancel()
            yield (f"user{number}",)

    with pytest.raises(Cancelled):
        write_xlsx(out, [TEXT], rows(), cancel=token)
    assert out.read_bytes() == b"previous export"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cancelled.xlsx", "temp"]
    assert list(own_temp_dir.iterdir()) == []


def test_a_failing_row_source_leaves_the_old_file(tmp_path, own_temp_dir):
    out = tmp_path / "broken.xlsx"
    out.write_bytes(b"old")

    def rows():
        yield ("fine",)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_xlsx(out, [TEXT], rows())
    assert out.read_bytes() == b"old" and list(own_temp_dir.iterdir()) == []


def test_progress_is_reported_in_steps_and_at_the_end(tmp_path, own_temp_dir):
    seen: list[int] = []
    write_xlsx(tmp_path / "p.xlsx", [TEXT], ((str(n),) for n in range(25)), progress=seen.append, progress_every=10)
    assert seen == [10, 20, 25]
    assert list(own_temp_dir.iterdir()) == []  # saved: the scratch files are gone too


def test_more_rows_than_a_sheet_holds_continue_on_the_next_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(safe_xlsx, "MAX_DATA_ROWS_PER_SHEET", 4)
    out = tmp_path / "big.xlsx"
    assert write_xlsx(out, [TEXT], ((f"=user{n}",) for n in range(10))) == 10
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Export", "Export 2", "Export 3", DICTIONARY_SHEET_TITLE]
    sheets = [[cell.value for (cell,) in workbook[name].iter_rows()] for name in workbook.sheetnames[:3]]
    assert sheets == [["name", "=user0", "=user1", "=user2", "=user3"], ["name", "=user4", "=user5", "=user6",
                      "=user7"], ["name", "=user8", "=user9"]]
    assert all(workbook[name].freeze_panes == "A2" for name in workbook.sheetnames[:3])
    assert all(cell.data_type == "s" for name in workbook.sheetnames[:3] for (cell,) in workbook[name].iter_rows())


def test_rows_stream_to_disk_beside_the_workbook_as_they_come(tmp_path, own_temp_dir):
    """Memory stays flat for a million rows because the rows go to disk as they come: the scratch files grow while
    they are read (the workbook is zipped from them at the end). They are kept beside the workbook, on the disk
    that holds it, never in the system's temp folder (often RAM, or small: about 1 GB for a million followers)."""
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    on_disk: list[int] = []
    rng = random.Random(5)

    def rows():
        for number in range(30_000):
            if number % 10_000 == 0:
                on_disk.append(sum(path.stat().st_size for path in out_dir.glob(".twexport-xlsx-*/**/*")
                                   if path.is_file()))
            yield (f"follower {rng.getrandbits(64):x}",)

    write_xlsx(out_dir / "stream.xlsx", [TEXT], rows())
    assert on_disk[1] > 100_000 and on_disk[2] > on_disk[1] + 100_000
    assert [path.name for path in out_dir.iterdir()] == ["stream.xlsx"]  # the scratch folder is gone
    assert list(own_temp_dir.iterdir()) == []


def test_the_workbook_opens_with_a_standard_reader_part_by_part(tmp_path):
    """What Excel needs to open it: content types for every part, the relationships, styles with the formats."""
    out = tmp_path / "parts.xlsx"
    write_xlsx(out, [TEXT], [("a & <b> \"c\"",)])
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        types = archive.read("[Content_Types].xml").decode()
    assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} <= names
    assert not any("calcChain" in name or "externalLink" in name or name.endswith(".bin") for name in names)
    assert all(f'PartName="/{name}"' in types for name in names if name.startswith("xl/") and "_rels" not in name)
    assert cells(out)[1][0].value == 'a & <b> "c"'


def test_numbers_a_spreadsheet_cannot_hold_do_not_break_the_workbook(tmp_path):
    columns = [ExportColumn("followers_count", ColumnType.INTEGER, "", ""),
               ExportColumn("replied_percent", ColumnType.PERCENT, "", "", "%")]
    out = tmp_path / "odd.xlsx"
    write_xlsx(out, columns, [(float("inf"), float("nan")), (2.5, 50)])
    _, odd, fine = cells(out)
    assert [cell.value for cell in odd] == ["inf", None]  # kept readable as text; no share is no cell
    assert [cell.value for cell in fine] == [2.5, 50.0]


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")  # no finaliser writing to a closed file
def test_a_disk_filling_up_while_the_workbook_is_zipped_is_an_os_error(tmp_path, own_temp_dir, monkeypatch):
    """Callers turn an OSError into "choose another folder": the library's own wrapper must not hide it."""
    out = tmp_path / "full.xlsx"
    out.write_bytes(b"old")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "write", disk_full)
    with pytest.raises(OSError) as raised:
        write_xlsx(out, [TEXT], [("a",)])
    assert raised.value.errno == errno.ENOSPC
    assert out.read_bytes() == b"old" and list(own_temp_dir.iterdir()) == []


def test_text_longer_than_a_cell_holds_is_cut_to_excels_limit(tmp_path):
    out = tmp_path / "long.xlsx"
    write_xlsx(out, [TEXT], [("x" * 40_000,), ("\U0001f600" * 20_000,)])
    _, plain, emoji = cells(out)
    assert plain[0].value == "x" * 32_767
    assert len(emoji[0].value.encode("utf-16-le")) // 2 <= 32_767  # Excel counts UTF-16 units
