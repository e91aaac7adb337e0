"""WARC library choice: reading speed of warcio and FastWARC on the same generated file.

Writes a WARC/1.1 file (per-record gzip, a request and a response record per page, half
the bodies gzip content-encoded as servers send them) of ``--pages`` simulator article
pages with warcio, then reads every response record's payload back, decoded of its
Content-Encoding, with each library, ``--repeat`` times interleaved.

    .venv/bin/python -m bench.warc_libs --pages 3000 --repeat 3
"""

from __future__ import annotations

import argparse
import gzip
import io
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.simulator.pages import article_page
from tests.simulator.site import Site, SiteConfig

DISTINCT = 60  # generating simulator articles is slow; the pages repeat under new URLs


def pages(count: int) -> list[tuple[str, bytes]]:
    """``count`` (url, html) pairs from simulator article pages."""
    site = Site(SiteConfig.uniform(publishers=3, articles=DISTINCT // 3))
    site.port = 8080
    html = []
    for art in site.articles:
        pub = site.publisher(art.host)
        assert pub is not None
        others = site.articles_of(art.host)[:5]
        html.append(
            (site.url(art), article_page(art, pub, site.base_url(art.host), others).encode())
        )
    return [(f"{html[i % len(html)][0]}?copy={i}", html[i % len(html)][1]) for i in range(count)]


def write(path: Path, count: int) -> None:
    """One WARC file of ``count`` request/response pairs, written by warcio."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        for i, (url, body) in enumerate(pages(count)):
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if i % 2:
                body = gzip.compress(body, 6)
                headers.append(("Content-Encoding", "gzip"))
            headers.append(("Content-Length", str(len(body))))
            resp = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            )
            req = writer.create_warc_record(
                url,
                "request",
                http_headers=StatusAndHeaders(
                    f"GET {url} HTTP/1.1", [("Host", "example")], is_http_request=True
                ),
            )
            writer.write_request_response_pair(req, resp)


def read_warcio(path: Path) -> tuple[int, int]:
    from warcio.archiveiterator import ArchiveIterator

    records = size = 0
    with path.open("rb") as f:
        for record in ArchiveIterator(f):
            if record.rec_type == "response":
                size += len(record.content_stream().read())
                records += 1
    return records, size


def read_fastwarc(path: Path) -> tuple[int, int]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    records = size = 0
    with path.open("rb") as f:  # gzip members detected (stream_detect)
        for record in ArchiveIterator(f, record_types=WarcRecordType.response, auto_decode="all"):
            size += len(record.reader.read())
            records += 1
    return records, size


def time_writer(folder: Path, count: int) -> tuple[float, float]:
    """Our WarcWriter: µs per page (request + response pair), raw and gzip bodies."""
    from datetime import UTC, datetime

    from scraper.fetch.exchange import Exchange
    from scraper.warc.writer import WarcWriter

    writer = WarcWriter(folder)
    items = pages(count)
    took = []
    for encoded in (False, True):
        start = time.perf_counter()
        for url, body in items:
            head = [("Content-Type", "text/html; charset=utf-8")]
            if encoded:
                body, head = gzip.compress(body, 6), [*head, ("Content-Encoding", "gzip")]
            writer.write(
                Exchange(
                    "GET",
                    url,
                    (("Host", "example"),),
                    200,
                    "OK",
                    tuple(head),
                    body,
                    datetime.now(UTC),
                    "127.0.0.2",
                )
            )
        took.append((time.perf_counter() - start) / count * 1e6)
    writer.close()
    return took[0], took[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.warc.gz"
        write(path, args.pages)
        mb = path.stat().st_size / 1e6
        best: dict[str, float] = {}
        for _ in range(args.repeat):
            for name, read in (("warcio", read_warcio), ("fastwarc", read_fastwarc)):
                start = time.perf_counter()
                records, size = read(path)
                took = time.perf_counter() - start
                assert records == args.pages, (name, records)
                best[name] = min(best.get(name, took), took)
        print(f"file: {args.pages} pages, {mb:.1f} MB gzip, {size / 1e6:.1f} MB payload")
        for name, took in best.items():
            print(
                f"{name:9s} {args.pages / took:8.0f} records/s {mb / took:7.1f} MB/s (gzip) "
                f"{size / 1e6 / took:7.1f} MB/s (payload)  best of {args.repeat}"
            )
        raw, encoded = time_writer(Path(tmp) / "ours", args.pages)
        print(
            f"WarcWriter: {raw:.0f} µs/page (body as HTML), {encoded:.0f} µs/page "
            f"(gzip body as sent), {size / args.pages / 1e3:.1f} KB pages"
        )


if __name__ == "__main__":
    main()
