"""Reading one response: the type and length gates, the capped body, a discarded body.

Split from :mod:`scraper.fetch.fetcher`, which decides what to request; these only read
what came back.
"""

from __future__ import annotations

from datetime import datetime

import httpx

from archive import Reason
from scraper.errors import FetchError, TooLargeError
from scraper.fetch.decoding import CappedDecoder
from scraper.models import Page

DISCARD_MAX = 16 * 1024  # a 3xx/4xx/5xx body read (and dropped) to keep its connection


async def discard_small_body(response: httpx.Response) -> None:
    """Read a 304's, a short redirect's or error page's body to its end, keeping its connection.

    httpcore closes a connection whose response is closed unread. A body announced longer
    than DISCARD_MAX, or without a length, is not read at all: the connection goes instead.
    """
    length = response.headers.get("content-length", "")
    if response.status_code != 304 and not (length.isdigit() and int(length) <= DISCARD_MAX):
        return
    try:
        async for _ in response.aiter_raw():
            pass
    except httpx.HTTPError:
        pass  # the Location is what mattered; the connection is dropped


def check_type(url: str, response: httpx.Response, accept: tuple[str, ...] | None) -> None:
    """Refuse a body whose Content-Type is none of ``accept`` (None: any)."""
    if not accept:
        return
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and not any(ctype.startswith(a) for a in accept):
        raise FetchError(
            f"content type {ctype!r} is not an article page: {url[:200]}", reason=Reason.NOT_HTML
        )


def check_length(url: str, response: httpx.Response, cap: int, truncate: bool) -> None:
    """Refuse a body whose Content-Length is over ``cap`` before reading any of it."""
    raw = response.headers.get("content-length")
    if raw is None or truncate:
        return
    try:
        length = int(raw)
    except ValueError:
        return
    if length > cap:
        raise TooLargeError(f"Content-Length {length} over the cap of {cap}: {url[:200]}")


async def read_body(
    response: httpx.Response,
    cap: int,
    truncate: bool,
    max_encodings: int,
    raw: list[bytes] | None = None,
) -> bytes:
    """The decoded body, at most ``cap`` bytes: over it, an error (or cut, ``truncate``)."""
    # In truncate mode (robots.txt: RFC 9309 asks parsers to read at least 500 KiB) what
    # lies past the cap is dropped rather than failing the fetch. ``raw`` collects the
    # chunks as received (WARC out): references to them, not copies, until joined.
    decoder = CappedDecoder(
        response.headers.get("content-encoding", ""),
        cap * 2 if truncate else cap,
        max_encodings=max_encodings,
    )
    parts: list[bytes] = []
    try:
        async for chunk in response.aiter_raw():
            if raw is not None:
                raw.append(chunk)
            parts.append(decoder.feed(chunk))
            if truncate and decoder.total >= cap:
                return b"".join(parts)[:cap]
        parts.append(decoder.finish())
    except TooLargeError:
        if not truncate:
            raise
    return b"".join(parts)[:cap]


def page_from(url: str, response: httpx.Response, body: bytes, fetched_at: datetime) -> Page:
    """The Page of one response (header names lower-cased)."""
    headers = {k.lower(): v for k, v in response.headers.items()}
    return Page(url, str(response.url), response.status_code, headers, body, fetched_at)
