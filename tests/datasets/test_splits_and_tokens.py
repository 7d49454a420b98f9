from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from twexport_qt.datasets.splits import split_of, split_path, splitter
from twexport_qt.datasets.token_estimate import estimate_chat_tokens, estimate_text_tokens


def test_the_same_seed_gives_the_same_split_and_another_seed_reshuffles() -> None:
    ids = range(1_000, 3_000)
    first = [split_of(i, (0.8, 0.1, 0.1), seed=5) for i in ids]
    assert first == [split_of(i, (0.8, 0.1, 0.1), seed=5) for i in ids]
    assert first != [split_of(i, (0.8, 0.1, 0.1), seed=6) for i in ids]


def test_shares_are_met_within_sampling_error() -> None:
    counts = Counter(split_of(i, (0.7, 0.2, 0.1), seed=1) for i in range(10_000, 30_000))
    assert abs(counts["train"] / 20_000 - 0.7) < 0.02
    assert abs(counts["validation"] / 20_000 - 0.2) < 0.02
    assert abs(counts["test"] / 20_000 - 0.1) < 0.02


def test_a_zero_share_gets_nothing_and_growing_keeps_earlier_placements() -> None:
    assert {split_of(i, (0.9, 0.0, 0.1), seed=0) for i in range(5_000)} == {"train", "test"}
    # A conversation's split depends on its own id alone: adding conversations moves none of the others.
    before = {i: split_of(i, (0.8, 0.1, 0.1), seed=3) for i in range(100)}
    assert all(split_of(i, (0.8, 0.1, 0.1), seed=3) == split for i, split in before.items())


def test_split_file_names() -> None:
    assert split_path(Path("/x/alice.jsonl"), "train") == Path("/x/alice.train.jsonl")
    assert split_path(Path("/x/alice.csv"), "validation") == Path("/x/alice.validation.csv")
    assert split_path(Path("/x/alice.jsonl"), None) == Path("/x/alice.jsonl")


@pytest.mark.parametrize(("text", "tokens"), [("", 0), ("abcd", 1), ("abcde", 2), ("x" * 400, 100)])
def test_text_tokens_are_a_quarter_of_the_characters_rounded_up(text: str, tokens: int) -> None:
    assert estimate_text_tokens(text) == tokens


def test_chat_tokens_add_each_messages_role_markers() -> None:
    assert estimate_chat_tokens(["abcd", "abcdefgh"]) == (1 + 4) + (2 + 4)


@pytest.mark.parametrize(("shares", "seed"), [((0.8, 0.1, 0.1), 7), ((0.5, 0.5, 0.0), 0), ((0.0, 0.0, 1.0), 2**70)])
def test_the_builders_splitter_places_every_conversation_as_split_of_does(shares: tuple[float, float, float],
                                                                          seed: int) -> None:
    split = splitter(shares, seed)
    for conversation_id in [1, 2, 3, 2**63 - 1, *range(10**18, 10**18 + 5000)]:
        assert split(conversation_id) == split_of(conversation_id, shares, seed)
