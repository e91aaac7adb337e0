"""Deduplication by content: exact hash, MinHash-LSH near duplicates, teaser copies.

Thresholds, chosen on the dedup set that ``tests/archive/test_dedup.py`` generates from the
fixture articles (8 written for the project + the 3 seed texts); Jaccard of word 3-shingles
against the original, reproduced by ``pytest tests/archive/test_dedup.py -s -k table``:

=====================================  ==================
variant                                Jaccard min … max
=====================================  ==================
6 words edited                         0.81 … 0.97
other chrome (ad, related, footer)     0.87 … 0.98
other byline and credit line           0.93 … 0.99
middle paragraph dropped               0.75 … 0.96
trailing paragraph cut                 0.82 … 0.98
teaser (first paragraph + "read more") 0.02 … 0.17
distinct write-ups of one story        0.00 … 0.07
=====================================  ==================

:data:`NEAR_JACCARD` = 0.5 sits in the middle of the empty gap (0.07 … 0.75); the LSH
finds a pair at J = 0.5 with probability 0.80, at J ≥ 0.75 with 0.9996 (see
:mod:`archive.minhash`).

Teasers cannot be linked by Jaccard; they are matched by the hash of their first
:data:`~archive.identity.LEAD_WORDS` words and linked when at least
:data:`TEASER_CONTAINMENT` of the shorter text's shingles occur in the longer one (teasers
measured 0.73–0.88; the most contained distinct pair 0.29). A teaser never replaces its
article: whichever arrives first, the full text ends up the root and the teaser points at it.
A lead paragraph shorter than LEAD_WORDS words gives no lead hash: such teasers stay separate.
"""

from __future__ import annotations

import hashlib
import sqlite3
from array import array
from collections import OrderedDict
from dataclasses import dataclass

from archive import minhash
from archive.identity import (
    containment,
    jaccard,
    lead_hash,
    normalise_text,
    shingle_hashes,
    tokenize,
    words,
)

NEAR_JACCARD = 0.5
TEASER_CONTAINMENT = 0.6
MAX_CANDIDATES = 8  # a few most-banded candidates; verified exactly one by one
CACHED_TEXTS = 1024  # shingle sets kept by ShingleCache (~4 KB each for a 500-word text)


@dataclass(frozen=True)
class Fingerprint:
    """Everything dedup needs about one text, computed once per store."""

    content_hash: str
    shingles: frozenset[int]
    band_keys: tuple[int, ...]
    lead_hash: str | None


@dataclass(frozen=True)
class Match:
    """An archived root article the new text duplicates."""

    article_id: int  # the root (never itself a duplicate)
    kind: str  # exact | near | teaser
    similarity: float
    site: str | None = None
    new_is_longer: bool = False  # teaser case: the archived one is the teaser


def find_exact(conn: sqlite3.Connection, fp: Fingerprint) -> Match | None:
    """The root of the first article holding exactly this normalised text."""
    row = conn.execute(
        "SELECT id, duplicate_of FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1",
        (fp.content_hash,),
    ).fetchone()
    if row is None:
        return None
    root = int(row[1] if row[1] is not None else row[0])
    site = conn.execute("SELECT site FROM articles WHERE id = ?", (root,)).fetchone()[0]
    return Match(root, "exact", 1.0, site)


class ShingleCache:
    """Shingle sets of recently verified archived texts, least recently used dropped first.

    Verifying a candidate means shingling its stored text again (~0.3 ms for 600 words),
    and the same roots come up as candidates over and over (wire stories, a site's stock
    paragraphs). Entries are keyed by article id *and* content hash, so a root whose text
    changed is shingled afresh; each is a sorted ``array('Q')``, a tenth of a set's size.
    """

    def __init__(self, size: int = CACHED_TEXTS) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, str], array[int]] = OrderedDict()
        self.hits = self.misses = 0

    def shingles(self, conn: sqlite3.Connection, ids: list[int]) -> list[tuple[int, array[int]]]:
        """``(id, shingles)`` of the archived articles ``ids``, in that order."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        hashes = dict(
            conn.execute(
                f"SELECT id, content_hash FROM articles WHERE id IN ({marks})", ids
            ).fetchall()
        )
        missing = [i for i in ids if i in hashes and (i, hashes[i]) not in self._entries]
        self.hits += len(hashes) - len(missing)
        self.misses += len(missing)
        fresh = {
            i: array("Q", sorted(shingle_hashes(words(text)))) for i, text in _texts(conn, missing)
        }
        found = []
        for i in ids:  # hits are read before any insertion can evict them
            if i in hashes:
                key = (i, hashes[i])
                if i in fresh:
                    found.append((i, fresh[i]))
                else:
                    self._entries.move_to_end(key)
                    found.append((i, self._entries[key]))
        for i, value in fresh.items():
            self._put((i, hashes[i]), value)
        return found

    def remember(self, article_id: int, fp: Fingerprint) -> None:
        """Cache a root just stored: later candidates verify against it without re-shingling.

        Keyed by content hash too, so an entry left by a transaction that was rolled back
        can only ever match the same text, whose shingles these are.
        """
        self._put((article_id, fp.content_hash), array("Q", sorted(fp.shingles)))

    def _put(self, key: tuple[int, str], value: array[int]) -> None:
        if self.size <= 0:
            return
        self._entries[key] = value
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


def find_near(
    conn: sqlite3.Connection, fp: Fingerprint, cache: ShingleCache | None = None
) -> Match | None:
    """The most similar root sharing an LSH band, if its Jaccard reaches NEAR_JACCARD."""
    if not fp.band_keys:
        return None
    marks = ",".join("?" * len(fp.band_keys))
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT article_id FROM minhash_bands WHERE band_key IN ({marks}) "
            "GROUP BY article_id ORDER BY count(*) DESC, article_id LIMIT ?",
            (*fp.band_keys, MAX_CANDIDATES),
        )
    ]
    best: Match | None = None
    for article_id, other in (cache or ShingleCache(0)).shingles(conn, ids):
        score = jaccard(fp.shingles, other)
        if score >= NEAR_JACCARD and (best is None or score > best.similarity):
            best = Match(article_id, "near", score)
    return best


def find_teaser(
    conn: sqlite3.Connection, fp: Fingerprint, cache: ShingleCache | None = None
) -> Match | None:
    """A root with the same opening words of which one text is a teaser of the other."""
    if fp.lead_hash is None:
        return None
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM articles WHERE lead_hash = ? AND duplicate_of IS NULL "
            "ORDER BY id LIMIT ?",
            (fp.lead_hash, MAX_CANDIDATES),
        )
    ]
    for article_id, other in (cache or ShingleCache(0)).shingles(conn, ids):
        score = containment(fp.shingles, other)
        if score >= TEASER_CONTAINMENT:
            return Match(article_id, "teaser", score, new_is_longer=len(fp.shingles) > len(other))
    return None


def _texts(conn: sqlite3.Connection, ids: list[int]) -> list[tuple[int, str]]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", ids).fetchall()
    order = {article_id: i for i, article_id in enumerate(ids)}
    return sorted(((int(r[0]), str(r[1])) for r in rows), key=lambda r: order[r[0]])


def fingerprint(text: str) -> Fingerprint:
    """Hash, shingles, LSH band keys and lead hash of one text."""
    norm = normalise_text(text)
    tokens = tokenize(norm)
    shingles = shingle_hashes(tokens)
    return Fingerprint(
        content_hash=hashlib.sha256(norm.encode("utf-8")).hexdigest(),
        shingles=frozenset(shingles),
        band_keys=tuple(minhash.band_keys(minhash.sketch(shingles))),
        lead_hash=lead_hash(tokens),
    )
