"""Time `write_csv` against pandas `DataFrame.to_csv` on the same synthetic follower rows.

    python benchmarks/bench_export_csv.py [--rows 1000000] [--repeat 3]

Rows are tuples, as a SQLite cursor returns them, with the shape of a follower export: ids and counts
(ints), short strings, a bio of up to 160 characters (some with emoji, commas, quotes, newlines and a few
formula payloads) and ISO 8601 dates. Each figure is the best of `--repeat` runs; CPU time is printed
beside wall time because this machine may be shared.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from twexport_qt.exports.safe_csv import write_csv

HEADER = [
    "user_id", "username", "name", "description", "location", "url", "created_at", "verified",
    "verified_type", "protected", "followers_count", "following_count", "tweet_count", "listed_count",
    "first_seen",
]
_WORDS = (
    "coffee", "python", "dad", "runner", "design", "crypto", "photography", "travel", "music", "news",
    "he/him", "she/her", "views my own", "🚀", "🌍", "café", "東京", "Zürich", "DMs open", "#OpenSource",
)
_BIO_EXTRAS = ("", "", "", "", ", since 2009", ' "quoted"', "\nsecond line", " =HYPERLINK(x)")
_PAYLOADS = ("=1+1", "+33 6 12 34 56 78", "-just vibes-", "@home")
_LOCATIONS = ("", "", "Paris, France", "Berlin", "NYC", "São Paulo", "Lagos", "🌍")


def build_rows(count: int, seed: int = 1) -> list[tuple]:
    rng = random.Random(seed)
    base = 1_230_000_000
    rows = []
    for i in range(count):
        bio = " ".join(rng.choices(_WORDS, k=rng.randint(0, 18)))[:150] + rng.choice(_BIO_EXTRAS)
        if i % 500 == 0:
            bio = rng.choice(_PAYLOADS) + bio
        created = time.gmtime(base + rng.randrange(500_000_000))
        seen = time.gmtime(1_760_000_000 + rng.randrange(5_000_000))
        rows.append((
            10_000_000 + i * 7919,
            f"user_{i}",
            f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS).title()}",
            bio,
            rng.choice(_LOCATIONS),
            rng.choice(("", f"https://t.co/{i:x}")),
            time.strftime("%Y-%m-%dT%H:%M:%SZ", created),
            rng.randint(0, 1),
            rng.choice(("none", "none", "blue", "business")),
            rng.randint(0, 1),
            rng.randrange(100_000),
            rng.randrange(5_000),
            rng.randrange(200_000),
            rng.randrange(300),
            time.strftime("%Y-%m-%dT%H:%M:%SZ", seen),
        ))
    return rows


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # excludes waiting for the disk (write_csv fsyncs, pandas does not) and other processes

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall  {self.cpu:6.2f} s CPU"


def best_of(repeat: int, action: Callable[[], object]) -> Timing:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(min(walls), min(cpus))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"building {args.rows:,} rows ...", flush=True)
    rows = build_rows(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = Path(tmp) / "ours.csv", Path(tmp) / "pandas.csv"
        t_ours = best_of(args.repeat, lambda: write_csv(ours, HEADER, iter(rows)))
        t_frame = best_of(args.repeat, lambda: pd.DataFrame.from_records(rows, columns=HEADER))
        frame = pd.DataFrame.from_records(rows, columns=HEADER)
        # Same dialect as ours so both produce comparable files.
        t_to_csv = best_of(args.repeat, lambda: frame.to_csv(theirs, index=False, lineterminator="\r\n"))
        size_ours, size_theirs = ours.stat().st_size, theirs.stat().st_size

    both = t_frame + t_to_csv
    print(f"write_csv (neutralising, atomic, fsync): {t_ours}  ({size_ours / 1e6:.0f} MB)")
    print(f"pandas DataFrame construction:           {t_frame}")
    print(f"pandas to_csv only:                      {t_to_csv}  ({size_theirs / 1e6:.0f} MB)")
    print(f"pandas construction + to_csv:            {both}")
    print(f"ratio write_csv / to_csv only:           {t_ours.wall / t_to_csv.wall:6.2f} wall  "
          f"{t_ours.cpu / t_to_csv.cpu:6.2f} CPU")
    print(f"ratio write_csv / construction + to_csv: {t_ours.wall / both.wall:6.2f} wall  "
          f"{t_ours.cpu / both.cpu:6.2f} CPU")

if __name__ == "__main__":
    main()
