"""Hostile WARC input through the real ``scraper ingest``: truncated records and cut files.

ISO 28500 §5.13: a crawler that cuts a payload at its size cap marks the record
``WARC-Truncated``; the HTTP Content-Length then promises more than the record holds, but
the record itself is whole and the next one follows. A file that ends inside a record is
another matter: what follows its last whole record is unreadable, and the file is not done.
"""

from __future__ import annotations

import gzip
import io
import sqlite3
from contextlib import closing
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.test_e2e import run_cli
from tests.warc.helpers import sim_pages


def _response(
    writer: WARCWriter,
    url: str,
    payload: bytes,
    headers: list[tuple[str, str]],
    truncated: bool = False,
) -> None:
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(payload),
        length=len(payload),
        http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Truncated": "length"} if truncated else {},
    )
    writer.write_record(record)


def _pages(n: int) -> list[tuple[str, bytes]]:
    return [
        (u.replace("http://127.0.0.2:8080", "https://news.example.org"), html)
        for u, _, html in sim_pages(per_host=n, hosts=1)[:n]
    ]


def _truncated_warc(path: Path) -> tuple[list[str], str, str]:
    """Five pages, as Common Crawl or Heritrix write them at a size cap; page 1 is cut
    inside its closing boilerplate (still a usable article), page 3 is gzip-encoded and
    cut in its first bytes (nothing usable left). Returns (whole URLs, cut-but-usable URL,
    unusable URL)."""
    pages = _pages(5)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, (url, html) in enumerate(pages):
            if i == 1:
                cut = html[: int(len(html) * 0.9)]
                _response(
                    writer,
                    url,
                    cut,
                    [("Content-Type", "text/html"), ("Content-Length", str(len(html)))],
                    True,
                )
            elif i == 3:
                gz = gzip.compress(html)
                _response(
                    writer,
                    url,
                    gz[:20],
                    [
                        ("Content-Type", "text/html"),
                        ("Content-Encoding", "gzip"),
                        ("Content-Length", str(len(gz))),
                    ],
                    True,
                )
            else:
                _response(
                    writer,
                    url,
                    html,
                    [("Content-Type", "text/html"), ("Content-Length", str(len(html)))],
                )
    urls = [u for u, _ in pages]
    return [urls[0], urls[2], urls[4]], urls[1], urls[3]


def _archived(db: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return {u for (u,) in conn.execute("SELECT url FROM article_urls")}


def _progress(db: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        names = [r[1] for r in conn.execute("PRAGMA table_info(ingest_progress)")]
        finished = "finished" if "finished" in names else names[-1]
        return list(conn.execute(f"SELECT {finished} FROM ingest_progress"))


def test_truncated_record_costs_one_record_not_the_file(tmp_path: Path) -> None:
    warc = tmp_path / "cc-news.warc.gz"
    whole, usable, unusable = _truncated_warc(warc)
    db = tmp_path / "archive.db"
    result = run_cli("ingest", str(warc), "--db", str(db), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    stored = _archived(db)
    assert set(whole) <= stored  # the records after the cut ones are ingested
    assert usable in stored  # read as far as it goes: the article was there
    assert unusable not in stored
    assert "truncated 1" in result.stdout
    assert "1 ingested" in result.stdout and "0 unreadable" in result.stdout


def test_file_ending_inside_a_record_is_unreadable_and_not_done(tmp_path: Path) -> None:
    pages = _pages(3)
    full = tmp_path / "full.warc"
    with full.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        for url, html in pages:
            _response(
                writer, url, html, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]
            )
    raw = full.read_bytes()
    # cut inside the last page's payload: its WARC Content-Length declares what is gone
    cut = raw.index(pages[2][1][:200]) + 500
    warc = tmp_path / "cut.warc"
    warc.write_bytes(raw[:cut])
    full.unlink()
    db = tmp_path / "archive.db"
    first = run_cli("ingest", str(warc), "--db", str(db), "--quiet")
    assert first.returncode == 3, first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    assert "file ends inside the record" in first.stdout + first.stderr
    assert "0 ingested" in first.stdout and "1 unreadable" in first.stdout
    assert "unreadable 1" in first.stdout
    assert _archived(db) == {pages[0][0], pages[1][0]}
    assert all(not done for (done,) in _progress(db))
    # not marked done: a second ingest reads it again and says so again (nothing doubled)
    second = run_cli("ingest", str(warc), "--db", str(db), "--quiet")
    assert second.returncode == 3, second.stdout + second.stderr
    assert "0 already done" in second.stdout
    assert _archived(db) == {pages[0][0], pages[1][0]}
