"""Seeded-draw helpers shared by the company model and the exports: vectorised numpy and Arrow,
no loop over deal rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def weighted(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    """``n`` category indexes drawn with the given weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def uniform_int(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One integer in [lo, hi] (inclusive) for each pair; hi below lo gives lo."""
    lo = np.asarray(lo, dtype=np.int64)
    span = np.maximum(np.asarray(hi, dtype=np.int64) - lo + 1, 1)
    return lo + np.floor(rng.random(lo.shape) * span).astype(np.int64)


def ids(prefix: str, n: int, width: int) -> pa.Array:
    """``prefix`` + zero-padded 1..n, e.g. OPP-000123."""
    width = max(width, len(str(n)))
    numbers = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width=width, padding="0"), "")


def argsort_keys(rng: np.random.Generator | None, *keys: np.ndarray) -> np.ndarray:
    """Order by non-negative integer keys (first = most significant); ties in random order with ``rng``,
    else by position.

    The keys are packed into one unique int64 when they fit, which sorts much faster than
    ``np.lexsort`` and gives the same order on every machine.
    """
    keys = tuple(np.asarray(k, dtype=np.int64) for k in keys)
    if rng is not None:
        keys = (*keys, rng.integers(0, 1 << 20, keys[0].size))
    keys = (*keys, np.arange(keys[0].size, dtype=np.int64))
    bits = [max(int(k.max(initial=0)).bit_length(), 1) for k in keys]
    if sum(bits) > 62:
        return np.lexsort(keys[::-1])
    packed = np.zeros(keys[0].size, dtype=np.int64)
    for key, width in zip(keys, bits, strict=True):
        packed = (packed << width) | key
    return np.argsort(packed)


def weekday_back(
    days: np.ndarray, weekday: np.ndarray, lowest: np.ndarray, n_days: int
) -> np.ndarray:
    """Move weekend days back to the Friday before, never below ``lowest``."""
    inside = np.clip(days, 0, n_days - 1)
    back = np.where((days >= 0) & (days < n_days), np.maximum(weekday[inside] - 4, 0), 0)
    return np.maximum(days - back, np.minimum(lowest, days))


def timestamps(
    start64: np.datetime64, days: np.ndarray, valid: np.ndarray | None = None
) -> pa.Array:
    """Day indexes from the period start as an Arrow timestamp[ms] column (invalid -> null)."""
    values = (start64 + np.asarray(days, dtype=np.int64)).astype("datetime64[ms]")
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(values, type=pa.timestamp("ms"), mask=mask)


def strings(choices: Sequence[str], codes: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Category codes as strings, null where not ``valid``."""
    return pc.if_else(
        pa.array(valid), pa.array(choices).take(pa.array(codes)), pa.scalar(None, pa.string())
    )
