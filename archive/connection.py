"""The archive's connection: opened and configured through sqlite-utils, shared by its parts.

Every public write is one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), so a killed
process leaves whole articles or none. sqlite-utils' own writes inside it nest as
savepoints (``Database.atomic``), so they never commit half of a caller's unit. WAL lets
readers (datasette, notebooks) keep the file open while a crawl writes;
``synchronous=NORMAL`` is the WAL setting that survives a process kill (only an OS crash
can lose the last commits, never corrupt the file).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

from sqlite_utils import Database

from archive.checkpoint import WRITER_AUTOCHECKPOINT
from archive.errors import ArchiveError

CACHE_KIB = 16_384
BUSY_TIMEOUT_MS = 15_000  # a reader's checkpoint or a second writer may hold the lock briefly
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


def translated(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn SQLite errors escaping a public method into one-line ArchiveErrors."""

    @wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            label = str(getattr(args[0], "path", "archive"))
            raise ArchiveError(describe(exc, label)) from exc

    return wrapper


def connect(path: Path, *, cache_kib: int = CACHE_KIB) -> Database:
    """Open ``path`` as a configured sqlite-utils ``Database`` (WAL, foreign keys, cache)."""
    try:
        conn = sqlite3.connect(
            path,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves: one per public write
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
    except sqlite3.Error as exc:
        raise ArchiveError(describe(exc, str(path))) from exc
    try:
        # No plugins in a crawl; recursive triggers off (SQLite's default): with them on, the
        # REPLACE of a raw page would fire DELETE triggers the schema does not expect.
        db = Database(conn, recursive_triggers=False, execute_plugins=False)
        db.enable_wal()
        # sqlite-utils has no setters for these connection settings.
        for pragma in (
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
    except sqlite3.Error as exc:
        conn.close()
        raise ArchiveError(describe(exc, str(path))) from exc
    return db


def connect_readonly(
    path: Path, *, cache_kib: int = CACHE_KIB, immutable: bool = False
) -> Database:
    """Open ``path`` for reading only: nothing is written to the archive.

    A reader of a WAL archive shares the writer's ``-wal`` and ``-shm`` files, which SQLite
    creates (empty) if they are missing. Where it cannot (a folder the user may only read),
    no writer can be running there either, so the file is read as it stands
    (``immutable=1``); ``immutable`` asks for that at once (the caller holds the run lock
    and no WAL exists).
    """
    uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        conn = _open_uri(uri)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            conn.close()
            if "unable to open" not in str(exc).lower() and "readonly" not in str(exc).lower():
                raise
            conn = _open_uri(uri + "&immutable=1")
        conn.execute("PRAGMA query_only = ON")  # a write attempt fails at once, not on disk
        conn.execute(f"PRAGMA cache_size = -{max(64, int(cache_kib))}")
    except sqlite3.Error as exc:
        raise ArchiveError(describe(exc, str(path))) from exc
    return Database(conn, recursive_triggers=False, execute_plugins=False)


def _open_uri(uri: str) -> sqlite3.Connection:
    return sqlite3.connect(
        uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction; rolled back on any exception, including KeyboardInterrupt.

    Inside an open transaction it is a savepoint instead: a failing write is undone alone
    and the outer transaction (the crawl writer's group commit) goes on.
    """
    if conn.in_transaction:
        yield from _savepoint(conn)
        return
    # BEGIN IMMEDIATE, not sqlite-utils' atomic() (a deferred BEGIN): the write lock is
    # taken up front, so a busy archive waits here instead of failing mid-transaction.
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _savepoint(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("SAVEPOINT nested")
    try:
        yield conn
    except BaseException:
        # A full disk or an I/O error may have rolled the whole transaction back already.
        if conn.in_transaction:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
        raise
    conn.execute("RELEASE nested")
