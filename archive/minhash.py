"""MinHash sketch and LSH band keys: the sub-linear candidate search for near duplicates.

One-permutation MinHash (Li, Owen & Zhang 2012): each shingle is hashed once; the hash picks
one of :data:`BINS` bins (multiply-shift on its value) and the bin keeps its minimum. Two
texts share a bin's minimum with probability close to their Jaccard similarity J. The bins
are cut into :data:`BANDS` bands of :data:`ROWS` rows; a band's rows hash to one key stored in
an indexed table, so finding candidates is one index probe per band whatever the archive
size. A pair becomes a candidate with probability ``1 - (1 - J**ROWS) ** BANDS``: 0.80 at
J = 0.5, 0.994 at J = 0.7 and 0.9996 at J = 0.75 (the lowest near-duplicate measured),
0.01 at J = 0.1. Candidates are then verified exactly
(:func:`archive.identity.jaccard`), so the bands only decide recall, never a merge.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

ROWS = 3
BANDS = 12  # each band is one random B-tree insert per commit, so few bands
BINS = ROWS * BANDS  # every bin feeds a band: no shingle is hashed into an unused bin
_MASK64 = (1 << 64) - 1
_EMPTY = 1 << 64  # larger than any 64-bit hash: marks a bin no shingle fell into
# A hash h falls in bin (h * BINS) >> 64, which never decreases as h grows: bin b holds the
# hashes from _STARTS[b] up to _STARTS[b + 1] - 1.
_STARTS = [-((-b << 64) // BINS) for b in range(BINS + 1)]


def sketch(shingles: Iterable[int]) -> list[int]:
    """The :data:`BINS` bin minima of a set of unsigned 64-bit shingle hashes.

    Empty bins hold a sentinel. After one C-speed sort each bin's minimum is the first hash
    at or above the bin's start: BINS bisections instead of a Python loop over shingles.
    """
    ordered = sorted(shingles)
    ordered.append(_EMPTY)  # bisecting past the last hash finds the sentinel
    mins = [ordered[bisect_left(ordered, start)] for start in _STARTS[:-1]]
    return [m if m < end else _EMPTY for m, end in zip(mins, _STARTS[1:], strict=True)]


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
