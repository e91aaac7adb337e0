"""Full-text search over the archive's FTS5 index (title and text of root articles)."""

from __future__ import annotations

import re
import sqlite3

from archive.errors import ArchiveError
from archive.records import SearchHit

SNIPPET_TOKENS = 16
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
        found = conn.execute(
            "SELECT a.id, a.url, a.title, a.site, a.published, "
            "snippet(articles_fts, -1, ?, ?, ' … ', ?), "
            f"bm25(articles_fts, {_TITLE_WEIGHT}, 1.0) AS rank "
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
            (markers[0], markers[1], SNIPPET_TOKENS, query, limit),
        ).fetchall()
    except sqlite3.OperationalError as exc:
        raise ArchiveError(f"bad search query {query!r}: {exc}") from exc
    return [SearchHit(r[0], r[1], r[2], r[5], r[3], r[4], float(r[6])) for r in found]


def plain_query(text: str) -> str:
    """Turn free text into an FTS5 query matching all its words (no operators, no syntax)."""
    terms = _TERM_RE.findall(text)
    return " ".join(f'"{t}"' for t in terms)
