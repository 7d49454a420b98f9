"""How fast an XLSX export of followers is written (`write_table` with the XLSX format, as File → Export does).

    python benchmarks/bench_export_xlsx.py [--rows 100000] [--profile]

Rows have the shape of the follower export (`exporters.FOLLOWER_HEADER`): ids, counts, short texts, a bio (some
with a newline, some a formula payload that must stay text), several epoch times and empty cells. Prints rows
per second, wall and CPU time (this machine may be shared) and the file's size; `--profile` prints the top of a
cProfile of the run instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twexport_qt.exports.exporters import FOLLOWER_HEADER
from twexport_qt.exports.formats import ExportFormat, TableOptions, write_table


def follower_rows(count: int) -> Iterator[list[Any]]:
    """Synthetic rows in FOLLOWER_HEADER order (values cycle through the header's length)."""
    for i in range(count):
        row: list[Any] = [
            1_600_000_000_000_000_000 + i, f"user{i}", f"Name {i}",
            f"bio of user {i}, likes things\nline two" if i % 7 else "=HYPERLINK(1)", "Paris",
            "https://x.example", f"https://pbs.twimg.com/{i}.jpg", 1_300_000_000 + i, i % 2, "none", 0,
            i * 13 % 100_000, 200, 3_000, 4, 1, 1_900_000_000_000_000_000 + i, 1_700_000_000 + i, 1_760_000_000,
            1_760_000_000, None, "Regular", None]
        yield (row * 2)[:len(FOLLOWER_HEADER)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "followers.xlsx"

        def run() -> int:
            return write_table(out, FOLLOWER_HEADER, follower_rows(args.rows), TableOptions(format=ExportFormat.XLSX),
                               export_title="Followers")

        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(run)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
            return
        wall0, cpu0 = time.perf_counter(), time.process_time()
        written = run()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        print(f"XLSX: {written:,} rows ({len(FOLLOWER_HEADER)} columns) in {wall:.2f} s wall, {cpu:.2f} s CPU: "
              f"{written / wall:,.0f} rows/s; file {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
