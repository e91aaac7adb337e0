"""Reader: WARCs written by other tools (CC-NEWS style, Heritrix style), skips, bad files."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.warc.pages import ReadStats, WarcError
from scraper.warc.reader import iter_pages, read_pages
from tests.warc.helpers import chunked, sim_pages


def _response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    headers: list[tuple[str, str]],
    status: str = "200 OK",
    ip: str = "93.184.216.34",
) -> None:
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-IP-Address": ip, "WARC-Identified-Payload-Type": "text/html"},
    )
    writer.write_record(record)


def write_foreign_warc(path: Path) -> list[tuple[str, bytes]]:
    """A WARC/1.0 file as CC-NEWS and Heritrix write them, with warcio's own writer.

    Page 0 stored decoded with X-Crawler-* headers (Common Crawl); page 1 chunked and
    gzipped as sent (Heritrix); page 2 gzip only; then a 404, a PDF and a metadata record.
    """
    pages = [
        (u.replace("http://127.0.0.2:8080", "https://news.example.org"), h)
        for u, _, h in sim_pages()[:3]
    ]
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "other"}))
        (u0, h0), (u1, h1), (u2, h2) = pages
        _response(
            writer,
            u0,
            h0,
            [
                ("Content-Type", "text/html"),
                ("X-Crawler-Content-Encoding", "gzip"),
                ("X-Crawler-Transfer-Encoding", "chunked"),
                ("Content-Length", str(len(h0))),
            ],
        )
        _response(
            writer,
            u1,
            chunked(gzip.compress(h1)),
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Transfer-Encoding", "chunked"),
                ("Content-Encoding", "gzip"),
            ],
        )
        gz = gzip.compress(h2)
        _response(
            writer,
            u2,
            gz,
            [
                ("Content-Type", "text/html"),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(gz))),
            ],
        )
        _response(
            writer, u0 + "x", b"gone", [("Content-Type", "text/html")], status="404 Not Found"
        )
        _response(writer, u0 + ".pdf", b"%PDF-1.4", [("Content-Type", "application/pdf")])
        writer.write_record(
            writer.create_warc_record(
                u0,
                "metadata",
                payload=io.BytesIO(b"via: x\r\n"),
                length=8,
                warc_content_type="application/warc-fields",
            )
        )
    return pages


def test_foreign_warc_pages_decoded_and_others_counted(tmp_path: Path) -> None:
    pages = write_foreign_warc(tmp_path / "CC-NEWS-20260504.warc.gz")
    stats = ReadStats()
    got = list(read_pages([tmp_path], stats=stats))
    assert [(p.url, p.body) for p in got] == pages
    assert stats.skipped == {"http_404": 1, "not_html": 1}
    assert got[0].fetched_at.tzinfo is not None and got[0].status == 200
    assert got[1].headers["content-type"] == "text/html; charset=utf-8"
    # offsets point at records: resuming past the first gives the rest
    assert [p.url for p in iter_pages(got[0].path, after=got[0].offset)] == [
        u for u, _ in pages[1:]
    ]


def test_uncompressed_warc_reads_the_same(tmp_path: Path) -> None:
    pages = write_foreign_warc(tmp_path / "a.warc.gz")
    (tmp_path / "b.warc").write_bytes(gzip.decompress((tmp_path / "a.warc.gz").read_bytes()))
    got = list(read_pages([tmp_path / "b.warc"]))
    assert [(p.url, p.body) for p in got] == pages


def test_bomb_in_a_record_is_skipped_within_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "bomb.warc.gz"
    bomb = gzip.compress(b"<html>" + b"a" * 50_000_000)
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        _response(
            writer,
            "https://x.example/bomb",
            bomb,
            [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        )
        _response(
            writer,
            "https://x.example/ok",
            b"<html><p>fine</p></html>",
            [("Content-Type", "text/html")],
        )
    stats = ReadStats()
    got = list(read_pages([path], stats=stats, max_bytes=1_000_000))
    assert [p.url for p in got] == ["https://x.example/ok"]
    assert stats.skipped == {"too_large": 1}


def test_bad_files_one_line_each_and_the_rest_still_read(tmp_path: Path) -> None:
    pages = write_foreign_warc(tmp_path / "good.warc.gz")
    (tmp_path / "garbage.warc").write_bytes(b"this is not a WARC file\n" * 50)
    (tmp_path / "empty.warc.gz").write_bytes(b"")
    good = (tmp_path / "good.warc.gz").read_bytes()
    raw = gzip.decompress(good)
    cut = raw.index(f"WARC-Target-URI: {pages[2][0]}".encode()) + 1500  # in its body
    (tmp_path / "cut.warc").write_bytes(raw[:cut])
    lines: list[str] = []
    got = list(read_pages([tmp_path], on_error=lines.append))
    assert len(got) == 3 + 2  # good.warc.gz, and cut.warc up to its damaged last page
    assert sorted(line.split(":")[0] for line in lines) == sorted(
        str(tmp_path / n) for n in ("cut.warc", "empty.warc.gz", "garbage.warc")
    )
    assert all("\n" not in line and "Traceback" not in line for line in lines)


def test_missing_path_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarcError, match=r"nope\.warc\.gz: no such WARC file or folder"):
        list(read_pages([tmp_path / "nope.warc.gz"]))


def test_untyped_responses_are_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "untyped.warc.gz"
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for name, body in (
            ("page", b"  <!DOCTYPE html><html><p>x</p></html>"),
            ("json", b'{"not": "html"}'),
        ):
            record = writer.create_warc_record(
                f"https://x.example/{name}",
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders("200 OK", [], protocol="HTTP/1.1"),
            )
            writer.write_record(record)
    stats = ReadStats()
    assert [p.url for p in read_pages([path], stats=stats)] == ["https://x.example/page"]
    assert stats.skipped == {"not_html": 1}
