"""Streaming export of the archive for analysis: JSON Lines, CSV or Parquet.

Rows come from one cursor in ``updated_at`` order (an index walk, no sort), fetched in
batches, so memory stays flat whatever the archive size. The fields are the record of
:mod:`archive.fields`, the same as ``extract`` and ``search --json`` use. Parquet is
written in large row groups (a reader scans fewer, larger chunks) with real timestamp
columns; only that format holds a row group's rows in memory. ``since`` keeps articles created
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
from archive.fields import BY_NAME, EXPORT, fields_of
from archive.rows import ts

FORMATS = ("jsonl", "csv", "parquet")
SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
COLUMNS = fields_of(EXPORT)
_LIST_COLUMNS = frozenset(c for c in COLUMNS if BY_NAME[c].kind == "list of text")
# images and live_updates: decoded objects in JSON Lines, JSON text in CSV and Parquet
_OBJECT_COLUMNS = frozenset(c for c in COLUMNS if BY_NAME[c].kind == "list of objects")
_JSON_IN_CSV = _LIST_COLUMNS | _OBJECT_COLUMNS  # written as JSON text in a CSV cell
# A Parquet row group closes at this many rows or characters of text, whichever first:
# each write_table call makes at least one row group, so rows are gathered first.
ROW_GROUP_ROWS = 50_000
ROW_GROUP_CHARS = 64 * 1024 * 1024
_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# The select list follows COLUMNS, so CSV rows line up with the header by construction.
_URLS = (
    "(SELECT json_group_array(url) FROM (SELECT url FROM article_urls "
    "WHERE article_id = a.id ORDER BY first_seen, url)) AS urls"
)
_QUERY = (
    "SELECT "
    + ", ".join(_URLS if c == "urls" else f"a.{c}" for c in COLUMNS)
    + " FROM articles a INDEXED BY articles_updated"
    " WHERE a.updated_at >= ? AND (? OR a.duplicate_of IS NULL)"
    " ORDER BY a.updated_at, a.id"
)


def parse_since(text: str) -> datetime:
    """An ISO 8601 date or datetime (naive means UTC), or a span back from now: 30m 24h 7d 2w."""
    rel = _RELATIVE.match(text)
    if rel:
        try:
            span = timedelta(**{_UNITS[rel.group(2).lower()]: float(rel.group(1))})
            return datetime.now(UTC) - span
        except OverflowError:  # 99999999999d: before year 1
            raise ValueError(f"--since {text!r}: too far back (before year 1)") from None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--since {text!r}: expected an ISO date/time (2024-05-01, 2024-05-01T06:00Z) "
            "or a span such as 24h, 7d, 2w"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_for(path: Path) -> str | None:
    """The export format a file name asks for by its suffix, or None."""
    return SUFFIXES.get(path.suffix.lower())


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
            json.dumps(v, ensure_ascii=False) if k in _JSON_IN_CSV else v for k, v in item.items()
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
    kinds = {
        "integer": pa.int64(),
        "list of text": pa.list_(pa.string()),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "date": pa.timestamp("us", tz="UTC"),
    }
    schema = pa.schema([(c, kinds.get(BY_NAME[c].kind, pa.string())) for c in COLUMNS])
    moments = [c for c in COLUMNS if BY_NAME[c].kind in ("timestamp", "date")]
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        group: list[dict[str, Any]] = []
        chars = 0
        for item in items:
            for column in moments:
                item[column] = _moment(item[column])
            for column in _OBJECT_COLUMNS:
                item[column] = json.dumps(item[column], ensure_ascii=False)
            group.append(item)
            count += 1
            chars += len(item["text"] or "")
            if len(group) >= ROW_GROUP_ROWS or chars >= ROW_GROUP_CHARS:
                writer.write_table(pa.Table.from_pylist(group, schema=schema))
                group, chars = [], 0
        if group:
            writer.write_table(pa.Table.from_pylist(group, schema=schema))
    return count


def _moment(text: str | None) -> datetime | None:
    """A stored ISO 8601 time as an aware datetime (UTC when it has no offset); None if not."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None  # an unparseable date from an old archive: left out, not fatal
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
