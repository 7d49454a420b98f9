"""Counter-based deterministic randomness: a value is a pure function of (seed, stream, index).

The sandbox must produce the same follower #734,211 whether it is generated alone or inside a page, and must
never hold a million objects. A stateless SplitMix64 finaliser over a counter gives exactly that: any slice can be
generated independently (and vectorised with numpy for whole pages) with no state to carry between calls.
"""

from __future__ import annotations

import zlib

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_TWO_POW_53 = float(1 << 53)


def stream_key(seed: int, stream: str) -> int:
    """A 64-bit key for one named random stream (e.g. 'followers_count') under `seed`."""
    return mix64((seed * _GOLDEN + zlib.crc32(stream.encode())) & _MASK)


def mix64(x: int) -> int:
    """SplitMix64 finaliser on a Python int (bijective on 64 bits)."""
    x = (x + _GOLDEN) & _MASK
    x = ((x ^ (x >> 30)) * _M1) & _MASK
    x = ((x ^ (x >> 27)) * _M2) & _MASK
    return x ^ (x >> 31)


def unit(key: int, index: int) -> float:
    """Uniform float in [0, 1) for one counter value."""
    return (mix64(key ^ ((index * _GOLDEN) & _MASK)) >> 11) / _TWO_POW_53


def below(key: int, index: int, n: int) -> int:
    """Uniform int in [0, n)."""
    return int(unit(key, index) * n)


def mix64_array(x: np.ndarray) -> np.ndarray:
    """Vectorised `mix64` on a uint64 array (numpy wraps on overflow, which is what we want)."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(_GOLDEN)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(_M1)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(_M2)
        return x ^ (x >> np.uint64(31))


def unit_array(key: int, indices: np.ndarray) -> np.ndarray:
    """Vectorised `unit`: same value as `unit(key, i)` for every i in `indices`."""
    with np.errstate(over="ignore"):
        counters = np.uint64(key) ^ (indices.astype(np.uint64) * np.uint64(_GOLDEN))
    return (mix64_array(counters) >> np.uint64(11)).astype(np.float64) / _TWO_POW_53


def normal_array(key: int, indices: np.ndarray) -> np.ndarray:
    """Standard normal draws (Box-Muller over two derived streams)."""
    u1 = unit_array(key, indices)
    u2 = unit_array(mix64(key ^ 0x5EED), indices)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)
