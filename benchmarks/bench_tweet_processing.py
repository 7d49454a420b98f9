"""Throughput of tweet cleaning and sentiment labelling on 100,000 generated, realistic tweets.

Run: python benchmarks/bench_tweet_processing.py [--count N]
Prints tweets/s for cleaning only, sentiment (5 categories) only, and both, as a download job does them,
per CPU second and per wall-clock second.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twexport_qt.tweets.cleaning import clean_text
from twexport_qt.tweets.sentiment import SentimentLabeler

_OPENERS = ["Just shipped", "Can't believe", "Honestly,", "Hot take:", "Reminder:", "Today I learned", "Ugh,", "Wow"]
_BODIES = [
    "the new release is fast &amp; stable",
    "this meeting could have been an email",
    "our team hit 10k users 🎉🎉",
    "the train is late again and I'm so tired of it",
    "writing tests first saves so much time",
    "coffee &gt; tea, fight me ☕",
    "nobody reads the docs &lt;3",
    "what a terrible, awful day",
    "I love how simple this turned out",
    "the weather is fine I guess",
]
_TAILS = [
    "", " #buildinpublic", " #python #dev", " https://t.co/AbCdEf1234", " pic.twitter.com/Zx9Yq1Ab",
    " via @techcrunch", "\n\nThread below 👇", " &quot;ship it&quot;", " (1/3)",
]


def generate_tweets(count: int, seed: int = 2024) -> list[tuple[str, bool]]:
    """(raw text, is_reply) pairs shaped like X API text: entities escaped, t.co links, reply prefixes."""
    rng = random.Random(seed)
    tweets = []
    for _ in range(count):
        is_reply = rng.random() < 0.3
        prefix = " ".join(f"@user_{rng.randrange(1000)}" for _ in range(rng.randint(1, 3))) + " " if is_reply else ""
        sentences = " ".join(f"{rng.choice(_OPENERS)} {rng.choice(_BODIES)}." for _ in range(rng.randint(1, 3)))
        tweets.append((prefix + sentences + rng.choice(_TAILS) + rng.choice(_TAILS), is_reply))
    return tweets


def measure(name: str, count: int, work: Callable[[], object]) -> None:
    # CPU time is the headline figure: it stays meaningful on a busy machine, where wall time does not.
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    work()
    cpu, wall = time.process_time() - cpu_started, time.perf_counter() - wall_started
    print(f"{name:<22} {count / cpu:>9,.0f} tweets/s CPU   {count / wall:>9,.0f} tweets/s wall   ({wall:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    count = parser.parse_args().count

    tweets = generate_tweets(count)
    cleaned = [clean_text(text, strip_usertags=True, strip_hashtags=True, is_reply=reply) for text, reply in tweets]
    labeler = SentimentLabeler(5)
    labeler.label("warm up")  # lexicon load (one-off per job) is not throughput

    print(f"Python {sys.version.split()[0]}, {count:,} generated tweets")
    measure(
        "clean only",
        count,
        lambda: [clean_text(t, strip_usertags=True, strip_hashtags=True, is_reply=r) for t, r in tweets],
    )
    measure("sentiment only (5)", count, lambda: [labeler.label(text) for text in cleaned])
    measure(
        "clean + sentiment (5)",
        count,
        lambda: [
            labeler.label(clean_text(t, strip_usertags=True, strip_hashtags=True, is_reply=r)) for t, r in tweets
        ],
    )


if __name__ == "__main__":
    main()
