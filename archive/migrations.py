"""Schema migrations: an archive of any earlier version is upgraded in place when opened.

Each step runs in one transaction and is recorded in the ``migrations`` table, so a crash
mid-upgrade leaves the previous version intact. A database from before the ``migrations``
table existed (it has ``articles`` but no ``migrations``) is version 1.

Steps v1-v4 are the SQL their releases ran (:mod:`archive.schema`), kept as written: a fresh
archive replays them, so it ends with the same schema as one upgraded step by step.
Later steps are Python over sqlite-utils (``Migration.apply``). A step that changes a
column SQLite cannot ALTER (type, NOT NULL, default, foreign key, dropping it) uses
sqlite-utils' ``table.transform``, which copies the table into the new shape and swaps it
in, inside the step's transaction (sqlite-utils nests it as a savepoint)::

    def _v6_published_not_null(db: Database) -> None:
        db.table("articles").transform(not_null={"published"})

``transform`` recreates the table, so the step must then recreate what hangs on it that
SQLite drops with it (the FTS triggers in :data:`archive.schema.V2`). v5 is the first
step written this way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from archive import schema
from archive.connection import transaction
from archive.dedup import fingerprint
from archive.errors import ArchiveError
from archive.identity import url_key
from archive.publisher_runs import add_gone as _v10_publisher_gone
from archive.publisher_runs import create_table as _v6_publisher_runs

FTS_TOKENIZE = "unicode61 remove_diacritics 2"  # as v2: accents fold, so "cafe" finds "café"


@dataclass(frozen=True)
class Migration:
    """One schema step: SQL, then an optional Python step (sqlite-utils), in one transaction."""

    version: int
    name: str
    sql: str
    apply: Callable[[Database], None] | None = None


def _backfill_v2(db: Database) -> None:
    """Fill the v2 identity columns and tables from v1 rows (texts are re-fingerprinted)."""
    conn = db.conn  # row-by-row backfill of a released step: its SQL stays as it ran
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


def _backfill_v3(db: Database) -> None:
    """Re-band every root: v3 hashes shingles by tabulation into 36 MinHash bins, so keys
    written by v2 (crc32 word ids, 64 bins) would never match a new text's keys."""
    conn = db.conn
    conn.execute("DELETE FROM minhash_bands")
    cursor = conn.execute("SELECT id, text FROM articles WHERE duplicate_of IS NULL ORDER BY id")
    while batch := cursor.fetchmany(500):  # streamed: a large archive is not loaded at once
        conn.executemany(
            "INSERT OR IGNORE INTO minhash_bands VALUES (?, ?)",
            [(key, article_id) for article_id, text in batch
             for key in fingerprint(text).band_keys],
        )  # fmt: skip


def _v5_discoverable_fts(db: Database) -> None:
    """Recreate the search index in the form sqlite-utils and datasette detect.

    v2 declared ``content='articles'``; both tools look for ``content="articles"`` (or
    ``[articles]``) in the FTS table's SQL, so ``sqlite-utils search`` refused the archive
    and datasette's ``?_search=`` returned every row. The triggers of v2 stay: they name
    ``articles_fts``, which keeps its columns (title, text) and tokenizer.
    """
    db.table("articles_fts").drop()
    db.table("articles").enable_fts(["title", "text"], tokenize=FTS_TOKENIZE)
    # enable_fts indexes every row; duplicates stay out of search (one hit per story).
    # The FTS5 'delete' command has no sqlite-utils form.
    db.execute(
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "SELECT 'delete', id, title, text FROM articles WHERE duplicate_of IS NOT NULL"
    )


# v8: issue 16's fields. Columns, not side tables: each is read and written with its
# article's row and copied whole into article_versions when the text changes, and images
# and live updates are small lists read as a whole (JSON arrays, which datasette renders
# and SQLite's json1 queries), never joined on their own.
ARTICLE_FIELDS: tuple[tuple[str, type, str | int | None], ...] = (
    ("published_source", str, None),
    ("modified", str, None),
    ("modified_source", str, None),
    ("language_source", str, None),
    ("access", str, "unknown"),
    ("images", str, "[]"),
    ("live_updates", str, "[]"),
    ("pages", int, 1),  # a multi-page article's page count; raw_pages holds its first (v9:
    # raw_page_parts the others)
)


def _v8_article_fields(db: Database) -> None:
    """Add the v8 columns to articles and their history; index paywalled pages per site."""
    for table in ("articles", "article_versions"):
        have = db.table(table).columns_dict
        for name, kind, default in ARTICLE_FIELDS:
            if name not in have:  # a re-run over an archive a test rolled back keeps them
                db.table(table).add_column(name, kind, not_null_default=default)
    # ``scraper health`` counts paywalled pages per publisher: one index range per access.
    db.table("articles").create_index(
        ["access", "site"], index_name="articles_access", if_not_exists=True
    )


def _v9_raw_page_parts(db: Database) -> None:
    """The later pages of multi-page articles, raw, beside their first page in raw_pages.

    A side table, not a column: raw_pages keeps one row per article (its first page),
    which every reader of it relies on, and a part is read only with its article.
    """
    db.table("raw_page_parts").create(
        {
            "article_id": int,
            "page": int,
            "url": str,
            "fetched_at": str,
            "http_status": int,
            "content_type": str,
            "compression": str,
            "size": int,
            "body": bytes,
        },
        pk=("article_id", "page"),
        not_null={"article_id", "page", "url", "fetched_at", "compression", "size", "body"},
        foreign_keys=[("article_id", "articles", "id")],
        if_not_exists=True,
    )


MIGRATIONS = (
    Migration(1, "plain schema: articles, urls, runs", schema.V1),
    Migration(2, "identity, versions, raw pages, full-text search", schema.V2, _backfill_v2),
    Migration(3, "faster MinHash: tabulation shingle hashes, 36 bins; bands rebuilt", "",
              _backfill_v3),
    Migration(4, "crawl frontier parked outside memory", schema.V4),
    Migration(5, "search index discoverable by sqlite-utils and datasette", "",
              _v5_discoverable_fts),
    Migration(6, "per-publisher figures of each run (publisher_runs)", "", _v6_publisher_runs),
    Migration(7, "WARC ingest progress per file", schema.V7),
    Migration(8, "article fields: published/modified sources, language source, access, "
              "images, live updates, pages", "", _v8_article_fields),
    Migration(9, "raw HTML of a multi-page article's later pages (raw_page_parts)", "",
              _v9_raw_page_parts),
    Migration(10, "per-publisher count of removed (404/410) article pages", "",
              _v10_publisher_gone),
)  # fmt: skip
CURRENT_VERSION = MIGRATIONS[-1].version


def current_version(db: Database) -> int:
    """The schema version of an open database (0 for an empty one)."""
    tables = set(db.table_names())
    if "migrations" in tables:
        row = db.execute("SELECT max(version) FROM migrations").fetchone()
        return int(row[0] or 0)
    return 1 if "articles" in tables else 0


def migrate(db: Database, label: str) -> list[int]:
    """Bring the database up to :data:`CURRENT_VERSION`; return the versions applied."""
    version = current_version(db)
    if version > CURRENT_VERSION:
        raise ArchiveError(
            f"{label}: archive schema v{version} is newer than this program supports "
            f"(v{CURRENT_VERSION}); upgrade newsarchiver"
        )
    applied: list[int] = []
    for step in MIGRATIONS:
        if step.version <= version:
            continue
        _apply(db, step, record_v1=version == 1 and not applied)
        applied.append(step.version)
    return applied


def _apply(db: Database, step: Migration, *, record_v1: bool) -> None:
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    # BEGIN IMMEDIATE: two processes opening an old archive at once upgrade it one at a time.
    with transaction(db.conn):
        _migrations_table(db)
        for statement in _statements(step.sql):
            db.execute(statement)
        if record_v1:  # an archive made before migrations were recorded
            db.table("migrations").insert(
                {"version": 1, "name": MIGRATIONS[0].name, "applied_at": now}, ignore=True
            )
        if step.apply is not None:
            step.apply(db)
        db.table("migrations").insert(
            {"version": step.version, "name": step.name, "applied_at": now}
        )


def _migrations_table(db: Database) -> None:
    db.table("migrations").create(
        {"version": int, "name": str, "applied_at": str},
        pk="version",
        not_null={"name", "applied_at"},
        if_not_exists=True,
    )


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


def applied_migrations(db: Database) -> list[tuple[int, str, str]]:
    """The ``migrations`` table: (version, name, applied_at)."""
    return [
        (r["version"], r["name"], r["applied_at"])
        for r in db.table("migrations").rows_where(order_by="version")
    ]


__all__ = ["CURRENT_VERSION", "MIGRATIONS", "applied_migrations", "current_version", "migrate"]
