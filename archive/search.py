"""Full-text search over the archive's FTS5 index (title and text of root articles).

Ranking is bounded: bm25 is computed for the newest :data:`RANK_WINDOW` matches only (FTS5
walks its doclists in rowid order, and a newer article has a larger id), and the best of
those are returned. A rare term or a phrase matches fewer articles than that, so its hits
are exactly the best-ranked; a very common term on a large archive gets the best-ranked of
its newest matches instead of a sort over hundreds of thousands of rows. bm25's idf still
counts every match of each term once per query, which FTS5 does by walking the doclist.
"""

from __future__ import annotations

import re
import sqlite3

from archive.errors import ArchiveError
from archive.records import SearchHit

SNIPPET_TOKENS = 16
RANK_WINDOW = 2_000  # ~10 ms of bm25 at most; see the module docstring
_TITLE_WEIGHT = 4.0  # a term in the headline says more than one in the body (bm25 weights)
_TERM_RE = re.compile(r"\w+", re.UNICODE)


def search_fts(
    conn: sqlite3.Connection,
    query: str,
    *,
    limit: int = 20,
    label: str = "archive",
    markers: tuple[str, str] = ("[", "]"),
) -> list[SearchHit]:
    """Run an FTS5 query; bad syntax is a one-line ArchiveError, not a traceback."""
    if not query.strip():
        raise ArchiveError("empty search query")
    try:
        ranked = conn.execute(
            "SELECT id, rank FROM ("
            f"SELECT rowid AS id, bm25(articles_fts, {_TITLE_WEIGHT}, 1.0) AS rank "
            "FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
            ") ORDER BY rank, id DESC LIMIT ?",
            (query, RANK_WINDOW, limit),
        ).fetchall()
        return [_hit(conn, query, article_id, rank, markers) for article_id, rank in ranked]
    except sqlite3.OperationalError as exc:
        raise ArchiveError(f"bad search query {query!r}: {exc}") from exc


def _hit(
    conn: sqlite3.Connection, query: str, article_id: int, rank: float, markers: tuple[str, str]
) -> SearchHit:
    """Snippet and metadata of one ranked hit (snippets only for the hits returned)."""
    row = conn.execute(
        "SELECT a.url, a.title, a.site, a.published, snippet(articles_fts, -1, ?, ?, ' … ', ?) "
        "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        "WHERE articles_fts MATCH ? AND articles_fts.rowid = ?",
        (markers[0], markers[1], SNIPPET_TOKENS, query, article_id),
    ).fetchone()
    return SearchHit(article_id, row[0], row[1], row[4], row[2], row[3], float(rank))


def plain_query(text: str) -> str:
    """Turn free text into an FTS5 query matching all its words (no operators, no syntax)."""
    terms = _TERM_RE.findall(text)
    return " ".join(f'"{t}"' for t in terms)
