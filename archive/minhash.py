"""MinHash sketch and LSH band keys: the sub-linear candidate search for near duplicates.

One-permutation MinHash (Li, Owen & Zhang 2012): each shingle hash is hashed once; its top
6 bits pick one of 64 bins and the rest is its value; a bin keeps its minimum. Two texts
share a bin's minimum with probability close to their Jaccard similarity J. The 64 bins are
cut into :data:`BANDS` bands of :data:`ROWS` rows; a band's rows hash to one key stored in
an indexed table, so finding candidates is one index probe per band whatever the archive
size. A pair becomes a candidate with probability ``1 - (1 - J**ROWS) ** BANDS``: 0.80 at
J = 0.5, 0.994 at J = 0.7 and 0.9996 at J = 0.75 (the lowest near-duplicate measured),
0.01 at J = 0.1. Candidates are then verified exactly
(:func:`archive.identity.jaccard`), so the bands only decide recall, never a merge.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

BINS = 64
ROWS = 3
BANDS = 12  # bins 0..35; each band is one random B-tree insert per commit, so few bands
_BIN_SHIFT = 58
_VALUE_MASK = (1 << _BIN_SHIFT) - 1
_MASK64 = (1 << 64) - 1
_EMPTY = _VALUE_MASK + 1  # larger than any value: marks a bin no shingle fell into


def sketch(shingles: Iterable[int]) -> list[int]:
    """The 64 bin minima of a shingle-hash set (empty bins hold a sentinel).

    The bin is the top 6 bits, so after one C-speed sort each bin's minimum is the first
    hash at or above the bin's start: 64 bisections instead of a Python loop over shingles.
    """
    ordered = sorted(shingles)
    n = len(ordered)
    mins = []
    for b in range(BINS):
        i = bisect_left(ordered, b << _BIN_SHIFT)
        h = ordered[i] if i < n else -1
        mins.append(h & _VALUE_MASK if h >> _BIN_SHIFT == b else _EMPTY)
    return mins


def band_keys(mins: list[int]) -> list[int]:
    """Signed 64-bit keys (SQLite INTEGER) of the bands whose rows are all filled.

    A band with an empty bin is skipped: short texts (teasers) have empty bins, and an
    empty bin would make unrelated short texts collide.
    """
    keys = []
    for band in range(BANDS):
        rows = mins[band * ROWS : (band + 1) * ROWS]
        if _EMPTY in rows:
            continue
        k = band + 1
        for v in rows:
            k = ((k * 0x9E3779B97F4A7C15) ^ v) & _MASK64
        k = (k ^ (k >> 31)) * 0xBF58476D1CE4E5B9 & _MASK64
        keys.append(k - (1 << 64) if k >> 63 else k)
    return keys


def candidate_probability(j: float) -> float:
    """Probability that a pair with Jaccard ``j`` shares at least one band."""
    return 1.0 - (1.0 - j**ROWS) ** BANDS
