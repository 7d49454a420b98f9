"""Split one account's follower rowids into ranges that aggregate queries read in bulk, and parse what they
return.

Reading a million followers row by row through Python costs seconds with the GIL held; one
`SELECT group_concat(...) ... WHERE rowid BETWEEN ? AND ?` per range lets SQLite walk the table in C with
the GIL released and hands back one string per column. Accounts share the table, so a range must not span
another account's rows for nothing: ranges break at large gaps between the account's rowids.
"""

from __future__ import annotations

import numpy as np

MAX_ROWS = 65_536  # followers per range: bounds each aggregate string to a few MB
MAX_GAP = 1_024  # rowids between two of the account's followers beyond which a new range starts


def rowid_ranges(rowids: np.ndarray, max_rows: int = MAX_ROWS, max_gap: int = MAX_GAP) -> list[tuple[int, int]]:
    """Inclusive (first, last) rowid ranges covering the ascending `rowids`, at most `max_rows` of them each,
    none across a gap of more than `max_gap` rowids between two consecutive ones."""
    if not len(rowids):
        return []
    breaks = (np.flatnonzero(np.diff(rowids) > max_gap) + 1).tolist()
    ranges = []
    for start, end in zip([0, *breaks], [*breaks, len(rowids)]):
        for first in range(start, end, max_rows):
            last = min(first + max_rows, end) - 1
            ranges.append((int(rowids[first]), int(rowids[last])))
    return ranges


def integers_of(text: str | None) -> np.ndarray | None:
    """The int64 values of a `group_concat` of integers ('' or None: none); None if some value is not an
    integer (a real or a text where the schema expects integers), which the caller then reads otherwise."""
    if not text:
        return np.zeros(0, dtype=np.int64)
    try:
        values = np.fromstring(text, dtype=np.int64, sep=",")
    except ValueError:  # what numpy does with "1.5" when deprecation warnings are errors
        return None
    return values if len(values) == text.count(",") + 1 else None  # numpy stops at the first non-integer
