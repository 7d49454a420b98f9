"""Time and memory of a dataset build from 1,000,000 stored tweets, with de-duplication and a split.

Run: python benchmarks/bench_dataset_build.py [--count N] [--format chat-jsonl] [--keep DIR]
The tweets are generated straight into a fresh SQLite database (two accounts, a third of them replies: to the
account's own earlier tweets, making threads, and to other people's tweets stored as looked-up parents), with
1% planted near duplicates (a copy with a word added) and 1% exact copies. The build then runs in a child
process, so its peak memory (ru_maxrss) is the build's alone. Goal (issue 16): <= 60 s and <= 1 GB.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twexport_qt.store.database import open_database
from twexport_qt.tweets.records import TWEETS_COLUMNS

ACCOUNTS = (("alice_writes", 101), ("bob_builds", 202))
_INSERT = f"INSERT INTO tweets ({', '.join(TWEETS_COLUMNS)}) VALUES ({', '.join('?' * len(TWEETS_COLUMNS))})"


def _sentence(rng: random.Random, vocabulary: list[str]) -> str:
    words = rng.choices(vocabulary, k=rng.randint(6, 30))
    if rng.random() < 0.05:
        words.append(f"mail me at {rng.choice(vocabulary)}@example.com or call 555-{rng.randint(100, 999)}-"
                     f"{rng.randint(1000, 9999)}")
    if rng.random() < 0.2:
        words.append(f"https://t.co/{rng.randrange(10**9):x}")
    return " ".join(words)


def generate(path: Path, count: int, seed: int = 16) -> dict[str, int]:
    """Store `count` tweets of the two accounts (plus their reply parents by others); returns what was planted."""
    rng = random.Random(seed)
    syllables = [c + v for c in "bcdfghklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    vocabulary = list({"".join(rng.choices(syllables, k=rng.choice((1, 2, 2, 3, 3, 4)))) for _ in range(80_000)})
    vocabulary.sort()
    conn = open_database(path)
    planted = {"near": 0, "exact": 0, "replies": 0}
    next_id = 1_000_000_000_000_000_000
    now = 1_700_000_000
    rows: list[tuple[object, ...]] = []
    own_recent: list[tuple[int, int]] = []  # (id, conversation id) of recent own tweets, to reply to
    texts: list[str] = []
    per_account = count // len(ACCOUNTS)
    for username, user_id in ACCOUNTS:
        for index in range(per_account):
            next_id += 1
            created = now - (per_account - index) * 60
            roll = rng.random()
            if roll < 0.01 and texts:
                text = rng.choice(texts[-5000:]) + " " + rng.choice(vocabulary)
                planted["near"] += 1
            elif roll < 0.02 and texts:
                text = rng.choice(texts[-5000:])
                planted["exact"] += 1
            else:
                text = _sentence(rng, vocabulary)
                if rng.random() < 0.1:  # numbers as tweets hold them: dates, prices, scores, years
                    text += rng.choice((" on 2024-03-22", " for $19.99", " 3-1 tonight", " since 2019", " v2.1.0"))
            texts.append(text)
            reply_to = conversation = None
            kind = rng.random()
            if kind < 0.15 and own_recent:  # a thread of the account's own
                reply_to, conversation = rng.choice(own_recent[-50:])
            elif kind < 0.33:  # a reply to someone else's tweet, stored as a looked-up parent
                next_id += 1
                parent_id = next_id
                rows.append((parent_id, 9_000 + rng.randrange(500), f"someone_{rng.randrange(500)}", created - 30,
                             _sentence(rng, vocabulary), parent_id, None, None, None, 0, "lookup", now, "en"))
                reply_to = conversation = parent_id
                next_id += 1
            tweet_id = next_id
            if reply_to is not None:
                planted["replies"] += 1
                text = f"@someone {text}"
            conversation = conversation or tweet_id
            rows.append((tweet_id, user_id, username, created, text, conversation, reply_to,
                         None, None, 0, "timeline", now, "en"))
            own_recent.append((tweet_id, conversation))
            if len(own_recent) > 1000:
                del own_recent[:500]
            if len(rows) >= 50_000:
                with conn:
                    conn.executemany(_INSERT, rows)
                rows.clear()
            if len(texts) > 10_000:
                del texts[:5000]
    with conn:
        conn.executemany(_INSERT, rows)
    conn.close()
    return planted


def build(path: Path, out: Path, output_format: str) -> None:
    """The measured part (run in a child process): one build, its figures printed."""
    from twexport_qt.datasets.builder import BuildRequest, build_dataset
    from twexport_qt.tweets.options import DatasetOptions

    options = DatasetOptions(output_format=output_format, include_replies=True, include_links=True,  # type: ignore[arg-type]
                             thread_depth=3, dedupe=True, scrub_contacts=True, split=(0.8, 0.1, 0.1), seed=7)
    conn = open_database(path)
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    started, cpu_started = time.perf_counter(), time.process_time()
    report = build_dataset(conn, BuildRequest(tuple(name for name, _ in ACCOUNTS), options, out))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # CPU seconds too: on a machine shared with other work, wall-clock time says more about the neighbours.
    print(f"build: {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU; peak memory {peak_kb / 1024:.0f} MB "
          f"({baseline_kb / 1024:.0f} MB before the build) (goal <= 60 s, <= 1024 MB)")
    print(f"read {report.tweets_read:,} stored tweets, wrote {report.examples:,} examples, "
          f"~{report.estimated_tokens:,} tokens")
    for built in report.files:
        print(f"  {built.path.name}: {built.examples:,} examples, {built.size / 1e6:.0f} MB")
    print(f"removed: {report.removed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--format", default="chat-jsonl", choices=["chat-jsonl", "text-jsonl", "csv", "jsonl", "txt"])
    parser.add_argument("--keep", type=Path, help="folder to keep the database and the files in")
    parser.add_argument("--build-only", nargs=2, type=Path, metavar=("DATABASE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build(args.build_only[0], args.build_only[1], args.format)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        database = folder / "bench.sqlite3"
        database.unlink(missing_ok=True)
        started = time.perf_counter()
        planted = generate(database, args.count)
        print(f"generated {args.count:,} tweets in {time.perf_counter() - started:.0f} s; planted {planted}")
        subprocess.run([sys.executable, __file__, "--format", args.format, "--build-only", str(database),
                        str(folder / "dataset.jsonl")], check=True)


if __name__ == "__main__":
    main()
