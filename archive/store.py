"""The archive: one SQLite file (WAL) holding articles, their identities, versions and runs.

Every public write is one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), so a killed
process leaves whole articles or none. WAL lets readers (datasette, notebooks) keep the
file open while a crawl writes; ``synchronous=NORMAL`` is the WAL setting that survives a
process kill (only an OS crash can lose the last commits, never corrupt the file).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from types import TracebackType
from typing import ParamSpec, TypeVar

from archive import dedup, rows
from archive.checkpoint import WRITER_AUTOCHECKPOINT, Checkpointer
from archive.errors import ArchiveError
from archive.identity import url_key
from archive.migrations import migrate
from archive.records import (
    ArticleRecord,
    ParkedUrl,
    RawPage,
    SearchHit,
    StoreOutcome,
    StoreResult,
    UrlState,
)
from archive.search import search_fts
from archive.storing import reextracted, store

CACHE_KIB = 16_384
BUSY_TIMEOUT_MS = 15_000  # a reader's checkpoint or a second writer may hold the lock briefly
RUN_STATUSES = frozenset({"ok", "partial", "interrupted", "failed"})
_P = ParamSpec("_P")
_R = TypeVar("_R")


def describe(exc: sqlite3.Error, label: str) -> str:
    """One line naming the file and what SQLite says went wrong."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    low = text.lower()
    if "disk is full" in low or "disk i/o" in low:
        return f"{label}: cannot write the archive ({text}); free disk space and rerun"
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return f"{label}: the archive file is damaged ({text}); restore it from a backup"
    if "readonly" in low or "unable to open" in low:
        return f"{label}: the archive is not writable ({text})"
    return f"{label}: archive error: {text}"


def _translated(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn SQLite errors escaping a public method into one-line ArchiveErrors."""

    @wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            label = str(getattr(args[0], "path", "archive"))
            raise ArchiveError(describe(exc, label)) from exc

    return wrapper


class Archive:
    """An open archive; use :meth:`open`. Not for concurrent use by several threads."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._checkpointer: Checkpointer | None = None
        self._shingles = dedup.ShingleCache()  # candidates' shingles, for verification

    @classmethod
    def open(cls, path: str | Path, *, cache_kib: int = CACHE_KIB) -> Archive:
        """Open (creating or upgrading) the archive at ``path``.

        ``cache_kib`` is this connection's page cache; a connection that only looks URLs
        up (the crawl's, beside its article writer) needs far less than one that stores.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"{path}: cannot create its folder ({exc.strerror})") from exc
        try:
            conn = sqlite3.connect(
                path,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise ArchiveError(describe(exc, str(path))) from exc
        try:
            for pragma in (
                "journal_mode = WAL",
                "synchronous = NORMAL",
                "foreign_keys = ON",
                f"busy_timeout = {BUSY_TIMEOUT_MS}",
                # Checkpoints are the only fsyncs under synchronous=NORMAL. A writer runs
                # them on a background thread (archive.checkpoint); this is the fallback.
                f"wal_autocheckpoint = {WRITER_AUTOCHECKPOINT}",
                # 16 MB of page cache (default 2 MB): the indexes' inner pages stay cached,
                # so a lookup reads only leaf pages. More buys nothing measurable: at 1M
                # articles inserts ran as fast with 16 MB as with 64 or 256 (BENCHMARKS.md),
                # and a cache that fills as the archive grows is memory the crawl holds.
                f"cache_size = -{max(64, int(cache_kib))}",
            ):
                conn.execute(f"PRAGMA {pragma}")
            migrate(conn, str(path))
        except sqlite3.Error as exc:
            conn.close()
            raise ArchiveError(describe(exc, str(path))) from exc
        except ArchiveError:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        """Stop the checkpoint thread, then close the connection (idempotent).

        The last connection to close checkpoints what is left and removes the WAL file.
        """
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        self.conn.close()

    def _writing(self) -> None:
        """Start the background checkpointer on the first article write (readers need none)."""
        if self._checkpointer is None:
            self._checkpointer = Checkpointer(self.path, BUSY_TIMEOUT_MS)

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back on any exception, including KeyboardInterrupt.

        Inside another (the crawl's writer groups many writes in one commit) it is a
        savepoint: a write that fails is undone alone and the outer transaction goes on.
        """
        if self.conn.in_transaction:
            yield from self._savepoint()
            return
        if self._checkpointer is not None and self._checkpointer.rewind_due():
            # Copy the few pages left between two transactions: the next BEGIN rewinds the WAL.
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("SAVEPOINT nested")
        try:
            yield self.conn
        except BaseException:
            # A full disk or an I/O error may have rolled the whole transaction back already.
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK TO nested")
                self.conn.execute("RELEASE nested")
            raise
        self.conn.execute("RELEASE nested")

    # runs ---------------------------------------------------------------------------

    @_translated
    def begin_run(self, started_at: datetime) -> int:
        """Start a run; earlier runs still marked running are marked crashed first."""
        with self.transaction() as conn:
            conn.execute("UPDATE runs SET status = 'crashed' WHERE status = 'running'")
            cur = conn.execute(
                "INSERT INTO runs (started_at, status) VALUES (?, 'running')",
                (rows.ts(started_at),),
            )
        return int(cur.lastrowid or 0)

    @_translated
    def finish_run(
        self, run_id: int, *, ended_at: datetime, status: str, counts: dict[str, int]
    ) -> None:
        """Close a run with its status (ok|partial|interrupted|failed) and outcome counts."""
        if status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {sorted(RUN_STATUSES)}, not {status!r}")
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET ended_at = ?, status = ?, counts = ? WHERE id = ?",
                (rows.ts(ended_at), status, json.dumps(counts, sort_keys=True), run_id),
            )

    @_translated
    def mark_crashed_runs(self) -> int:
        """Mark runs left 'running' by a killed process as 'crashed'; return how many."""
        with self.transaction() as conn:
            cur = conn.execute("UPDATE runs SET status = 'crashed' WHERE status = 'running'")
        return cur.rowcount

    # URLs ---------------------------------------------------------------------------

    @_translated
    def url_state(self, url: str) -> UrlState | None:
        """What the archive knows of ``url``: last status, validators, outcome."""
        row = self.conn.execute(
            "SELECT url, status, outcome, etag, last_modified, fetched_at, article_id, reason, "
            "run_id FROM urls WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        return UrlState(
            row[0], row[1], row[2], row[3], row[4], rows.parse_ts(row[5]), row[6], row[7],
            row[8],
        )

    @_translated
    def record_urls(
        self,
        urls: Sequence[str],
        *,
        fetched_at: datetime,
        outcome: str,
        status: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        reason: str | None = None,
        article_id: int | None = None,
        run_id: int | None = None,
    ) -> None:
        """Note a fetch attempt of each of ``urls`` (feeds, sitemaps or articles) and its
        outcome, the same for all, in one transaction (one URL after each fetch; the URLs a
        ``--max-pages`` cap leaves for a later run all at once)."""
        values: dict[str, object] = {
            "status": status,
            "outcome": outcome,
            "reason": reason,
            "etag": etag,
            "last_modified": last_modified,
            "fetched_at": rows.ts(fetched_at),
            "article_id": article_id,
            "run_id": run_id,
        }
        with self.transaction() as conn:
            for url in urls:
                rows.upsert_url_state(conn, url, values)

    @_translated
    def queue_urls(
        self, urls: list[str], *, queued_at: datetime, run_id: int | None = None
    ) -> None:
        """Note discovered article URLs as queued, in one transaction.

        A run killed before it fetched them leaves them queued; :meth:`pending` hands
        them to the next run even when the feed that listed them now answers 304.
        """
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO urls (url, outcome, fetched_at, run_id) VALUES (?, 'queued', ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET outcome = 'queued', run_id = excluded.run_id "
                "WHERE urls.article_id IS NULL",
                [(u, rows.ts(queued_at), run_id) for u in urls],
            )

    @_translated
    def pending(self) -> list[tuple[str, str, str | None]]:
        """URLs queued, failed (other than gone) or deferred by earlier runs and not archived,
        each with its last outcome and failure reason, in URL order."""
        return [
            (str(row[0]), str(row[1]), row[2])
            for row in self.conn.execute(
                "SELECT url, outcome, reason FROM urls WHERE article_id IS NULL "
                "AND outcome IN ('queued', 'failed', 'deferred') "
                "AND coalesce(status, 0) NOT IN (404, 410) "
                "AND url NOT IN (SELECT url FROM article_urls) ORDER BY url"
            )
        ]

    @_translated
    def park_frontier(self, parked: Sequence[ParkedUrl]) -> None:
        """Park queued URLs a crawl does not keep in memory, in one transaction, in order."""
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO frontier (host, url, seed, source, published) VALUES (?, ?, ?, ?, ?)",
                [(p.host, p.url, p.seed, p.source, rows.iso_or_none(p.published))
                 for p in parked],
            )  # fmt: skip

    @_translated
    def take_frontier(self, host: str, limit: int) -> list[ParkedUrl]:
        """Remove and return the first ``limit`` URLs parked for ``host``, in parking order."""
        with self.transaction() as conn:
            found = conn.execute(
                "SELECT id, url, seed, source, published FROM frontier WHERE host = ? "
                "ORDER BY id LIMIT ?",
                (host, limit),
            ).fetchall()
            if found:
                conn.execute(
                    "DELETE FROM frontier WHERE host = ? AND id <= ?", (host, found[-1][0])
                )
        return [ParkedUrl(host, u, seed, src, rows.parse_ts(p)) for _, u, seed, src, p in found]

    @_translated
    def clear_frontier(self) -> int:
        """Drop what an earlier (killed) run parked; its URLs are still queued in ``urls``."""
        with self.transaction() as conn:
            return conn.execute("DELETE FROM frontier").rowcount

    @_translated
    def article_for_url(self, url: str) -> int | None:
        """The article any alias of ``url`` belongs to (so a run need not fetch it again)."""
        row = self.conn.execute(
            "SELECT article_id FROM article_urls WHERE url_key = ? ORDER BY article_id LIMIT 1",
            (url_key(url),),
        ).fetchone()
        return None if row is None else int(row[0])

    @_translated
    def urls_of(self, article_id: int) -> list[str]:
        """Every URL recorded for one article, first seen first."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT url FROM article_urls WHERE article_id = ? ORDER BY first_seen, url",
                (article_id,),
            )
        ]

    # articles -----------------------------------------------------------------------

    @_translated
    def store_article(
        self,
        record: ArticleRecord,
        *,
        run_id: int | None = None,
        fingerprint: dedup.Fingerprint | None = None,
    ) -> StoreResult:
        """Store one article in one transaction, deciding new/updated/unchanged/duplicate.

        ``fingerprint`` is ``archive.dedup.fingerprint(record.text)`` when the caller has
        already worked it out (the crawl does, in its extraction workers, so the single
        writer only looks things up); without it the archive computes it here.
        """
        fp = fingerprint if fingerprint is not None else dedup.fingerprint(record.text)
        self._writing()
        with self.transaction() as conn:
            return store(conn, record, fp, run_id=run_id, cache=self._shingles)

    @_translated
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
        results = []
        self._writing()
        with self.transaction() as conn:
            for record, fp in zip(records, fps, strict=True):
                results.append(store(conn, record, fp, run_id=run_id,
                                     cache=self._shingles))
        return results

    @_translated
    def apply_reextraction(
        self,
        article_id: int,
        record: ArticleRecord,
        *,
        fingerprint: dedup.Fingerprint | None = None,
    ) -> bool:
        """Replace an article's text/metadata from a re-extraction; True if anything changed."""
        fp = fingerprint if fingerprint is not None else dedup.fingerprint(record.text)
        with self.transaction() as conn:
            return reextracted(conn, article_id, record, fp)

    @_translated
    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]:
        """Full-text search (FTS5 syntax) over title and text; one hit per article."""
        return search_fts(self.conn, query, limit=limit, label=str(self.path))

    def iter_raw_pages(self, *, batch: int = 200) -> Iterator[RawPage]:
        """Every stored page, decompressed, in article order; memory stays at one batch."""
        after = 0
        while True:
            page = self._raw_batch(after, batch)
            if not page:
                return
            yield from page
            after = page[-1].article_id

    @_translated
    def _raw_batch(self, after: int, batch: int) -> list[RawPage]:
        # Keyset pages, not one open cursor: the caller writes between pages.
        found = self.conn.execute(
            "SELECT r.article_id, r.url, r.compression, r.body, r.content_type, "
            "r.extractor_version, r.fetched_at, r.http_status, a.site FROM raw_pages r "
            "JOIN articles a ON a.id = r.article_id WHERE r.article_id > ? "
            "ORDER BY r.article_id LIMIT ?",
            (after, batch),
        ).fetchall()
        return [
            RawPage(
                r[0],
                r[1],
                rows.load_raw(r[2], r[3]),
                r[4],
                r[5],
                rows.parse_ts(r[6]) or datetime.now(UTC),
                r[7],
                r[8],
            )
            for r in found
        ]

    @_translated
    def check(self) -> None:
        """Run SQLite's quick_check; ArchiveError if the file is damaged."""
        result = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise ArchiveError(f"{self.path}: the archive file is damaged ({result})")

    def outcome_counts(self) -> dict[str, int]:
        """Articles by kind: roots and duplicates (for summaries)."""
        row = self.conn.execute("SELECT count(*), count(duplicate_of) FROM articles").fetchone()
        return {"articles": row[0] - row[1], "duplicates": row[1]}


__all__ = ["Archive", "ArchiveError", "StoreOutcome", "StoreResult"]
