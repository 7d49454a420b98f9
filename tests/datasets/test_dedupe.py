from __future__ import annotations

import random

import numpy as np

from twexport_qt.datasets.dedupe import (
    NUM_PERM,
    find_duplicates,
    lsh_parameters,
    minhash_signatures,
    near_duplicate_indexes,
)
from twexport_qt.tweets.cleaning import RemovalReason

EXACT, NEAR = RemovalReason.EXACT_DUPLICATE, RemovalReason.NEAR_DUPLICATE


def _random_texts(count: int, seed: int = 3, shortest: int = 15) -> list[str]:
    rng = random.Random(seed)
    words = [f"w{index}" for index in range(20_000)]
    return [" ".join(rng.choices(words, k=rng.randint(shortest, 25))) for _ in range(count)]


def test_exact_duplicates_ignore_case_and_spacing_and_the_first_copy_stays() -> None:
    texts = ["Hello there, friend", "hello  there, FRIEND", "something else entirely now", "Hello there, friend"]
    assert find_duplicates(texts, near_threshold=None) == [None, EXACT, None, EXACT]


def test_planted_near_duplicates_are_found_and_distinct_texts_kept() -> None:
    texts = _random_texts(3000)
    planted = {}
    # A copy with one word added, or its last word changed: 0.86 similar or more at 15+ words.
    for index in range(3000, 3100):
        original = texts[index - 3000]
        texts.append(original + " indeed" if index % 2 else original.rsplit(" ", 1)[0] + " changed")
        planted[index] = index - 3000
    reasons = find_duplicates(texts, near_threshold=0.8)
    found = {index for index, reason in enumerate(reasons) if reason is NEAR}
    assert found <= set(planted), "no distinct text is taken for a near duplicate"
    assert len(found) >= 95, f"most planted near duplicates are found: {len(found)} of 100"
    assert all(reasons[index] is None for index in range(3000))


def test_threshold_decides_what_counts_as_near() -> None:
    base = "the quick brown fox jumps over the lazy dog near the river bank today"
    variant = base + " again and again"  # about 0.75 similar in 3-word shingles
    assert find_duplicates([base, variant], near_threshold=0.6) == [None, NEAR]
    assert find_duplicates([base, variant], near_threshold=0.95) == [None, None]


def test_a_result_depends_only_on_earlier_texts() -> None:
    texts = _random_texts(500) + [t + " yes" for t in _random_texts(50)]
    full = find_duplicates(texts, near_threshold=0.8)
    assert find_duplicates(texts[:520], near_threshold=0.8) == full[:520]


def test_signatures_are_deterministic_and_texts_without_words_match_nothing() -> None:
    texts = ["a b c d e", "!!!", "???", "x", "café au lait, s'il vous plaît 🎉"]
    first, second = minhash_signatures(texts), minhash_signatures(list(texts))
    assert first.shape == (5, NUM_PERM) and np.array_equal(first, second)
    assert near_duplicate_indexes(["!!!", "???", "...", "!!!!"], 0.5) == []


def test_lsh_parameters_fit_the_signature_and_the_threshold() -> None:
    for threshold in (0.5, 0.8, 0.95):
        parameters = lsh_parameters(threshold)
        assert parameters.bands * parameters.rows <= NUM_PERM
        # the S-curve's midpoint sits near the threshold
        midpoint = (1 / parameters.bands) ** (1 / parameters.rows)
        assert abs(midpoint - threshold) < 0.15


def test_texts_without_words_never_match_across_batches() -> None:
    """The band keys are hashed a batch at a time: two word-less texts at the same place of two batches must
    still get different signatures (they did not when the signature was seeded by the place)."""
    from twexport_qt.datasets import dedupe

    batch = dedupe._BATCH_TEXTS
    texts = [f"filler text number {i} with words" for i in range(2 * batch)]
    texts[5], texts[batch + 5] = "!!!", "???"
    keys = dedupe.lsh_band_keys(texts, 0.8)
    assert not np.any(keys[5] == keys[batch + 5])
    assert not np.array_equal(minhash_signatures(["!!!"]), minhash_signatures(["???"]))
