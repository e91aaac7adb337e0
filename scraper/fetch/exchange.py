"""A request and its response as they crossed the wire, for the Fetcher's ``on_exchange``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

Headers = tuple[tuple[str, str], ...]  # (name, value) in wire order, names as sent


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


OnExchange = Callable[[Exchange], None]  # sees every response read whole (WARC out)


def exchange_of(
    request: httpx.Request, response: httpx.Response, raw: bytes, fetched_at: datetime
) -> Exchange:
    """The request and response as they crossed the wire, with the raw (encoded) body."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    reason = response.extensions.get("reason_phrase", b"")
    return Exchange(
        method=request.method,
        url=str(request.url),
        request_headers=tuple(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
        ),
        status=response.status_code,
        reason=reason.decode("latin-1") if isinstance(reason, bytes) else str(reason),
        response_headers=tuple(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
        ),
        body=raw,
        fetched_at=fetched_at,
        peer_ip=str(peer[0]) if isinstance(peer, tuple) and peer else None,
        http_version=response.http_version or "HTTP/1.1",
        refers_to_uri=str(request.url) if response.status_code == 304 else None,
    )
