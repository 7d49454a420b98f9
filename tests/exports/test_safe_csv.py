from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.exports import safe_csv
from twexport_qt.exports.safe_csv import REPLACEMENT_CHARACTER, neutralise_cell, write_csv

FORMULA_PAYLOADS = [
    '=HYPERLINK("https://evil.example","click me")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
]


def _read_back(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as file:
        return list(csv.reader(file))


# ---- neutralise_cell -------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_formula_payloads_are_prefixed(payload):
    assert neutralise_cell(payload) == "'" + payload


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Coffee, Python & dad jokes",
        "'already quoted",
        " =1",  # a leading space makes it text in spreadsheets
        "\n=1",
        "＝1+1",  # fullwidth equals sign: a lookalike, not a formula
        "﹢1",  # small plus sign
        "−2",  # minus sign U+2212, not the ASCII hyphen
        "＠home",
        "🚀 to the moon",
    ],
)
def test_ordinary_text_and_lookalikes_are_unchanged(text):
    assert neutralise_cell(text) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (-5, "-5"),  # our numbers stay numbers
        (0, "0"),
        (-1.5, "-1.5"),
        (dt.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC), "2026-01-02T03:04:05Z"),
        (dt.datetime(2026, 1, 2, 5, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))), "2026-01-02T03:04:05Z"),
        (dt.date(2026, 1, 2), "2026-01-02"),
    ],
)
def test_non_text_values(value, expected):
    assert neutralise_cell(value) == expected


def test_naive_datetime_is_rejected():
    with pytest.raises(ValueError, match="naive"):
        neutralise_cell(dt.datetime(2026, 1, 2))


def test_other_types_are_neutralised_through_their_text():
    class Payload:
        def __str__(self) -> str:
            return "=1+1"

    assert neutralise_cell(Payload()) == "'=1+1"


# ---- control and bidi characters -------------------------------------------------------------------------

UNSAFE_CHARACTERS = [
    *(chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"),  # C0 controls
    "\x7f",  # DEL
    *(chr(code) for code in range(0x80, 0xA0)),  # C1 controls
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # LRE RLE PDF LRO RLO
    "\u2066", "\u2067", "\u2068", "\u2069",  # LRI RLI FSI PDI
    "\ud800", "\udfff",  # lone surrogates: UTF-8 cannot write them
]


@pytest.mark.parametrize("char", UNSAFE_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("context", ["name{}x", "{}", "Zoë {} 🚀"])
def test_control_and_bidi_characters_become_visible_replacements(char, context):
    assert neutralise_cell(context.format(char)) == context.format(REPLACEMENT_CHARACTER)


@pytest.mark.parametrize(
    "text",
    [
        "line one\nline two\r\nline three",  # line breaks in bios
        "tab\tinside",
        "\u200fשלום\u200e (RLM and LRM marks)",
        "👩\u200d💻 family: 👨\u200d👩\u200d👧",  # zero-width joiners inside emoji
        "non\u00a0breaking space, «guillemets», it’s “quoted” … • ✨",
        "مرحبا بالعالم",
        "\u2028 and \u2029",  # line/paragraph separators are not in the list
        "\ufffd already a replacement character",
    ],
)
def test_ordinary_text_marks_and_newlines_are_kept(text):
    assert neutralise_cell(text) is text  # same object: nothing was copied


def test_hidden_characters_cannot_shield_a_formula_and_formulas_stay_guarded():
    assert neutralise_cell("\u202e=1+1") == "\ufffd=1+1"  # no longer starts with =, and visibly altered
    assert neutralise_cell("=\x00cmd") == "'=\ufffdcmd"
    assert neutralise_cell("\x00\x00") == "\ufffd\ufffd"


def test_fast_check_finds_exactly_what_the_replacement_replaces():
    """The chunk-wide fast check works on UTF-8 bytes; it must agree with the regex for every code point."""
    codes = [*range(0x3000), *range(0xD700, 0xE100), *range(0xFE00, 0x10100), 0x1F680, 0x10FFFF]
    for code in codes:
        char = chr(code)
        for text in (char, "a" + char + "b", "é" + char, char + "𝕏"):
            expected = safe_csv._UNSAFE_CHAR.search(text) is not None
            assert safe_csv._has_unsafe_char(text) is expected, f"U+{code:04X} in {text!r}"


def test_control_characters_deep_in_a_long_export_are_replaced_in_every_column_kind(tmp_path):
    target = tmp_path / "out.csv"
    rows = [(i, f"user_{i}", "bio", None if i % 2 else "loc") for i in range(5_000)]
    rows[3_999] = (3_999, "evil\u202egnp.exe", "nul\x00here", "bell\x07")  # last column is mixed str/None
    rows[4_321] = (4_321, "user_4321", "=\x85", None)

    write_csv(target, ["id", "username", "bio", "location"], rows)

    body = _read_back(target)[1:]
    assert body[3_999] == ["3999", "evil\ufffdgnp.exe", "nul\ufffdhere", "bell\ufffd"]
    assert body[4_321] == ["4321", "user_4321", "'=\ufffd", ""]
    changed = [i for i, row in enumerate(body) if row != [str(i), f"user_{i}", "bio", "" if i % 2 else "loc"]]
    assert changed == [3_999, 4_321]
    assert rows[3_999][1] == "evil\u202egnp.exe"  # the caller's rows are left alone


def test_control_characters_in_header_and_ragged_rows(tmp_path):
    target = tmp_path / "out.csv"

    write_csv(target, ["na\x00me"], [("a\x1b[31m",), ("ok", "\u2066x\u2069")])

    assert _read_back(target) == [["na\ufffdme"], ["a\ufffd[31m"], ["ok", "\ufffdx\ufffd"]]


def test_a_lone_surrogate_does_not_fail_the_export(tmp_path):
    target = tmp_path / "out.csv"

    write_csv(target, ["name"], [("json said \ud83d",)])

    assert target.read_bytes() == "name\r\njson said \ufffd\r\n".encode()


# ---- write_csv: content ------------------------------------------------------------------------------------


def test_formula_payloads_are_inert_in_the_file(tmp_path):
    target = tmp_path / "followers.csv"
    rows = [(i, payload, "ok") for i, payload in enumerate(FORMULA_PAYLOADS)]

    write_csv(target, ["id", "name", "note"], rows)

    body = _read_back(target)[1:]
    assert [row[1] for row in body] == ["'" + payload for payload in FORMULA_PAYLOADS]
    assert all(row[1].startswith("'") for row in body)
    assert [row[2] for row in body] == ["ok"] * len(FORMULA_PAYLOADS)


def test_round_trip_of_awkward_text_and_numbers(tmp_path):
    target = tmp_path / "followers.csv"
    header = ["user_id", "name", "description", "followers_count", "ratio", "missing"]
    rows = [
        (1, "Zoë 🚀", 'She said "hi", then left', 120, 0.5, None),
        (2, "multi\nline", "first line\r\nsecond line\nthird", -3, -1.25, None),
        (3, "comma, inside", "", 0, 2.0, None),
        (4, "東京", "emoji 👩‍💻 and 𝕏", 9_007_199_254_740_993, 1e-9, None),
    ]

    assert write_csv(target, header, rows) == len(rows)

    expected = [header] + [[str(c) if c is not None else "" for c in row] for row in rows]
    assert _read_back(target) == expected


def test_rfc4180_layout_and_no_bom_by_default(tmp_path):
    target = tmp_path / "out.csv"

    write_csv(target, ["a", "b"], [(1, "x,y"), (2, 'q"q')])

    assert target.read_bytes() == b'a,b\r\n1,"x,y"\r\n2,"q""q"\r\n'


def test_excel_bom(tmp_path):
    target = tmp_path / "out.csv"

    write_csv(target, ["name"], [("Zoë",)], excel_bom=True)

    assert target.read_bytes() == "\ufeffname\r\nZoë\r\n".encode()
    assert _read_back(target, encoding="utf-8-sig") == [["name"], ["Zoë"]]


def test_header_is_neutralised_too(tmp_path):
    target = tmp_path / "out.csv"

    write_csv(target, ["-score", "name"], [])

    assert _read_back(target) == [["'-score", "name"]]


def test_mixed_column_types_are_each_converted(tmp_path):
    target = tmp_path / "out.csv"
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    rows = [
        ("=1", True, when, None),
        ("plain", False, None, -4),
        (None, None, "@x", "-4"),
    ]

    write_csv(target, ["a", "b", "c", "d"], rows)

    assert _read_back(target)[1:] == [
        ["'=1", "true", "2026-01-02T03:04:05Z", ""],
        ["plain", "false", "", "-4"],  # int -4: a number
        ["", "", "'@x", "'-4"],  # str "-4": typed by a stranger
    ]


def test_payload_in_any_row_of_a_long_export_is_caught(tmp_path):
    """No column is ever judged safe from its first rows: a payload deep in the file is still neutralised."""
    target = tmp_path / "out.csv"
    rows = [(i, f"user_{i}", "bio") for i in range(5_000)]
    rows[4_321] = (4_321, "=HYPERLINK(1)", "@bio")

    write_csv(target, ["id", "username", "bio"], rows)

    body = _read_back(target)[1:]
    assert body[4_321] == ["4321", "'=HYPERLINK(1)", "'@bio"]
    assert sum(row[1].startswith("'") for row in body) == 1


def test_formula_cells_at_chunk_edges_and_line_breaks_inside_cells(tmp_path):
    """The chunk-wide search must catch a formula in any cell, and leave a line inside a bio that starts
    with "=" alone (it is not the cell's first character)."""
    target = tmp_path / "out.csv"
    names = [f"user_{i}" for i in range(2_500)]
    for i in (0, 999, 1_000, 1_999, 2_499):
        names[i] = f"=cell{i}"
    names[500] = "first line\n=second line"
    names[501] = "\r\n+1"  # starts with CR: a formula prefix

    write_csv(target, ["name"], [(name,) for name in names])

    body = [row[0] for row in _read_back(target)[1:]]
    expected = ["'" + name if name[:1] in "=+-@\t\r" else name for name in names]
    assert body == expected
    assert body[500] == "first line\n=second line" and body[501] == "'\r\n+1"


def test_ragged_rows_are_written_exactly(tmp_path):
    target = tmp_path / "out.csv"

    write_csv(target, ["a", "b"], [(1, "=x"), (2,), (3, "y", "+z")])

    assert _read_back(target)[1:] == [["1", "'=x"], ["2"], ["3", "y", "'+z"]]


def test_caller_rows_are_not_modified(tmp_path):
    row = ["=1", 2]

    write_csv(tmp_path / "out.csv", ["a", "b"], [row])

    assert row == ["=1", 2]


def test_rows_from_a_sqlite_cursor(tmp_path):
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row  # what store.database uses
    conn.execute("CREATE TABLE t (id INTEGER, name TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(1, "ann"), (2, "+33 6 12"), (3, None)])
    target = tmp_path / "out.csv"

    count = write_csv(target, ["id", "name"], conn.execute("SELECT id, name FROM t ORDER BY id"))

    assert count == 3
    assert _read_back(target)[1:] == [["1", "ann"], ["2", "'+33 6 12"], ["3", ""]]


# ---- write_csv: progress, cancellation, failures -----------------------------------------------------------


def test_progress_is_reported_every_n_rows_and_at_the_end(tmp_path):
    seen: list[int] = []

    count = write_csv(
        tmp_path / "out.csv", ["n"], ((i,) for i in range(2_500)), progress=seen.append, progress_every=1_000
    )

    assert count == 2_500
    assert seen == [1_000, 2_000, 2_500]


def test_progress_without_a_partial_last_batch_is_not_repeated(tmp_path):
    seen: list[int] = []

    write_csv(tmp_path / "out.csv", ["n"], ((i,) for i in range(20)), progress=seen.append, progress_every=10)

    assert seen == [10, 20]


def test_empty_export_has_a_header_and_reports_zero(tmp_path):
    seen: list[int] = []
    target = tmp_path / "out.csv"

    assert write_csv(target, ["a"], [], progress=seen.append) == 0

    assert target.read_bytes() == b"a\r\n"
    assert seen == [0]


def test_progress_every_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        write_csv(tmp_path / "out.csv", ["a"], [], progress_every=0)


def _assert_only_previous_export(directory: Path, target: Path, previous: bytes | None) -> None:
    if previous is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == previous
    assert list(directory.glob(".*.part")) == []


@pytest.mark.parametrize("previous", [None, b"id\r\n1\r\n"])
def test_generator_failing_mid_way_leaves_no_new_file(tmp_path, previous):
    target = tmp_path / "followers.csv"
    if previous is not None:
        target.write_bytes(previous)

    def rows():
        for i in range(25_000):
            if i == 17_000:
                raise sqlite3.OperationalError("database is locked")
            yield (i, f"user_{i}")

    with pytest.raises(sqlite3.OperationalError):
        write_csv(target, ["id", "username"], rows())

    _assert_only_previous_export(tmp_path, target, previous)


@pytest.mark.parametrize("previous", [None, b"id\r\n1\r\n"])
def test_cancel_mid_way_leaves_no_new_file(tmp_path, previous):
    target = tmp_path / "followers.csv"
    if previous is not None:
        target.write_bytes(previous)
    cancel = CancelToken()
    seen: list[int] = []

    def cancel_after_first_report(rows_written: int) -> None:
        seen.append(rows_written)
        cancel.cancel()

    rows = ((i, f"user_{i}") for i in range(50_000))
    with pytest.raises(Cancelled):
        write_csv(target, ["id", "username"], rows, progress=cancel_after_first_report, cancel=cancel)

    assert seen == [10_000]  # stopped at the next check, not at the end
    _assert_only_previous_export(tmp_path, target, previous)


def test_already_cancelled_token_writes_nothing(tmp_path):
    cancel = CancelToken()
    cancel.cancel()
    target = tmp_path / "out.csv"

    with pytest.raises(Cancelled):
        write_csv(target, ["a"], [(1,)], cancel=cancel)

    _assert_only_previous_export(tmp_path, target, None)
