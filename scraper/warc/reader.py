"""WARC files → the HTML pages in them: ``response`` records, bodies decoded within a cap.

Reads ``.warc`` and ``.warc.gz`` (one gzip member per record, as every crawler writes
them) with FastWARC, ours and others' alike. Common Crawl (CC-NEWS included) stores the
payload de-chunked and decoded and renames the framing headers (``X-Crawler-Content-
Encoding`` …); Heritrix and warcio keep the body as sent, chunked and gzipped. Both are
handled here: chunking is undone when the headers still say so, and the Content-Encoding
with :class:`~scraper.fetch.decoding.CappedDecoder`, the fetcher's own bounded decoder, so
a decompression bomb in a WARC costs a skipped record, not the memory of the machine.

Records that are not an HTML page answered 200 are skipped and counted by reason in
:class:`ReadStats`. A file that cannot be read gives one line (``path: reason``) to
``on_error`` and the next file is read.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

from fastwarc.warc import ArchiveIterator, WarcRecordType

from scraper.errors import FetchError
from scraper.fetch import CappedDecoder
from scraper.models import HTML_TYPES
from scraper.warc.pages import (
    DEFAULT_MAX_BYTES,
    WARC_SUFFIXES,
    ReadStats,
    WarcError,
    WarcPage,
)

_SNIFF = (b"<!doctype html", b"<html")


def warc_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their ``*.warc``/``*.warc.gz`` files (sorted, recursive).

    A file named explicitly is taken whatever its name (a crashed writer's ``.open`` file
    too); a folder never yields ``.open`` files, which a live crawl is still writing.
    WarcError names the first path that does not exist.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES))
            )
        elif path.is_file():
            out.append(path)
        elif path.exists():  # /dev/zero, a FIFO: endless or one-shot, never a WARC file
            raise WarcError(f"{path}: not a WARC file (not a regular file or folder)")
        else:
            raise WarcError(f"{path}: no such WARC file or folder")
    return list(dict.fromkeys(out))


def read_pages(
    paths: Iterable[Path],
    *,
    stats: ReadStats | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    resume: Callable[[Path], int | None] = lambda path: None,
    on_error: Callable[[str], None] = lambda line: None,
) -> Iterator[WarcPage]:
    """Every HTML 200 page of every file; ``resume(path)`` gives an offset already done."""
    stats = stats if stats is not None else ReadStats()
    for path in warc_files(paths):
        yield from _guarded(path, stats, max_bytes, resume(path), on_error)


def _guarded(
    path: Path, stats: ReadStats, max_bytes: int, after: int | None, on_error: Callable[[str], None]
) -> Iterator[WarcPage]:
    try:
        yield from iter_pages(path, after=after, stats=stats, max_bytes=max_bytes)
    except (WarcError, OSError, ValueError) as exc:
        line = str(exc) if isinstance(exc, WarcError) else f"{path}: {exc}"
        stats.failed_files.append(line)
        on_error(line)


def iter_pages(
    path: Path,
    *,
    after: int | None = None,
    stats: ReadStats | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Generator[WarcPage, None, None]:
    """HTML 200 pages of one file, from the record after offset ``after`` (if given).

    WarcError if the file holds no WARC record at all, or ends inside a record.
    """
    stats = stats if stats is not None else ReadStats()
    records = 0
    with path.open("rb") as stream:
        if after is not None:
            stream.seek(after)
        for record in ArchiveIterator(stream, parse_http=True, auto_decode="none"):
            records += 1
            offset = int(record.stream_pos)
            if after is not None and offset <= after:
                continue  # the record already done
            page = _page(record, path, offset, stats, max_bytes)
            if page is not None:
                stats.pages += 1
                yield page
    if records == 0 and after is None:
        raise WarcError(f"{path}: not a WARC file (no WARC record found)")


def _page(
    record: Any, path: Path, offset: int, stats: ReadStats, max_bytes: int
) -> WarcPage | None:
    if record.record_type != WarcRecordType.response:
        return None  # requests, warcinfo, metadata, revisits: nothing to extract
    http = record.http_headers
    if http is None or http.status_code is None:
        stats.skipped["not_http"] += 1
        return None
    headers = {name.lower(): value for name, value in http.astuples()}
    if http.status_code != 200:
        stats.skipped[f"http_{http.status_code}"] += 1
        return None
    declared = headers.get("content-type") or record.headers.get("WARC-Identified-Payload-Type", "")
    if declared and declared.split(";")[0].strip().lower() not in HTML_TYPES:
        stats.skipped["not_html"] += 1  # known before the body is read
        return None
    raw = record.reader.read(max_bytes + 1)
    if len(raw) > max_bytes:
        stats.skipped["too_large"] += 1
        return None
    expected = _int(headers.get("content-length"))
    if expected is not None and len(raw) < expected:
        raise WarcError(f"{path}: truncated record at offset {offset}")
    try:
        body = decode_body(raw, headers, max_bytes)
    except FetchError as exc:
        stats.skipped[exc.reason] += 1
        return None
    if not declared and not body.lstrip()[:20].lower().startswith(_SNIFF):
        stats.skipped["not_html"] += 1  # no type given: sniffed, as browsers do
        return None
    return WarcPage(
        url=record.headers.get("WARC-Target-URI", ""),
        fetched_at=record.record_date,
        status=200,
        headers=headers,
        body=body,
        path=path,
        offset=offset,
    )


def decode_body(raw: bytes, headers: dict[str, str], max_bytes: int) -> bytes:
    """Undo chunking and Content-Encoding; FetchError (reason ``bad_encoding`` …) if bad."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raw = dechunk(raw)
    encoding = headers.get("content-encoding", "")
    if not encoding.strip():
        return raw
    decoder = CappedDecoder(encoding, max_bytes)
    return decoder.feed(raw) + decoder.finish()


def dechunk(raw: bytes) -> bytes:
    """HTTP/1.1 chunked body → its bytes; a body that is not chunked after all is kept."""
    out: list[bytes] = []
    pos = 0
    while True:
        end = raw.find(b"\r\n", pos)
        size = _int(raw[pos:end].split(b";")[0].strip() or b"x", 16) if end >= 0 else None
        if size is None:
            return raw if not out else b"".join(out)  # not chunked, or cut short
        if size == 0:
            return b"".join(out)
        out.append(raw[end + 2 : end + 2 + size])
        pos = end + 2 + size + 2


def _int(value: str | bytes | None, base: int = 10) -> int | None:
    try:
        return int(value, base) if value is not None else None
    except ValueError:
        return None
