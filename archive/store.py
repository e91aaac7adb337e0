"""The archive: one SQLite file (WAL) holding articles, their identities, versions and runs.

:class:`Archive` opens the file (creating or upgrading it) and hands out its parts, each a
small class over the one shared connection: ``runs`` (:class:`~archive.ledger.Runs`),
``urls`` (:class:`~archive.ledger.UrlLedger`), ``frontier``
(:class:`~archive.ledger.Frontier`), ``articles`` (:class:`~archive.articles.Articles`) and
``publisher_runs`` (:class:`~archive.publisher_runs.PublisherRuns`) and ``ingests``
(:class:`~archive.ingest_marks.Ingests`, how far WARC ingests got).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType

from sqlite_utils import Database

from archive.articles import Articles
from archive.connection import (
    CACHE_KIB,
    connect,
    connect_readonly,
    describe,
    transaction,
    translated,
)
from archive.errors import ArchiveError
from archive.ingest_marks import Ingests
from archive.ledger import Frontier, Runs, UrlLedger
from archive.migrations import CURRENT_VERSION, current_version, migrate
from archive.publisher_runs import PublisherRuns


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
        self.publisher_runs = PublisherRuns(db, path)
        self.ingests = Ingests(db, path)

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

    @classmethod
    def open_reader(cls, path: str | Path, *, cache_kib: int = CACHE_KIB) -> Archive:
        """Open an existing archive to read it (search, export, health): read-only.

        Only a user who may read the file is needed. An archive of an older schema is
        upgraded first, as :meth:`open` does, when the user may write it; otherwise the
        error says who can.
        """
        path = Path(path)
        db = connect_readonly(path, cache_kib=cache_kib)
        try:
            version = translated_version(db, path)
        except BaseException:
            db.close()
            raise
        if version == CURRENT_VERSION:
            return cls(db, path)
        db.close()
        if version > CURRENT_VERSION or os.access(path, os.W_OK):
            return cls.open(path, cache_kib=cache_kib)  # upgrades, or says it is too new
        raise ArchiveError(
            f"{path}: archive schema v{version} must be upgraded to "
            f"v{CURRENT_VERSION} first: run a crawl (or any command) as a "
            "user who may write it"
        )

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
        """One write transaction (a context manager); rolled back on any exception.

        Inside another (the crawl's writer groups many writes in one commit) it is a
        savepoint: a write that fails is undone alone and the outer transaction goes on.
        """
        if not self.conn.in_transaction:
            self.articles.rewind_wal()
        return transaction(self.conn)

    @classmethod
    def check_file(cls, path: str | Path) -> None:
        """ArchiveError if the file at ``path`` is damaged; reads it only (a crawl calls
        this before it writes anything, so a damaged archive is left as it was)."""
        path = Path(path)
        # No WAL beside it: nothing to share with a writer, and no -wal/-shm left behind.
        db = connect_readonly(path, immutable=not Path(f"{path}-wal").exists())
        try:
            result = db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.Error as exc:
            raise ArchiveError(describe(exc, str(path))) from exc
        finally:
            db.close()
        if result != "ok":
            raise ArchiveError(f"{path}: the archive file is damaged ({result})")

    @translated
    def check(self) -> None:
        """Run SQLite's quick_check; ArchiveError if the file is damaged."""
        result = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise ArchiveError(f"{self.path}: the archive file is damaged ({result})")


def translated_version(db: Database, path: Path) -> int:
    """The schema version of ``db``; a damaged file is a one-line ArchiveError."""
    try:
        return current_version(db)
    except sqlite3.Error as exc:
        raise ArchiveError(describe(exc, str(path))) from exc
