"""The archive: one SQLite file (WAL) holding articles, their identities, versions and runs.

:class:`Archive` opens the file (creating or upgrading it) and hands out its parts, each a
small class over the one shared connection: ``runs`` (:class:`~archive.ledger.Runs`),
``urls`` (:class:`~archive.ledger.UrlLedger`), ``frontier``
(:class:`~archive.ledger.Frontier`) and ``articles`` (:class:`~archive.articles.Articles`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlite_utils import Database

from archive import dedup
from archive.articles import Articles
from archive.connection import CACHE_KIB, connect, describe, transaction, translated
from archive.errors import ArchiveError
from archive.ledger import Frontier, Runs, UrlLedger
from archive.migrations import migrate
from archive.records import ArticleRecord, ParkedUrl, StoreResult, UrlState


class Archive:
    """An open archive; use :meth:`open`. Not for concurrent use by several threads."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db  # sqlite-utils' view of the file, for readers and tools
        self.conn = db.conn
        self.path = path
        self.runs = Runs(db, path)
        self.urls = UrlLedger(db, path)
        self.frontier = Frontier(db, path)
        self.articles = Articles(db, path)

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
        db = connect(path, cache_kib=cache_kib)
        try:
            migrate(db, str(path))
        except sqlite3.Error as exc:
            db.close()
            raise ArchiveError(describe(exc, str(path))) from exc
        except BaseException:
            db.close()
            raise
        return cls(db, path)

    def close(self) -> None:
        """Stop the checkpoint thread, then close the connection (idempotent).

        The last connection to close checkpoints what is left and removes the WAL file.
        """
        self.articles.close()
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction (a context manager); rolled back on any exception."""
        return transaction(self.conn)

    @translated
    def check(self) -> None:
        """Run SQLite's quick_check; ArchiveError if the file is damaged."""
        result = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise ArchiveError(f"{self.path}: the archive file is damaged ({result})")

    # compatibility: callers in scraper/crawl move to the parts after merging -------------

    def begin_run(self, started_at: datetime) -> int:
        """Compatibility: :meth:`Runs.start`."""
        return self.runs.start(started_at)

    def finish_run(
        self, run_id: int, *, ended_at: datetime, status: str, counts: dict[str, int]
    ) -> None:
        """Compatibility: :meth:`Runs.finish`."""
        self.runs.finish(run_id, ended_at=ended_at, status=status, counts=counts)

    def url_state(self, url: str) -> UrlState | None:
        """Compatibility: :meth:`UrlLedger.state`."""
        return self.urls.state(url)

    def record_urls(self, urls: Sequence[str], **fields: Any) -> None:
        """Compatibility: :meth:`UrlLedger.record`."""
        self.urls.record(urls, **fields)

    def queue_urls(
        self, urls: list[str], *, queued_at: datetime, run_id: int | None = None
    ) -> None:
        """Compatibility: :meth:`UrlLedger.queue`."""
        self.urls.queue(urls, queued_at=queued_at, run_id=run_id)

    def pending(self) -> list[tuple[str, str, str | None]]:
        """Compatibility: :meth:`UrlLedger.pending`."""
        return self.urls.pending()

    def article_for_url(self, url: str) -> int | None:
        """Compatibility: :meth:`UrlLedger.article_for`."""
        return self.urls.article_for(url)

    def park_frontier(self, parked: Sequence[ParkedUrl]) -> None:
        """Compatibility: :meth:`Frontier.park`."""
        self.frontier.park(parked)

    def take_frontier(self, host: str, limit: int) -> list[ParkedUrl]:
        """Compatibility: :meth:`Frontier.take`."""
        return self.frontier.take(host, limit)

    def clear_frontier(self) -> int:
        """Compatibility: :meth:`Frontier.clear`."""
        return self.frontier.clear()

    def store_article(
        self,
        record: ArticleRecord,
        *,
        run_id: int | None = None,
        fingerprint: dedup.Fingerprint | None = None,
    ) -> StoreResult:
        """Compatibility: :meth:`Articles.store`."""
        return self.articles.store(record, run_id=run_id, fingerprint=fingerprint)

    def store_many(
        self,
        records: Sequence[ArticleRecord],
        *,
        run_id: int | None = None,
        fingerprints: Sequence[dedup.Fingerprint] | None = None,
    ) -> list[StoreResult]:
        """Compatibility: :meth:`Articles.store_many`."""
        return self.articles.store_many(records, run_id=run_id, fingerprints=fingerprints)


__all__ = ["Archive", "ArchiveError"]
