"""Streaming export of the archive for analysis: JSON Lines, CSV or Parquet.

Rows come from one cursor in ``updated_at`` order (an index walk, no sort), fetched in
batches, so memory stays flat whatever the archive size. ``since`` keeps articles created
or changed at or after that moment: a downstream job passes the time of its last run.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlite_utils import Database

from archive.errors import ArchiveError
from archive.rows import ts

FORMATS = ("jsonl", "csv", "parquet")
COLUMNS: tuple[str, ...] = (
    "id", "url", "urls", "title", "text", "authors", "published", "language", "site",
    "fetched_at", "updated_at", "content_hash", "duplicate_of", "version",
)  # fmt: skip
# Issue 16's fields, after the others so existing readers of a CSV keep their columns.
# images and live_updates are JSON arrays of objects: decoded in JSON Lines, JSON text in
# CSV and Parquet.
FIELD_COLUMNS = (
    "published_source", "modified", "modified_source", "language_source", "access",
    "images", "live_updates", "pages",
)  # fmt: skip
_OBJECT_COLUMNS = frozenset({"images", "live_updates"})
COLUMNS = COLUMNS + FIELD_COLUMNS
_LIST_COLUMNS = frozenset({"urls", "authors"})
_BATCH = 100  # rows per Parquet row group: ~100 article texts in memory
_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_QUERY = """
SELECT a.id, a.url,
       (SELECT json_group_array(url) FROM
           (SELECT url FROM article_urls WHERE article_id = a.id ORDER BY first_seen, url))
           AS urls,
       a.title, a.text, a.authors, a.published, a.language, a.site, a.fetched_at,
       a.updated_at, a.content_hash, a.duplicate_of, a.version,
       a.published_source, a.modified, a.modified_source, a.language_source, a.access,
       a.images, a.live_updates, a.pages
FROM articles a INDEXED BY articles_updated
WHERE a.updated_at >= ? AND (? OR a.duplicate_of IS NULL)
ORDER BY a.updated_at, a.id
"""


def parse_since(text: str) -> datetime:
    """An ISO 8601 date or datetime (naive means UTC), or a span back from now: 30m 24h 7d 2w."""
    rel = _RELATIVE.match(text)
    if rel:
        span = timedelta(**{_UNITS[rel.group(2).lower()]: float(rel.group(1))})
        return datetime.now(UTC) - span
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--since {text!r}: expected an ISO date/time (2024-05-01, 2024-05-01T06:00Z) "
            "or a span such as 24h, 7d, 2w"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iter_rows(
    db: Database, *, since: datetime | None = None, include_duplicates: bool = False
) -> Iterator[dict[str, Any]]:
    """Articles as export rows (lists decoded), oldest change first."""
    # sqlite-utils' query() fetches lazily from one cursor; the SQL is written out because
    # rows_where cannot add the URL list subquery or force the index walk.
    for item in db.query(_QUERY, (ts(since) if since else "", int(include_duplicates))):
        item["urls"] = json.loads(item["urls"] or "[]")
        item["authors"] = json.loads(item["authors"] or "[]")
        for name in _OBJECT_COLUMNS:
            item[name] = json.loads(item[name] or "[]")
        yield item


def export(
    archive: Any,
    out: IO[str] | IO[bytes] | Path,
    *,
    fmt: str = "jsonl",
    since: datetime | None = None,
    include_duplicates: bool = False,
) -> int:
    """Write the archive to ``out`` in ``fmt``; return the number of articles written."""
    if fmt not in FORMATS:
        raise ArchiveError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    items = iter_rows(archive.db, since=since, include_duplicates=include_duplicates)
    try:
        if fmt == "parquet":
            return _write_parquet(items, out)
        with ExitStack() as stack:
            stream = _text_stream(out, stack)
            return _write_jsonl(items, stream) if fmt == "jsonl" else _write_csv(items, stream)
    except sqlite3.Error as exc:
        raise ArchiveError(f"{archive.path}: export failed: {exc}") from exc
    except OSError as exc:
        raise ArchiveError(f"export: cannot write ({exc.strerror or exc})") from exc


def _text_stream(out: IO[str] | IO[bytes] | Path, stack: ExitStack) -> IO[str]:
    if isinstance(out, Path):
        return stack.enter_context(out.open("w", encoding="utf-8", newline=""))
    if isinstance(out, io.TextIOBase):
        return out  # type: ignore[return-value]
    wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="")  # type: ignore[arg-type,type-var]
    stack.callback(wrapper.detach)  # flush into the caller's stream but leave it open
    stack.callback(wrapper.flush)
    return wrapper


def _write_jsonl(items: Iterator[dict[str, Any]], stream: IO[str]) -> int:
    count = 0
    for count, item in enumerate(items, 1):  # noqa: B007 - count is the result
        stream.write(json.dumps(item, ensure_ascii=False) + "\n")
    return count


def _write_csv(items: Iterator[dict[str, Any]], stream: IO[str]) -> int:
    writer = csv.writer(stream)  # RFC 4180 quoting: text holds commas, quotes and newlines
    writer.writerow(COLUMNS)
    count = 0
    for count, item in enumerate(items, 1):  # noqa: B007 - count is the result
        writer.writerow(
            json.dumps(v, ensure_ascii=False) if k in _LIST_COLUMNS | _OBJECT_COLUMNS else v
            for k, v in item.items()
        )
    return count


def _write_parquet(items: Iterator[dict[str, Any]], out: IO[str] | IO[bytes] | Path) -> int:
    try:
        import pyarrow as pa  # type: ignore[import-not-found]
        import pyarrow.parquet as pq  # type: ignore[import-not-found]
    except ImportError:
        raise ArchiveError(
            "parquet export needs pyarrow: pip install 'newsarchiver[parquet]'"
        ) from None
    kinds = {"id": pa.int64(), "duplicate_of": pa.int64(), "version": pa.int64(),
             "pages": pa.int64()}
    kinds.update({c: pa.list_(pa.string()) for c in _LIST_COLUMNS})
    schema = pa.schema([(c, kinds.get(c, pa.string())) for c in COLUMNS])
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict[str, Any]] = []
        for item in items:
            batch.append({k: json.dumps(v, ensure_ascii=False) if k in _OBJECT_COLUMNS else v
                          for k, v in item.items()})
            count += 1
            if len(batch) == _BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return count
