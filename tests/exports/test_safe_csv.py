from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.exports.safe_csv import neutralise_cell, write_csv

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
        (dt.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=dt.timezone.utc), "2026-01-02T03:04:05Z"),
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
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
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
