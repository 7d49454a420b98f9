"""Rowid ranges for bulk reads: bounded in size, broken at another account's rows, covering every rowid."""

from __future__ import annotations

import numpy as np

from twexport_qt.followers.rowid_ranges import rowid_ranges


def test_ranges_cover_every_rowid_in_order_and_break_at_size_and_gaps():
    rowids = np.array([1, 2, 3, 4, 5, 6, 7, 40, 41, 42, 100], dtype=np.int64)
    assert rowid_ranges(rowids, max_rows=3, max_gap=10) == [(1, 3), (4, 6), (7, 7), (40, 42), (100, 100)]
    assert rowid_ranges(rowids, max_rows=100, max_gap=33) == [(1, 42), (100, 100)]


def test_a_gap_of_exactly_max_gap_stays_in_one_range():
    rowids = np.array([10, 20, 31], dtype=np.int64)
    assert rowid_ranges(rowids, max_rows=10, max_gap=10) == [(10, 20), (31, 31)]
    assert rowid_ranges(rowids, max_rows=10, max_gap=11) == [(10, 31)]


def test_no_rowids_no_ranges():
    assert rowid_ranges(np.zeros(0, dtype=np.int64)) == []
