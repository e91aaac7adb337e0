"""Deciding what one fetched article is to the archive, and writing it: inside one transaction.

Order of the identity checks (cheapest and surest first):

1. URL: any of the record's URLs (canonical, requested, redirect hops) folds to the key of
   a known article → same article: UNCHANGED if its text hash is the same, else UPDATED
   (the old text goes to ``article_versions``; the latest is current).
2. Exact text on the same site under another URL → that article, the URL added as an alias.
3. Exact text elsewhere, near-duplicate text (MinHash LSH, Jaccard ≥ 0.5) or a teaser of a
   known article → a DUPLICATE row pointing at the root (``duplicate_of``), kept for its
   source but out of search and default exports.
4. Otherwise NEW, and its LSH bands are indexed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from archive import rows
from archive.dedup import (
    Fingerprint,
    Match,
    ShingleCache,
    find_exact,
    find_near,
    find_teaser,
    fingerprint,
)
from archive.identity import url_key
from archive.records import ArticleRecord, StoreOutcome, StoreResult


def store(
    conn: sqlite3.Connection,
    record: ArticleRecord,
    fp: Fingerprint,
    *,
    run_id: int | None,
    cache: ShingleCache | None = None,
) -> StoreResult:
    """Store ``record``; the caller holds the transaction. ``cache`` speeds up verification."""
    urls = list(dict.fromkeys((record.url, *record.urls)))
    keys = {u: url_key(u) for u in urls}  # ~50 µs each: worked out once per store
    known = _known_article(conn, keys[record.url], keys)
    if known is not None:
        result = _store_known(conn, known, record, fp)
    else:
        result = _store_unknown(conn, record, fp, run_id, cache)
    seen = rows.ts(record.fetched_at)
    rows.add_urls(conn, result.article_id, keys, seen)
    rows.save_raw(conn, result.article_id, record)
    for url in urls:
        rows.upsert_url_state(
            conn,
            url,
            {
                "status": record.http_status,
                "outcome": result.outcome.value,
                "reason": None,
                "etag": record.etag,
                "last_modified": record.last_modified,
                "fetched_at": seen,
                "article_id": result.article_id,
                "run_id": run_id,
            },
        )
    return result


def _known_article(conn: sqlite3.Connection, own: str, keys: dict[str, str]) -> int | None:
    """The article any of the URL keys already belongs to; ``own`` is the canonical URL's."""
    distinct = list(dict.fromkeys(keys.values()))
    marks = ",".join("?" * len(distinct))
    found = conn.execute(
        f"SELECT article_id, url_key FROM article_urls WHERE url_key IN ({marks}) "
        "ORDER BY article_id",
        distinct,
    ).fetchall()
    if not found:
        return None
    # the canonical URL's own article wins over a stale redirect alias
    return next((int(a) for a, k in found if k == own), int(found[0][0]))


def _store_known(
    conn: sqlite3.Connection, article_id: int, record: ArticleRecord, fp: Fingerprint
) -> StoreResult:
    row = conn.execute(
        "SELECT content_hash, version, duplicate_of, text FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    old_hash, version, duplicate_of, old_text = row
    if old_hash == fp.content_hash:
        conn.execute(
            "UPDATE articles SET fetched_at = max(fetched_at, ?) WHERE id = ?",
            (rows.ts(record.fetched_at), article_id),
        )
        return StoreResult(StoreOutcome.UNCHANGED, article_id, duplicate_of, version)
    version = new_version(
        conn,
        article_id,
        record,
        fp,
        old_text,
        is_root=duplicate_of is None,
        now=rows.ts(record.fetched_at),
    )
    return StoreResult(StoreOutcome.UPDATED, article_id, duplicate_of, version)


def new_version(
    conn: sqlite3.Connection,
    article_id: int,
    record: ArticleRecord,
    fp: Fingerprint,
    old_text: str,
    *,
    is_root: bool,
    now: str,
) -> int:
    """Push the current text into history and make ``record`` current; return its version."""
    version = rows.push_version(conn, article_id, now)
    rows.replace_current(conn, article_id, record, fp, version=version, now=now)
    if is_root:
        rows.drop_bands(conn, article_id, fingerprint(old_text).band_keys)
        rows.set_bands(conn, article_id, fp.band_keys)
    return version


def _store_unknown(
    conn: sqlite3.Connection,
    record: ArticleRecord,
    fp: Fingerprint,
    run_id: int | None,
    cache: ShingleCache | None,
) -> StoreResult:
    match = find_exact(conn, fp)
    if match is not None and _same_origin(conn, match.article_id, record):
        return StoreResult(StoreOutcome.UNCHANGED, match.article_id, None, _version(conn, match))
    match = match or find_near(conn, fp, cache) or find_teaser(conn, fp, cache)
    if match is not None and not match.new_is_longer:
        dup = rows.insert_article(
            conn,
            record,
            fp,
            run_id=run_id,
            duplicate_of=match.article_id,
            kind=match.kind,
            similarity=round(match.similarity, 4),
        )
        return StoreResult(StoreOutcome.DUPLICATE, dup, match.article_id)
    article_id = rows.insert_article(conn, record, fp, run_id=run_id)
    rows.set_bands(conn, article_id, fp.band_keys)
    if cache is not None:
        cache.remember(article_id, fp)
    if match is not None:  # the archived root was a teaser of this full article
        _relink_teaser(conn, match, article_id, rows.ts(record.fetched_at))
    return StoreResult(StoreOutcome.NEW, article_id)


def _version(conn: sqlite3.Connection, match: Match) -> int:
    row = conn.execute("SELECT version FROM articles WHERE id = ?", (match.article_id,)).fetchone()
    return int(row[0])


def _origin(site: str | None, url: str) -> str:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return f"site:{site}" if site else f"host:{host}"


def _same_origin(conn: sqlite3.Connection, article_id: int, record: ArticleRecord) -> bool:
    site, url = conn.execute(
        "SELECT site, url FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    return _origin(site, url) == _origin(record.site, record.url)


def _relink_teaser(conn: sqlite3.Connection, teaser: Match, full_id: int, now: str) -> None:
    """The full article arrived after its teaser: the teaser (and its copies) now point at it."""
    text = conn.execute("SELECT text FROM articles WHERE id = ?", (teaser.article_id,)).fetchone()
    rows.drop_bands(conn, teaser.article_id, fingerprint(text[0]).band_keys)
    conn.execute(
        "UPDATE articles SET duplicate_of = ?, updated_at = ? WHERE duplicate_of = ?",
        (full_id, now, teaser.article_id),
    )
    conn.execute(
        "UPDATE articles SET duplicate_of = ?, dedup_kind = 'teaser', similarity = ?, "
        "updated_at = ? WHERE id = ?",
        (full_id, round(teaser.similarity, 4), now, teaser.article_id),
    )


def reextracted(
    conn: sqlite3.Connection, article_id: int, record: ArticleRecord, fp: Fingerprint
) -> bool:
    """Apply a re-extraction of a stored page; True if anything changed.

    A changed text or headline metadata makes a new version; v8 fields alone (the
    extractor of an older archive could not see them) are filled in place.
    """
    row = conn.execute(
        "SELECT content_hash, title, authors, published, language, description, duplicate_of, "
        f"text, {', '.join(rows.FIELD_COLUMNS)} FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        return False
    if record.published is None and row[8] == "feed":  # the raw page never had the feed's
        record = replace(record, published=rows.parse_ts(row[3]), published_source="feed")
    fresh = (
        fp.content_hash,
        record.title,
        rows.json_list(record.authors),
        rows.iso_or_none(record.published),
        record.language,
        record.description,
    )
    conn.execute(
        "UPDATE raw_pages SET extractor_version = ? WHERE article_id = ?",
        (record.extractor_version, article_id),
    )
    # updated_at is the re-extraction time, so ``export --since`` hands the change on.
    now = rows.ts(datetime.now(UTC))
    if tuple(row[:6]) == fresh:
        if tuple(row[8:]) == rows.field_values(record):
            return False
        rows.update_fields(conn, article_id, record, now)
        return True
    new_version(conn, article_id, record, fp, row[7], is_root=row[6] is None, now=now)
    return True
