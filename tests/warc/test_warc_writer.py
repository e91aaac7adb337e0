"""WarcWriter: files an independent reader (warcio, digests checked) accepts, rotation, SIGKILL."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from scraper.warc.pages import WarcError
from scraper.warc.reader import iter_pages, read_pages, warc_files
from scraper.warc.writer import REVISIT_PROFILE, AsyncWarcWriter, WarcWriter
from tests.warc.helpers import exchange, sim_pages


def _records(path: Path) -> list[tuple[str, dict[str, str], bytes]]:
    """(type, WARC headers, decoded content) of every record, digests verified (raises)."""
    out = []
    with path.open("rb") as f:
        for rec in ArchiveIterator(f, check_digests="raise"):
            content = rec.content_stream().read()
            out.append((rec.rec_type, dict(rec.rec_headers.headers), content))
    return out


def _write_all(tmp_path: Path, **kwargs: object) -> WarcWriter:
    writer = WarcWriter(tmp_path, info={"robots": "obey"}, **kwargs)  # type: ignore[arg-type]
    for i, (url, _, html) in enumerate(sim_pages()):
        writer.write(exchange(url, html, i, encoded=bool(i % 2)))
    url, _, html = sim_pages()[0]
    writer.write(exchange(url, html, 99, status=304))
    writer.close()
    return writer


def test_files_validate_with_warcio_digests_and_pairs(tmp_path: Path) -> None:
    writer = _write_all(tmp_path)
    assert [p.name.endswith(".warc.gz") for p in writer.closed_files] == [True]
    records = _records(writer.closed_files[0])
    types = [t for t, _, _ in records]
    assert types[0] == "warcinfo" and types.count("warcinfo") == 1
    pages = sim_pages()
    responses = {h["WARC-Record-ID"]: (h, body) for t, h, body in records if t == "response"}
    # one response per fetched URL, the body as served once its gzip is undone
    assert sorted(h["WARC-Target-URI"] for h, _ in responses.values()) == sorted(
        u for u, _, _ in pages
    )
    assert {h["WARC-Target-URI"]: b for h, b in responses.values()} == {
        u: html for u, _, html in pages
    }
    requests = [h for t, h, _ in records if t == "request"]
    assert len(requests) == len(pages) + 1
    for req in requests:  # every request names its response (or revisit), same URI
        linked = [h for t, h, _ in records if h.get("WARC-Record-ID") == req["WARC-Concurrent-To"]]
        assert linked and linked[0]["WARC-Target-URI"] == req["WARC-Target-URI"]
    for h, _ in responses.values():
        assert h["WARC-Payload-Digest"].startswith("sha1:")
        assert h["WARC-IP-Address"] == "127.0.0.2" or h["WARC-IP-Address"] == "127.0.0.3"
        assert h["WARC-Date"].startswith("2026-05-04T12:00:")


def test_304_is_a_server_not_modified_revisit(tmp_path: Path) -> None:
    writer = _write_all(tmp_path)
    revisits = [h for t, h, _ in _records(writer.closed_files[0]) if t == "revisit"]
    assert len(revisits) == 1
    assert revisits[0]["WARC-Profile"] == REVISIT_PROFILE
    assert revisits[0]["WARC-Refers-To-Target-URI"] == sim_pages()[0][0]
    assert revisits[0]["WARC-Refers-To-Date"] == "2026-05-04T12:00:00.000000Z"


def test_a_tampered_record_fails_the_independent_check(tmp_path: Path) -> None:
    """The check above can fail: one changed byte in a body breaks its digest."""
    path = _write_all(tmp_path).closed_files[0]
    raw = gzip.decompress(path.read_bytes())
    bad = tmp_path / "bad.warc"
    bad.write_bytes(raw.replace(b'<h1 class="headline">', b'<h1 class="headlinX">', 1))
    with pytest.raises(ArchiveLoadFailed):
        _records(bad)


def test_rotation_by_size_each_file_with_its_warcinfo(tmp_path: Path) -> None:
    writer = _write_all(tmp_path, max_bytes=6_000)
    files = writer.closed_files
    assert len(files) >= 3
    assert sorted(tmp_path.iterdir()) == sorted(files)  # renamed: no .open left
    for path in files:
        assert path.name.startswith("newsarchiver-") and path.name.endswith(".warc.gz")
        types = [t for t, _, _ in _records(path)]
        assert types[0] == "warcinfo" and types.count("warcinfo") == 1
    uris = {h["WARC-Target-URI"] for p in files for t, h, _ in _records(p) if t == "response"}
    assert len(uris) == len(sim_pages())


def test_open_file_is_not_read_from_a_folder_until_closed(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    url, _, html = sim_pages()[0]
    writer.write(exchange(url, html))
    assert writer.current_path is not None and writer.current_path.name.endswith(".open")
    assert warc_files([tmp_path]) == []
    assert [p.url for p in iter_pages(writer.current_path)] == [url]  # named: readable
    writer.close()
    assert [p.url for p in read_pages([tmp_path])] == [url]


async def test_async_writer_keeps_order_off_the_loop(tmp_path: Path) -> None:
    writer = AsyncWarcWriter(WarcWriter(tmp_path))
    for i, (url, _, html) in enumerate(sim_pages()):
        await writer.write(exchange(url, html, i))
    await writer.close()
    assert [p.url for p in read_pages([tmp_path])] == [u for u, _, _ in sim_pages()]


_KILLED_WRITER = """
import sys
from pathlib import Path
from scraper.warc.writer import WarcWriter
from tests.warc.helpers import exchange, sim_pages
writer = WarcWriter(Path(sys.argv[1]))
url, _, html = sim_pages()[0]
i = 0
while True:
    writer.write(exchange(url + f"?n={i}", html * 20, i))
    i += 1
    if i == 50:
        print("written", flush=True)
"""


def test_sigkill_leaves_every_closed_record_readable(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(tmp_path)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).parents[2],
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"written"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    (path,) = tmp_path.iterdir()
    assert path.name.endswith(".warc.gz.open")
    urls = [p.url for p in iter_pages(path)]  # ours: a cut last record is the only loss
    assert len(urls) >= 50 and urls == [f"{urls[0].split('?')[0]}?n={i}" for i in range(len(urls))]
    data = path.read_bytes()
    members = _whole_members(data)  # every gzip member but possibly the last is whole
    assert len(members) >= 1 + 2 * len(urls)


def _whole_members(data: bytes) -> list[bytes]:
    import zlib

    members = []
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            members.append(d.decompress(data))
        except zlib.error:
            break
        if not d.eof:
            break  # the cut one
        data = d.unused_data
    return members


def test_decoded_body_gets_common_crawl_style_headers(tmp_path: Path) -> None:
    """A body stored decoded must not be announced as gzip: readers would decode it again."""
    url, _, html = sim_pages()[0]
    sent = exchange(url, html, encoded=True)
    writer = WarcWriter(tmp_path)
    writer.write(replace(sent, body=html, decoded=True))
    writer.close()
    ((_, headers, _),) = [r for r in _records(writer.closed_files[0]) if r[0] == "response"]
    with writer.closed_files[0].open("rb") as f:
        http = [r.http_headers for r in ArchiveIterator(f) if r.rec_type == "response"][0]
    assert http.get_header("Content-Encoding") is None
    assert http.get_header("X-Crawler-Content-Encoding") == "gzip"
    assert http.get_header("X-Crawler-Transfer-Encoding") == "chunked"
    assert http.get_header("Content-Length") == str(len(html))
    assert [p.body for p in read_pages(writer.closed_files)] == [html]


def test_unwritable_folder_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    writer = WarcWriter(tmp_path / "taken" / "warcs")
    url, _, html = sim_pages()[0]
    with pytest.raises(WarcError, match="cannot create a WARC file"):
        writer.write(exchange(url, html))
