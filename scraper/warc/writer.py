"""Fetched exchanges → WARC/1.1 files (ISO 28500): per-record gzip, rotated, crash-safe.

Each file starts with one ``warcinfo`` record; each fetch adds a ``request`` record and a
``response`` record (a ``revisit`` with the server-not-modified profile for a 304), the
request naming the response in ``WARC-Concurrent-To``; ``requests=False`` leaves the
request out (an export of stored pages, whose requests are gone). Records are built by warcio, which
computes ``WARC-Block-Digest`` and ``WARC-Payload-Digest`` (sha1, base32).

Crash safety: a record pair is built and gzipped in memory, then handed to the kernel in
one ``write`` on an unbuffered file, so a SIGKILL can only ever cut the pair being written;
every earlier gzip member is whole. A file is written as ``*.warc.gz.open`` and renamed
when closed (rotation at ``max_bytes``, or :meth:`WarcWriter.close`), so a reader of a
folder never takes a file still growing.

Cost: 180-370 µs per page of 6 KB on the 2-core test machine (``python -m
bench.warc_libs``), about a third of it gzip and the rest warcio's record building;
:class:`AsyncWarcWriter` runs it on one thread of its own so the event loop never waits
for the disk (the Python part still takes the GIL: ~1 % of a core at 50 pages/s).
"""

from __future__ import annotations

import asyncio
import io
import os
import socket
import zlib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter as _RecordBuilder

from scraper import __version__
from scraper.fetch import Exchange, Headers
from scraper.warc.pages import WarcError

DEFAULT_MAX_BYTES = 1_000_000_000  # 1 GB, the customary WARC file size (Heritrix, CC)
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
OPEN_SUFFIX = ".open"
# zlib's default. warcio's own gzip wrapper uses 9, which on article pages costs about
# the same and saves nothing measurable (bench/warc_libs.py); ours also makes the member
# in one call, so a record is whole in memory before it is written.
GZIP_LEVEL = 6
# Framing headers that stop being true once the body is stored decoded (Common Crawl
# renames them the same way, so readers neither re-decode nor mis-frame the payload).
_FRAMING = ("content-encoding", "transfer-encoding", "content-length")


def warc_date(when: datetime) -> str:
    """WARC/1.1 date: UTC, microseconds (the 1.1 spec allows fractions of a second)."""
    if when.tzinfo is None:
        raise ValueError("WARC dates need a timezone-aware datetime")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WarcWriter:
    """Writes exchanges into rotated ``.warc.gz`` files in ``directory``; synchronous.

    Not thread-safe: give it one thread (:class:`AsyncWarcWriter` does).
    """

    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        prefix: str = "newsarchiver",
        info: Mapping[str, object] | None = None,
        requests: bool = True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.info = dict(info or {})
        self.requests = requests  # False: response records only (an export of stored pages)
        self._clock = clock
        self._builder = _RecordBuilder(io.BytesIO(), gzip=False, warc_version="1.1")
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._size = 0
        self._serial = 0
        self.closed_files: list[Path] = []  # finished files, in order

    def write(self, exchange: Exchange) -> None:
        """Append the exchange's request and response (or revisit) records."""
        records = self._records(exchange)
        if self._file is None:
            self._open()
        self._append(b"".join(_gzip_member(self._serialise(r)) for r in records))
        if self._size >= self.max_bytes:
            self.close()

    def close(self) -> None:
        """Finish the current file: flush, close and drop the ``.open`` suffix."""
        if self._file is None or self._path is None:
            return
        self._file.close()
        final = self._path.with_name(self._path.name.removesuffix(OPEN_SUFFIX))
        self._path.replace(final)
        self.closed_files.append(final)
        self._file = self._path = None

    @property
    def current_path(self) -> Path | None:
        """The ``.open`` file being written, if any."""
        return self._path

    # -- files ---------------------------------------------------------------------------
    def _open(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._serial += 1
            stamp = self._clock().astimezone(UTC).strftime("%Y%m%d%H%M%S")
            host = socket.gethostname().split(".")[0] or "localhost"
            name = f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial:05d}-{host}.warc.gz"
            self._path = self.directory / (name + OPEN_SUFFIX)
            self._file = self._path.open("xb", buffering=0)
        except OSError as exc:
            raise WarcError(f"{self.directory}: cannot create a WARC file: {exc}") from None
        self._size = 0
        self._append(_gzip_member(self._serialise(self._warcinfo(name))))

    def _append(self, data: bytes) -> None:
        assert self._file is not None
        view = memoryview(data)
        try:
            while view:  # one write for small pairs; a loop only if the kernel splits it
                written = self._file.write(view)
                view = view[written or 0 :]
        except OSError as exc:
            raise WarcError(f"{self._path}: WARC write failed: {exc}") from None
        self._size += len(data)

    # -- records -------------------------------------------------------------------------
    def _warcinfo(self, filename: str) -> Any:
        fields = {
            "software": f"newsarchiver/{__version__} (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            **self.info,
        }
        return self._builder.create_warcinfo_record(filename, fields)

    def _records(self, ex: Exchange) -> list[Any]:
        date = warc_date(ex.fetched_at)
        common = {"WARC-Date": date, **({"WARC-IP-Address": ex.peer_ip} if ex.peer_ip else {})}
        status = StatusAndHeaders(
            f"{ex.status} {ex.reason}".strip(),
            list(_response_headers(ex)),
            protocol=ex.http_version,
        )
        if ex.not_modified:
            response = self._builder.create_warc_record(
                ex.url,
                "revisit",
                http_headers=status,
                warc_headers_dict={**common, **_refers_to(ex)},
            )
        else:
            response = self._builder.create_warc_record(
                ex.url,
                "response",
                payload=io.BytesIO(ex.body),
                length=len(ex.body),
                http_headers=status,
                warc_headers_dict=common,
            )
        if not self.requests:
            return [response]
        parts = urlsplit(ex.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = self._builder.create_warc_record(
            ex.url,
            "request",
            http_headers=StatusAndHeaders(
                f"{ex.method} {target} {ex.http_version}",
                list(ex.request_headers),
                is_http_request=True,
            ),
            warc_headers_dict={
                **common,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        return [response, request]

    @staticmethod
    def _serialise(record: Any) -> bytes:
        out = io.BytesIO()  # gzip is ours (one member per record, level GZIP_LEVEL)
        _RecordBuilder(out, gzip=False, warc_version="1.1").write_record(record)
        return out.getvalue()


class AsyncWarcWriter:
    """A :class:`WarcWriter` on one thread of its own: ``await write(exchange)`` from asyncio.

    The one worker thread keeps records in call order and the writer single-threaded;
    sha1, gzip and ``write`` release the GIL, so the event loop runs on meanwhile.
    """

    def __init__(self, writer: WarcWriter) -> None:
        self.writer = writer
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-writer")

    async def write(self, exchange: Exchange) -> None:
        """Write one exchange on the writer thread; WarcError if the disk refuses."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self.writer.write, exchange)

    def submit(self, exchange: Exchange) -> Future[None]:
        """Queue one exchange for the writer thread without waiting (the fetcher's hook)."""
        return self._thread.submit(self.writer.write, exchange)

    async def close(self) -> None:
        """Finish writing, close the current file and stop the thread."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self.writer.close)
        self._thread.shutdown(wait=True)


def _gzip_member(data: bytes) -> bytes:
    return zlib.compress(data, GZIP_LEVEL, wbits=16 + zlib.MAX_WBITS)  # gzip framing


def _response_headers(ex: Exchange) -> Iterable[tuple[str, str]]:
    """Headers as received, with framing made true to the stored body.

    The body is stored de-chunked, so Transfer-Encoding is renamed; a decoded body also
    renames Content-Encoding and Content-Length. Content-Length is then set to the stored
    length (WARC readers frame the payload by it when it is there).
    """
    renamed = _FRAMING if ex.decoded else ("transfer-encoding",)
    out: Headers = tuple(
        (f"X-Crawler-{name}" if name.lower() in renamed else name, value)
        for name, value in ex.response_headers
    )
    lengths = [v for n, v in out if n.lower() == "content-length"]
    if ex.not_modified or lengths == [str(len(ex.body))]:
        return out
    kept = tuple((n, v) for n, v in out if n.lower() != "content-length")
    return (*kept, ("Content-Length", str(len(ex.body))))


def _refers_to(ex: Exchange) -> dict[str, str]:
    fields = {"WARC-Profile": REVISIT_PROFILE}
    if ex.refers_to_uri:
        fields["WARC-Refers-To-Target-URI"] = ex.refers_to_uri
    if ex.refers_to_date is not None:
        fields["WARC-Refers-To-Date"] = warc_date(ex.refers_to_date)
    return fields
