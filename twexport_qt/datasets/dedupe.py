"""Find exact and near-duplicate texts, so a dataset does not teach a model the same tweet twice.

Exact: the same text once lower-cased and with spacing collapsed. Near: MinHash signatures over word shingles
(runs of `SHINGLE_WORDS` words) estimate the Jaccard similarity of two texts' shingle sets; locality-sensitive
hashing (LSH: the signature cut into bands, texts sharing a band's values are candidates) finds the pairs worth
comparing without comparing every pair, and a candidate counts as a duplicate when its estimated similarity
reaches the threshold. In each group the FIRST text stays (the builder passes the newest tweets first).

Why not a library: `datasketch` needs SciPy (tens of MB in the packaged app, issue 17) and hashes one text at
a time in Python; the ~100 lines below use numpy (already a dependency) on batches of texts, which keeps a
million tweets within seconds. The hashes are deterministic (polynomial hashes of the words' bytes, fixed
permutations), so the same tweets always give the same result, whatever the process's hash seed.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from twexport_qt.tweets.cleaning import RemovalReason

NUM_PERM = 64  # signature length: the similarity estimate's standard error is about 0.05 at 0.8
SHINGLE_WORDS = 3  # a tweet is short: 3-word shingles still notice a changed word, unlike bags of words
_BATCH_TEXTS = 2048  # texts hashed per numpy batch: bounds the (NUM_PERM x shingles) matrix to ~30 MB
_FALSE_POSITIVE_WEIGHT, _FALSE_NEGATIVE_WEIGHT = 0.1, 0.9
_SEPARATOR = "\x00"  # between the texts of a batch: no tweet holds a NUL character
_SCATTER = np.random.default_rng(7).integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_BYTE_BASE = 0x100000001B3  # odd, so invertible modulo 2**64 (the FNV prime)
_WORD_BYTES = np.array([chr(byte).isalnum() or byte == ord("_") or byte >= 0x80 for byte in range(256)])
_PERMUTATION_SEED = 20_240_322  # fixed: results must not depend on anything but the texts
_SHINGLE_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)

U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class LshParameters:
    """How a signature is cut for LSH: `bands` bands of `rows` values each (bands * rows <= NUM_PERM)."""

    bands: int
    rows: int


def normalized(text: str) -> str:
    """The form two texts must share to be exact duplicates: lower case, single spaces."""
    return " ".join(text.lower().split())


def find_duplicates(texts: Sequence[str], *, near_threshold: float | None) -> list[RemovalReason | None]:
    """For each text: EXACT_DUPLICATE or NEAR_DUPLICATE of an earlier one, or None to keep it.

    `near_threshold` None looks for exact duplicates only. Earlier texts win, so the result for a text depends
    only on the texts before it (a preview of the first examples matches the full build).
    """
    reasons: list[RemovalReason | None] = [None] * len(texts)
    # Hashes of the normalized texts (a fifth of the memory of the texts), `normalized` spelled as a chain of
    # maps so no Python frame runs per text; a text is unique when it is the first with its hash.
    keys = np.fromiter(map(hash, map(" ".join, map(str.split, map(str.lower, texts)))), dtype=np.int64,
                       count=len(texts))
    _, firsts = np.unique(keys, return_index=True)
    del keys
    is_first = np.zeros(len(texts), dtype=bool)
    is_first[firsts] = True
    for position in np.flatnonzero(~is_first).tolist():
        reasons[position] = RemovalReason.EXACT_DUPLICATE
    unique_positions: list[int] = np.flatnonzero(is_first).tolist()
    if near_threshold is None or len(unique_positions) < 2:
        return reasons
    unique_texts = [texts[position] for position in unique_positions]
    for index in near_duplicate_indexes(unique_texts, near_threshold):
        reasons[unique_positions[index]] = RemovalReason.NEAR_DUPLICATE
    return reasons


def minhash_signatures(texts: Sequence[str]) -> U32Array:
    """One NUM_PERM-long MinHash signature per text (rows), over its word shingles. A text without a single
    word (only ASCII punctuation) gets a signature of its own that matches no other."""
    signatures = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    multipliers, offsets = _permutations()
    for start in range(0, len(texts), _BATCH_TEXTS):
        batch = texts[start:start + _BATCH_TEXTS]
        shingles, owners = _shingle_hashes(batch)
        # Multiply-shift hashing: the top 32 bits of a*x+b (mod 2^64) form a universal family of permutations.
        # One permutation per row, shingles along the row: reduceat then runs over contiguous memory (3x faster
        # than the transposed layout), and in-place steps spare the expression's temporaries.
        # The shift is taken after the minimum (the top bits of the smallest value are the smallest top bits):
        # one pass over the matrix fewer.
        hashed = np.multiply(multipliers[:, None], shingles[None, :])
        np.add(hashed, offsets[:, None], out=hashed)
        block = signatures[start:start + len(batch)]
        if len(owners):
            firsts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
            block[owners[firsts]] = (np.minimum.reduceat(hashed, firsts, axis=1) >> np.uint64(32)).T
        has_words = np.zeros(len(batch), dtype=bool)
        has_words[owners] = True
        wordless = np.flatnonzero(~has_words)
        for index in wordless:  # values of its own, scattered: no band of it will match another signature's
            # Seeded by the text itself, not its place: callers hash slices and subsets, where places repeat.
            seed = np.uint64(zlib.crc32(batch[int(index)].encode("utf-8")) * 0x85EBCA77 + 1)
            block[index] = ((_SCATTER * seed) >> np.uint64(32)).astype(np.uint32)
    return signatures


def near_duplicate_indexes(texts: Sequence[str], threshold: float) -> list[int]:
    """Indexes of texts whose estimated similarity to an earlier text sharing an LSH band reaches `threshold`.

    Only the band keys of all texts are held (8 bytes per band and text, not the 256 bytes of a signature);
    the signatures of the few candidate pairs are computed again to compare them.
    """
    keys = lsh_band_keys(texts, threshold)
    indexes = np.arange(len(texts))
    pairs: set[tuple[int, int]] = set()
    for band in range(keys.shape[1]):
        _, first_index, inverse = np.unique(keys[:, band], return_index=True, return_inverse=True)
        partner = first_index[inverse.reshape(-1)]
        later = np.flatnonzero(partner != indexes)
        pairs.update(zip(later.tolist(), partner[later].tolist(), strict=True))
    if not pairs:
        return []
    involved = sorted({index for pair in pairs for index in pair})
    row_of = {index: row for row, index in enumerate(involved)}
    signatures = minhash_signatures([texts[index] for index in involved])
    duplicates = set()
    for later_index, earlier_index in pairs:
        agreement = np.count_nonzero(signatures[row_of[later_index]] == signatures[row_of[earlier_index]])
        if agreement >= threshold * NUM_PERM:
            duplicates.add(later_index)
    return sorted(duplicates)


def lsh_band_keys(texts: Sequence[str], threshold: float) -> U64Array:
    """One 64-bit key per LSH band (columns) and text (rows): texts sharing a key in a band are candidates."""
    parameters = lsh_parameters(threshold)
    band_multipliers = np.random.default_rng(_PERMUTATION_SEED + 1).integers(
        1, 2**63, size=parameters.rows, dtype=np.uint64) | np.uint64(1)
    keys = np.empty((len(texts), parameters.bands), dtype=np.uint64)
    for start in range(0, len(texts), _BATCH_TEXTS):
        signatures = minhash_signatures(texts[start:start + _BATCH_TEXTS])
        banded = signatures[:, :parameters.bands * parameters.rows].reshape(len(signatures), parameters.bands,
                                                                            parameters.rows)
        # Summed row by row (uint32 * uint64 -> uint64, wrapping as the sum does): a sum over a short inner axis
        # is numpy's slow case.
        block = keys[start:start + len(signatures)]
        np.multiply(banded[:, :, 0], band_multipliers[0], out=block)
        for row in range(1, parameters.rows):
            block += banded[:, :, row] * band_multipliers[row]
    return keys


@lru_cache(maxsize=32)
def lsh_parameters(threshold: float) -> LshParameters:
    """The bands and rows that best separate pairs above `threshold` from those below, integrated numerically
    as datasketch does, but with a missed duplicate weighing 9 times a needless comparison: every candidate is
    verified on its signature, so a false candidate costs a comparison, a missed one a duplicate left in."""
    similarities = np.linspace(0.0, 1.0, 201)
    best: tuple[float, LshParameters] | None = None
    for bands in range(1, NUM_PERM + 1):
        for rows in range(1, NUM_PERM // bands + 1):
            candidate = 1 - (1 - similarities ** rows) ** bands
            false_positive = np.trapezoid(np.where(similarities < threshold, candidate, 0.0), similarities)
            false_negative = np.trapezoid(np.where(similarities >= threshold, 1 - candidate, 0.0), similarities)
            error = float(_FALSE_POSITIVE_WEIGHT * false_positive + _FALSE_NEGATIVE_WEIGHT * false_negative)
            if best is None or error < best[0]:
                best = (error, LshParameters(bands, rows))
    assert best is not None
    return best[1]


@lru_cache(maxsize=1)
def _permutations() -> tuple[U64Array, U64Array]:
    rng = np.random.default_rng(_PERMUTATION_SEED)
    multipliers = rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    offsets = rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
    return multipliers, offsets


def _shingle_hashes(texts: Sequence[str]) -> tuple[U64Array, npt.NDArray[np.intp]]:
    """64-bit hashes of every text's shingles, flat, and the text (0-based in `texts`) each belongs to.

    Vectorised over the UTF-8 bytes of the whole batch, since a Python loop over words cost more than all the
    rest of a build: a word is a run of ASCII letters, digits, "_" or any non-ASCII byte (letters of other
    scripts, emoji), its hash a polynomial over its bytes taken from prefix sums. A text of one or two words
    is one shingle.
    """
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != max(0, len(texts) - 1):  # a text holding the separator: never in a tweet
        joined = _SEPARATOR.join(text.replace(_SEPARATOR, " ") for text in texts)
    data = np.frombuffer(joined.lower().encode("utf-8"), dtype=np.uint8)
    text_of_byte = np.cumsum(data == ord(_SEPARATOR), dtype=np.intp)
    in_word = _WORD_BYTES[data]
    edges = np.diff(np.r_[np.int8(0), in_word.view(np.int8), np.int8(0)])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    powers, inverse_powers = _byte_powers(len(data))
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum(data.astype(np.uint64) * powers, out=prefix[1:])
    words = (prefix[ends] - prefix[starts]) * inverse_powers[starts]
    owners_of_words = text_of_byte[starts]
    padded = np.r_[words, np.zeros(SHINGLE_WORDS - 1, dtype=np.uint64)]
    padded_owners = np.r_[owners_of_words, np.full(SHINGLE_WORDS - 1, -1, dtype=np.intp)]
    shingles = np.zeros(len(words), dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        same_text = padded_owners[offset:offset + len(words)] == owners_of_words
        shingles += np.where(same_text, padded[offset:offset + len(words)], np.uint64(0)) * _SHINGLE_MULTIPLIERS[offset]
    # A shingle starts at every word with SHINGLE_WORDS - 1 words after it in its text, and at the first word
    # of a text too short for one.
    full = padded_owners[SHINGLE_WORDS - 1:SHINGLE_WORDS - 1 + len(words)] == owners_of_words
    first_of_text = np.r_[True, owners_of_words[1:] != owners_of_words[:-1]] if len(words) else full
    counts = np.bincount(owners_of_words, minlength=len(texts))
    short = first_of_text & (counts[owners_of_words] < SHINGLE_WORDS)
    keep = full | short
    return shingles[keep], owners_of_words[keep]


@lru_cache(maxsize=1)
def _power_table(size: int) -> tuple[U64Array, U64Array]:
    base = np.full(size, _BYTE_BASE, dtype=np.uint64)
    base[0] = 1
    inverse = np.full(size, pow(_BYTE_BASE, -1, 1 << 64), dtype=np.uint64)
    inverse[0] = 1
    return np.cumprod(base, dtype=np.uint64), np.cumprod(inverse, dtype=np.uint64)


def _byte_powers(size: int) -> tuple[U64Array, U64Array]:
    """BASE**i and BASE**-i modulo 2**64 for i < size (grown by doubling, so a few tables serve every batch)."""
    table_size = 1 << max(16, (size - 1).bit_length())
    powers, inverse_powers = _power_table(table_size)
    return powers[:size], inverse_powers[:size]
