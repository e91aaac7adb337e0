"""The frozen records crossing scraper.warc's seams, and its one error type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scraper.errors import ScraperError

Headers = tuple[tuple[str, str], ...]  # (name, value) in wire order, names as sent


class WarcError(ScraperError):
    """A WARC file cannot be written or read; the message is one line naming the file."""


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response as they crossed the wire, for the WARC writer.

    ``body`` is what followed the response head: with ``decoded=False`` still
    content-encoded (chunking removed), with ``decoded=True`` already decoded of its
    Content-Encoding, in which case the writer renames the framing headers the way
    Common Crawl does (``X-Crawler-Content-Encoding`` …) so that the record stays true.
    """

    method: str
    url: str
    request_headers: Headers
    status: int
    reason: str
    response_headers: Headers
    body: bytes
    fetched_at: datetime  # timezone-aware: when the response head arrived
    peer_ip: str | None = None
    http_version: str = "HTTP/1.1"
    decoded: bool = False
    # For a 304: the earlier capture it confirms (the archive's fetch time of the copy).
    refers_to_uri: str | None = None
    refers_to_date: datetime | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class WarcPage:
    """One HTML response read from a WARC file, its body decoded, with where it was found."""

    url: str  # WARC-Target-URI
    fetched_at: datetime  # WARC-Date, timezone-aware
    status: int
    headers: dict[str, str]  # HTTP response headers, lower-cased names (last one wins)
    body: bytes  # decoded of chunking and Content-Encoding
    path: Path  # the WARC file
    offset: int  # the record's first byte in the file: an ingest resumes past it
    truncated: bool = False  # its payload was cut (WARC-Truncated, or short of its length)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    # A WARC response is one capture: no redirects to follow, requested = final URL.
    @property
    def requested_url(self) -> str:
        return self.url

    @property
    def final_url(self) -> str:
        return self.url

    @property
    def redirects(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class Progress:
    """How far an ingest got in one file: past the record at ``offset``, or ``finished``."""

    file: str  # the resolved path
    offset: int | None = None
    finished: bool = False
