"""Shared pieces of the WARC tests: simulator pages as exchanges, a Store over Archive."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from archive import Archive, StoreResult
from scraper.fetch.exchange import Exchange
from scraper.warc.ingest import Item, Progress
from tests.simulator.pages import article_page
from tests.simulator.site import Site, SiteConfig

T0 = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@cache
def sim_pages(per_host: int = 4, hosts: int = 2) -> tuple[tuple[str, str, bytes], ...]:
    """(url, title, html) of simulator article pages, on hosts 127.0.0.2, .3 …"""
    site = Site(SiteConfig.uniform(publishers=hosts, articles=per_host))
    site.port = 8080
    out = []
    for art in site.articles:
        pub = site.publisher(art.host)
        assert pub is not None
        html = article_page(art, pub, site.base_url(art.host), site.articles_of(art.host)[:4])
        out.append((site.url(art), art.title, html.encode()))
    return tuple(out)


def exchange(
    url: str, html: bytes, i: int = 0, *, encoded: bool = False, status: int = 200
) -> Exchange:
    """A GET of ``url`` answered with ``html`` (gzip content-encoded and chunked if asked)."""
    headers: list[tuple[str, str]] = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("ETag", f'"v{i}"'),
    ]
    body = html
    if encoded:
        body = gzip.compress(html)
        headers += [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    else:
        headers.append(("Content-Length", str(len(body))))
    if status == 304:
        body, headers = b"", [("ETag", f'"v{i}"')]
    return Exchange(
        method="GET",
        url=url,
        request_headers=(
            ("Host", url.split("/")[2]),
            ("User-Agent", "newsarchiver-test"),
            ("Accept-Encoding", "gzip, deflate, br"),
        ),
        status=status,
        reason="OK" if status == 200 else "Not Modified",
        response_headers=tuple(headers),
        body=body,
        fetched_at=T0 + timedelta(seconds=i),
        peer_ip=url.split("/")[2].split(":")[0],
        refers_to_uri=url if status == 304 else None,
        refers_to_date=T0 if status == 304 else None,
    )


def chunked(body: bytes, size: int = 1000) -> bytes:
    """``body`` in HTTP/1.1 chunked transfer coding."""
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


class ArchiveStore:
    """The Store seam over today's Archive, progress kept in a JSON file beside it."""

    def __init__(self, archive: Archive, progress_file: Path) -> None:
        self.archive = archive
        self.progress_file = progress_file
        self.batches = 0

    def store(self, items: Sequence[Item]) -> list[StoreResult]:
        self.batches += 1
        return self.archive.articles.store_many(
            [r for r, _ in items], fingerprints=[fp for _, fp in items]
        )

    def _all(self) -> dict[str, list[object]]:
        if not self.progress_file.exists():
            return {}
        data: dict[str, list[object]] = json.loads(self.progress_file.read_text())
        return data

    def progress(self, file: str) -> Progress | None:
        row = self._all().get(file)
        return Progress(file, row[0], bool(row[1])) if row else None  # type: ignore[arg-type]

    def save_progress(self, progress: Progress) -> None:
        data = self._all()
        data[progress.file] = [progress.offset, progress.finished]
        tmp = self.progress_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(self.progress_file)


def open_store(folder: Path, name: str) -> ArchiveStore:
    """A fresh archive ``name``.db in ``folder``, its progress beside it."""
    return ArchiveStore(Archive.open(folder / f"{name}.db"), folder / f"{name}.json")


class Killed(Exception):
    """What :class:`DiesAfter` raises in place of a killed process."""


class DiesAfter(ArchiveStore):
    """Stores ``batches`` batches, then dies as a killed process would, mid-ingest."""

    def __init__(self, store: ArchiveStore, batches: int) -> None:
        super().__init__(store.archive, store.progress_file)
        self.left = batches
        self.done = 0  # items stored

    def store(self, items: Sequence[Item]) -> list[StoreResult]:
        if self.left == 0:
            raise Killed
        self.left -= 1
        self.done += len(items)
        return super().store(items)


def article_texts(archive: Archive) -> dict[str, str]:
    """url → text of every root article (duplicates left out)."""
    rows = archive.conn.execute(
        "SELECT url, text FROM articles WHERE duplicate_of IS NULL"
    ).fetchall()
    return {url: text for url, text in rows}
