"""Row-level writes and reads shared by the store: one function per table operation.

Every function runs inside the caller's transaction and never commits.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from archive.dedup import Fingerprint
from archive.records import (
    Access,
    ArticleImage,
    ArticleRecord,
    ArticleUpdate,
    PagePart,
)

RAW_COMPRESSION = "gzip"  # stdlib, and readable by any tool a data team has
_GZIP_LEVEL = 6  # level 9 saves ~2 % more on HTML for twice the CPU


def ts(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds: sorts and compares as text."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime given to the archive: {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def iso_or_none(moment: datetime | None) -> str | None:
    """A published date keeps its own offset; None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime given to the archive: {moment!r}")
    return moment.isoformat()


def json_list(items: Iterable[str]) -> str:
    """Lists are stored as JSON arrays (datasette renders them, SQLite's json1 reads them)."""
    return json.dumps(list(items), ensure_ascii=False)


# v8's columns, in the order :func:`field_values` gives them (articles and article_versions).
FIELD_COLUMNS = (
    "published_source",
    "modified",
    "modified_source",
    "language_source",
    "access",
    "images",
    "live_updates",
    "pages",
)
_FIELD_LIST = ", ".join(FIELD_COLUMNS)
_FIELD_SET = ", ".join(f"{c} = ?" for c in FIELD_COLUMNS)


_ACCESS = frozenset(Access)


def field_values(record: ArticleRecord) -> tuple[str | int | None, ...]:
    """The record's v8 fields as stored: dates ISO 8601, images and live updates JSON."""
    if record.access not in _ACCESS:
        raise ValueError(f"access must be one of {', '.join(Access)}: {record.access!r}")
    return (
        record.published_source,
        iso_or_none(record.modified),
        record.modified_source,
        record.language_source,
        record.access,
        images_json(record.images),
        updates_json(record.live_updates),
        max(1, record.pages),
    )


def images_json(images: Iterable[ArticleImage]) -> str:
    """``[{url, caption, credit, lead}]`` in page order."""
    return json.dumps(
        [{"url": i.url, "caption": i.caption, "credit": i.credit, "lead": i.lead} for i in images],
        ensure_ascii=False,
    )


def updates_json(updates: Iterable[ArticleUpdate]) -> str:
    """``[{time, headline, text}]`` in time order; time ISO 8601 with its own offset."""
    return json.dumps(
        [{"time": iso_or_none(u.time), "headline": u.headline, "text": u.text} for u in updates],
        ensure_ascii=False,
    )


def parse_ts(text: str | None) -> datetime | None:
    """Inverse of :func:`ts` (tolerates any ISO 8601 with an offset)."""
    return datetime.fromisoformat(text) if text else None


def insert_article(
    conn: sqlite3.Connection,
    record: ArticleRecord,
    fp: Fingerprint,
    *,
    run_id: int | None,
    duplicate_of: int | None = None,
    kind: str | None = None,
    similarity: float | None = None,
) -> int:
    """Insert one article row (a root, or a duplicate pointing at its root)."""
    seen = ts(record.fetched_at)
    cur = conn.execute(
        "INSERT INTO articles (url, title, text, authors, published, language, site, "
        "fetched_at, content_hash, description, first_seen, updated_at, version, duplicate_of, "
        f"dedup_kind, similarity, lead_hash, run_id, {_FIELD_LIST}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.url,
            record.title,
            record.text,
            json_list(record.authors),
            iso_or_none(record.published),
            record.language,
            record.site,
            seen,
            fp.content_hash,
            record.description,
            seen,
            seen,
            duplicate_of,
            kind,
            similarity,
            fp.lead_hash,
            run_id,
            *field_values(record),
        ),
    )
    return int(cur.lastrowid or 0)


def add_urls(conn: sqlite3.Connection, article_id: int, keys: dict[str, str], seen: str) -> None:
    """Record every URL that led to the article, with its identity key (first sighting wins)."""
    conn.executemany(
        "INSERT OR IGNORE INTO article_urls (url, url_key, article_id, first_seen) "
        "VALUES (?, ?, ?, ?)",
        [(u, k, article_id, seen) for u, k in keys.items()],
    )


def compress(body: bytes) -> bytes:
    """A raw page as stored (:data:`RAW_COMPRESSION`)."""
    return gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)


def save_raw(conn: sqlite3.Connection, article_id: int, record: ArticleRecord) -> None:
    """Keep the latest fetched HTML of the article, every page of it, gzip-compressed,
    with fetch metadata."""
    if record.raw_html is None:
        return
    body = compress(record.raw_html)
    conn.execute(
        "INSERT OR REPLACE INTO raw_pages (article_id, url, fetched_at, http_status, "
        "content_type, etag, last_modified, extractor_version, compression, size, body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            article_id,
            (record.urls or (record.url,))[-1],
            ts(record.fetched_at),
            record.http_status,
            record.content_type,
            record.etag,
            record.last_modified,
            record.extractor_version,
            RAW_COMPRESSION,
            len(record.raw_html),
            body,
        ),
    )
    save_parts(conn, article_id, record.page_bodies)


def save_parts(conn: sqlite3.Connection, article_id: int, parts: Iterable[PagePart]) -> None:
    """Replace the article's stored later pages with ``parts`` (pages 2, 3 … in order)."""
    # Replaced whole: a new fetch of the article may have fewer pages than the last one.
    conn.execute("DELETE FROM raw_page_parts WHERE article_id = ?", (article_id,))
    conn.executemany(
        "INSERT INTO raw_page_parts (article_id, page, url, fetched_at, http_status, "
        "content_type, compression, size, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                article_id,
                number,
                p.url,
                ts(p.fetched_at),
                p.http_status,
                p.content_type,
                RAW_COMPRESSION,
                len(p.body),
                compress(p.body),
            )
            for number, p in enumerate(parts, 2)
        ],
    )


def load_raw(compression: str, body: bytes) -> bytes:
    """Decompress a stored page."""
    if compression != RAW_COMPRESSION:
        raise ValueError(f"unknown raw page compression {compression!r}")
    return gzip.decompress(body)


def push_version(conn: sqlite3.Connection, article_id: int, replaced_at: str) -> int:
    """Copy the current text into the history; return the next version number."""
    conn.execute(
        "INSERT INTO article_versions (article_id, version, title, text, authors, published, "
        f"language, description, content_hash, fetched_at, replaced_at, {_FIELD_LIST}) "
        "SELECT id, version, title, text, authors, published, language, description, "
        f"content_hash, fetched_at, ?, {_FIELD_LIST} FROM articles WHERE id = ?",
        (replaced_at, article_id),
    )
    row = conn.execute("SELECT version FROM articles WHERE id = ?", (article_id,)).fetchone()
    return int(row[0]) + 1


def replace_current(
    conn: sqlite3.Connection,
    article_id: int,
    record: ArticleRecord,
    fp: Fingerprint,
    *,
    version: int,
    now: str,
) -> None:
    """Make ``record`` the article's current text and metadata."""
    conn.execute(
        "UPDATE articles SET title = ?, text = ?, authors = ?, published = ?, language = ?, "
        "description = ?, content_hash = ?, lead_hash = ?, version = ?, updated_at = ?, "
        f"fetched_at = ?, {_FIELD_SET} WHERE id = ?",
        (
            record.title,
            record.text,
            json_list(record.authors),
            iso_or_none(record.published),
            record.language,
            record.description,
            fp.content_hash,
            fp.lead_hash,
            version,
            now,
            ts(record.fetched_at),
            *field_values(record),
            article_id,
        ),
    )


def update_fields(
    conn: sqlite3.Connection, article_id: int, record: ArticleRecord, now: str
) -> None:
    """Set the v8 fields of the current version in place (re-extraction filling them in)."""
    conn.execute(
        f"UPDATE articles SET {_FIELD_SET}, updated_at = ? WHERE id = ?",
        (*field_values(record), now, article_id),
    )


def set_bands(conn: sqlite3.Connection, article_id: int, keys: Iterable[int]) -> None:
    """Index a root article's LSH bands."""
    conn.executemany(
        "INSERT OR IGNORE INTO minhash_bands (band_key, article_id) VALUES (?, ?)",
        [(k, article_id) for k in keys],
    )


def drop_bands(conn: sqlite3.Connection, article_id: int, keys: Iterable[int]) -> None:
    """Remove bands by primary key (the old keys are recomputed from the old text)."""
    conn.executemany(
        "DELETE FROM minhash_bands WHERE band_key = ? AND article_id = ?",
        [(k, article_id) for k in keys],
    )


def upsert_url_state(conn: sqlite3.Connection, url: str, values: dict[str, object]) -> None:
    """Insert or update one row of ``urls`` (validators are kept when not given)."""
    conn.execute(
        "INSERT INTO urls (url, status, outcome, reason, etag, last_modified, fetched_at, "
        "article_id, run_id) VALUES (:url, :status, :outcome, :reason, :etag, "
        ":last_modified, :fetched_at, :article_id, :run_id) "
        "ON CONFLICT(url) DO UPDATE SET status = excluded.status, outcome = excluded.outcome, "
        "reason = excluded.reason, etag = coalesce(excluded.etag, urls.etag), "
        "last_modified = coalesce(excluded.last_modified, urls.last_modified), "
        "fetched_at = excluded.fetched_at, "
        "article_id = coalesce(excluded.article_id, urls.article_id), "
        "run_id = coalesce(excluded.run_id, urls.run_id)",
        {"url": url, **values},
    )
