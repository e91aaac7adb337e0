"""Schema migrations: an archive of any earlier version is upgraded in place when opened.

Each step runs in one transaction and is recorded in the ``migrations`` table, so a crash
mid-upgrade leaves the previous version intact. A database from before the ``migrations``
table existed (it has ``articles`` but no ``migrations``) is version 1.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from archive import schema
from archive.dedup import fingerprint
from archive.errors import ArchiveError
from archive.identity import url_key


@dataclass(frozen=True)
class Migration:
    """One schema step: SQL, then an optional data backfill, in one transaction."""

    version: int
    name: str
    sql: str
    backfill: Callable[[sqlite3.Connection], None] | None = None


def _backfill_v2(conn: sqlite3.Connection) -> None:
    """Fill the v2 identity columns and tables from v1 rows (texts are re-fingerprinted)."""
    rows = conn.execute("SELECT id, url, text, fetched_at FROM articles").fetchall()
    for article_id, url, text, fetched_at in rows:
        fp = fingerprint(text)
        conn.execute(
            "UPDATE articles SET content_hash = ?, lead_hash = ?, first_seen = fetched_at, "
            "updated_at = fetched_at WHERE id = ?",
            (fp.content_hash, fp.lead_hash, article_id),
        )
        conn.execute(
            "INSERT OR IGNORE INTO article_urls VALUES (?, ?, ?, ?)",
            (url, url_key(url), article_id, fetched_at),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO minhash_bands VALUES (?, ?)",
            [(key, article_id) for key in fp.band_keys],
        )
    # v1 recorded article URLs in ``urls`` too: they are aliases of their article.
    for url, article_id, fetched_at in conn.execute(
        "SELECT url, article_id, fetched_at FROM urls WHERE article_id IS NOT NULL"
    ).fetchall():
        conn.execute(
            "INSERT OR IGNORE INTO article_urls VALUES (?, ?, ?, ?)",
            (url, url_key(url), article_id, fetched_at or ""),
        )
    conn.execute(
        "INSERT INTO articles_fts(rowid, title, text) "
        "SELECT id, title, text FROM articles WHERE duplicate_of IS NULL"
    )


def _backfill_v3(conn: sqlite3.Connection) -> None:
    """Re-band every root: v3 hashes shingles by tabulation into 36 MinHash bins, so keys
    written by v2 (crc32 word ids, 64 bins) would never match a new text's keys."""
    conn.execute("DELETE FROM minhash_bands")
    cursor = conn.execute("SELECT id, text FROM articles WHERE duplicate_of IS NULL ORDER BY id")
    while batch := cursor.fetchmany(500):  # streamed: a large archive is not loaded at once
        conn.executemany(
            "INSERT OR IGNORE INTO minhash_bands VALUES (?, ?)",
            [(key, article_id) for article_id, text in batch
             for key in fingerprint(text).band_keys],
        )  # fmt: skip


MIGRATIONS = (
    Migration(1, "plain schema: articles, urls, runs", schema.V1),
    Migration(2, "identity, versions, raw pages, full-text search", schema.V2, _backfill_v2),
    Migration(3, "faster MinHash: tabulation shingle hashes, 36 bins; bands rebuilt", "",
              _backfill_v3),
    Migration(4, "crawl frontier parked outside memory", schema.V4),
)  # fmt: skip
CURRENT_VERSION = MIGRATIONS[-1].version


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version of an open database (0 for an empty one)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "migrations" in tables:
        row = conn.execute("SELECT max(version) FROM migrations").fetchone()
        return int(row[0] or 0)
    return 1 if "articles" in tables else 0


def migrate(conn: sqlite3.Connection, label: str) -> list[int]:
    """Bring the database up to :data:`CURRENT_VERSION`; return the versions applied."""
    version = current_version(conn)
    if version > CURRENT_VERSION:
        raise ArchiveError(
            f"{label}: archive schema v{version} is newer than this program supports "
            f"(v{CURRENT_VERSION}); upgrade newsarchiver"
        )
    applied: list[int] = []
    for step in MIGRATIONS:
        if step.version <= version:
            continue
        _apply(conn, step, record_v1=version == 1 and not applied)
        applied.append(step.version)
    return applied


def _apply(conn: sqlite3.Connection, step: Migration, *, record_v1: bool) -> None:
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements(schema.MIGRATIONS_TABLE + step.sql):
            conn.execute(statement)
        if record_v1:  # an archive made before migrations were recorded
            conn.execute(
                "INSERT OR IGNORE INTO migrations VALUES (1, ?, ?)", (MIGRATIONS[0].name, now)
            )
        if step.backfill is not None:
            step.backfill(conn)
        conn.execute("INSERT INTO migrations VALUES (?, ?, ?)", (step.version, step.name, now))
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """Split a script into statements (``executescript`` would commit on its own)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def applied_migrations(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """The ``migrations`` table: (version, name, applied_at)."""
    return [tuple(r) for r in conn.execute("SELECT * FROM migrations ORDER BY version")]


__all__ = ["CURRENT_VERSION", "MIGRATIONS", "applied_migrations", "current_version", "migrate"]
