"""The archive's articles: storing (with dedup), re-extraction, search and stored pages.

Reached as ``archive.articles``. Storing is the hot path: its SQL is written out in
:mod:`archive.intake` and :mod:`archive.rows`, not built by sqlite-utils per call.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from archive import dedup, rows
from archive.checkpoint import Checkpointer
from archive.connection import BUSY_TIMEOUT_MS, transaction, translated
from archive.intake import reextracted, store
from archive.records import ArticleRecord, PagePart, RawPage, SearchHit, StoreResult
from archive.search import search_fts

_RAW_PAGES = (
    # A join sqlite-utils' rows_where cannot express; keyset pages (article_id > ?), not one
    # open cursor, because the caller writes between pages.
    "SELECT r.article_id, r.url, r.compression, r.body, r.content_type, "
    "r.extractor_version, r.fetched_at, r.http_status, a.site, a.pages FROM raw_pages r "
    "JOIN articles a ON a.id = r.article_id WHERE r.article_id > ? "
    "ORDER BY r.article_id LIMIT ?"
)


class Articles:
    """Articles, their URLs, versions and raw pages; the only part that runs dedup."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.conn = db.conn
        self.path = path
        self._checkpointer: Checkpointer | None = None
        self._shingles = dedup.ShingleCache()  # candidates' shingles, for verification

    def close(self) -> None:
        """Stop the checkpoint thread, if a write started one (idempotent)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None

    def _writing(self) -> None:
        """Start the background checkpointer on the first article write (readers need none)."""
        if self._checkpointer is None:
            self._checkpointer = Checkpointer(self.path, BUSY_TIMEOUT_MS)
        else:
            self.rewind_wal()

    def rewind_wal(self) -> None:
        """Between transactions, copy the few WAL pages left so the next BEGIN rewinds it.

        Not inside a transaction: a checkpoint there fails ("database table is locked").
        """
        if (
            self._checkpointer is not None
            and not self.conn.in_transaction
            and self._checkpointer.rewind_due()
        ):
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    @translated
    def store(
        self,
        record: ArticleRecord,
        *,
        run_id: int | None = None,
        fingerprint: dedup.Fingerprint | None = None,
    ) -> StoreResult:
        """Store one article in one transaction, deciding new/updated/unchanged/duplicate.

        ``fingerprint`` is ``archive.fingerprint(record.text)`` when the caller has
        already worked it out (the crawl does, in its extraction workers, so the single
        writer only looks things up); without it the archive computes it here.
        """
        fp = fingerprint if fingerprint is not None else dedup.fingerprint(record.text)
        self._writing()
        with transaction(self.conn) as conn:
            return store(conn, record, fp, run_id=run_id, cache=self._shingles)

    @translated
    def store_many(
        self,
        records: Sequence[ArticleRecord],
        *,
        run_id: int | None = None,
        fingerprints: Sequence[dedup.Fingerprint] | None = None,
    ) -> list[StoreResult]:
        """Store a batch in one transaction: all of it or none of it lands.

        The crawl's group commit and bulk imports use it: one commit, one FTS5 flush and
        one write of each touched index page for the whole batch (see BENCHMARKS.md).
        Records are decided in order, so a later one sees the earlier ones as archived.
        ``fingerprints``, if given, are those of the records' texts, in order.
        """
        if fingerprints is not None and len(fingerprints) != len(records):
            raise ValueError("store_many: one fingerprint per record")
        fps = fingerprints or [dedup.fingerprint(r.text) for r in records]
        self._writing()
        with transaction(self.conn) as conn:
            return [store(conn, record, fp, run_id=run_id, cache=self._shingles)
                    for record, fp in zip(records, fps, strict=True)]  # fmt: skip

    @translated
    def reextract(
        self,
        article_id: int,
        record: ArticleRecord,
        *,
        fingerprint: dedup.Fingerprint | None = None,
    ) -> bool:
        """Replace an article's text/metadata from a re-extraction; True if anything changed."""
        fp = fingerprint if fingerprint is not None else dedup.fingerprint(record.text)
        with transaction(self.conn) as conn:
            return reextracted(conn, article_id, record, fp)

    @translated
    def nearest(self, fp: dedup.Fingerprint) -> dedup.Match | None:
        """The archived root ``fp``'s text near-duplicates, if any; read only.

        Candidates are verified from their stored texts, not from the session's shingle
        cache, so the bench measures a cold lookup.
        """
        return dedup.find_near(self.conn, fp)

    @translated
    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]:
        """Full-text search (FTS5 syntax) over title and text; one hit per article."""
        return search_fts(self.conn, query, limit=limit, label=str(self.path))

    def raw_pages(self, *, batch: int = 200) -> Iterator[RawPage]:
        """Every stored page, decompressed, in article order; memory stays at one batch."""
        after = 0
        while True:
            page = self._raw_batch(after, batch)
            if not page:
                return
            yield from page
            after = page[-1].article_id

    @translated
    def _raw_batch(self, after: int, batch: int) -> list[RawPage]:
        pages = [
            RawPage(
                r["article_id"],
                r["url"],
                rows.load_raw(r["compression"], r["body"]),
                r["content_type"],
                r["extractor_version"],
                rows.parse_ts(r["fetched_at"]) or datetime.now(UTC),
                r["http_status"],
                r["site"],
                r["pages"],
            )
            for r in self.db.query(_RAW_PAGES, (after, batch))
        ]
        parts = self._parts([p.article_id for p in pages if p.pages > 1])
        return [
            replace(p, parts=parts[p.article_id]) if p.article_id in parts else p for p in pages
        ]

    def _parts(self, article_ids: list[int]) -> dict[int, tuple[PagePart, ...]]:
        """The stored later pages of these articles, in page order (one query per batch)."""
        if not article_ids:
            return {}
        found: dict[int, list[PagePart]] = {}
        where = f"article_id IN ({', '.join('?' * len(article_ids))})"
        for r in self.db.table("raw_page_parts").rows_where(
            where, article_ids, order_by="article_id, page"
        ):
            found.setdefault(r["article_id"], []).append(
                PagePart(
                    r["url"],
                    rows.load_raw(r["compression"], r["body"]),
                    rows.parse_ts(r["fetched_at"]) or datetime.now(UTC),
                    r["http_status"],
                    r["content_type"],
                )
            )
        return {k: tuple(v) for k, v in found.items()}

    @translated
    def live_blog(self, article_id: int) -> tuple[datetime, datetime] | None:
        """(last fetched, newest entry) of a live blog; None when the article is not one,
        or none of its stored entries is timed."""
        # Hand-written: json_each over one row, asked on the event loop for archived URLs
        # that discovery lists again; sqlite-utils has no form for it.
        found = self.conn.execute(
            "SELECT a.fetched_at, json_extract(e.value, '$.time') "
            "FROM articles a, json_each(a.live_updates) e "
            "WHERE a.id = ? AND a.live_updates != '[]'",
            (article_id,),
        ).fetchall()
        times = [t for _, raw in found if raw and (t := _aware(raw)) is not None]
        fetched = _aware(found[0][0]) if found else None
        if not times or fetched is None:
            return None
        return fetched, max(times)

    @translated
    def counts(self) -> dict[str, int]:
        """Articles by kind: roots and duplicates (for summaries)."""
        table = self.db.table("articles")
        duplicates = table.count_where("duplicate_of IS NOT NULL")
        return {"articles": table.count - duplicates, "duplicates": duplicates}


def _aware(text: str) -> datetime | None:
    """An entry's ISO 8601 time, read as UTC when it carries no offset; None if unreadable."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
