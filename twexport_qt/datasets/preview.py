"""The first examples of a dataset exactly as they will be written, from stored tweets, before anything runs.

The wizard shows them on its preview page. They come from the builder's own steps (builder.prepare_dataset),
which also hold for a streamed csv/jsonl/txt download: the same keep, clean, scrub, quality and layout rules,
the same order (each account's tweets newest first). Since an example depends only on the tweets before it,
reading a prefix of the stored tweets gives the file's first examples; the prefix grows until it has enough.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import islice

from twexport_qt.datasets.builder import prepare_dataset
from twexport_qt.tweets.options import SPLIT_NAMES, DatasetOptions

_FIRST_READ = 200  # stored tweets read first; most accounts give 5 examples from far fewer
_GROWTH = 8


def preview_examples(conn: sqlite3.Connection, usernames: Sequence[str], options: DatasetOptions,
                     n: int = 5, *, simulated: bool) -> list[str]:
    """The first `n` entries of the dataset's (first) file, as written, without their final line break: a
    JSON line, a CSV row (quoted if it spans lines), or a txt example with its separator. With a split, the
    first entries of the train file. Fewer when the store holds fewer; [] when it holds none. Only the tweets of
    one world are read (`simulated`: the Sandbox's, else real X's)."""
    first_split = SPLIT_NAMES[0] if options.split is not None else None
    cap = max(_FIRST_READ, n * 20)
    while True:
        prepared = prepare_dataset(conn, usernames, options, simulated=simulated, tweet_cap=cap)
        chosen = list(islice((example.entry.text for example in prepared.examples if example.split == first_split),
                             n))
        if len(chosen) >= n or prepared.complete:
            return [_without_line_break(text) for text in chosen]
        cap *= _GROWTH


def _without_line_break(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text
