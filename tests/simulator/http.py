"""A small HTTP/1.1 layer on asyncio streams: we own every byte, so faults can be exact."""

from __future__ import annotations

import asyncio
import gzip
import socket
import struct
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_HEADER_LINES = 100
KEEPALIVE_IDLE = 15.0  # seconds a kept-alive connection may sit idle before we close it


class BadRequest(Exception):
    """The client sent something that is not HTTP/1.x."""


@dataclass(frozen=True)
class Request:
    """One parsed request, with the local address it arrived on."""

    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    host: str  # local IP the client connected to
    port: int
    arrived: float  # time.monotonic() when the request line arrived
    version: str = "HTTP/1.1"

    def wants_close(self) -> bool:
        conn = self.headers.get("connection", "").lower()
        return conn == "close" or (self.version == "HTTP/1.0" and conn != "keep-alive")

    def accepts(self, coding: str) -> bool:
        offered = self.headers.get("accept-encoding", "").split(",")
        return coding in [c.split(";")[0].strip() for c in offered]


@dataclass(frozen=True)
class Response:
    """A complete response the server serialises (Content-Length, keep-alive)."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    compressible: bool = False  # gzip it when the client accepts gzip
    close: bool = False


@dataclass(frozen=True)
class Handled:
    """A handler wrote the response bytes itself; the connection is closed afterwards."""

    status: int


@dataclass
class Conn:
    """The client connection, for handlers that write raw bytes."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    number: int = 0
    closed: bool = field(default=False)
    status: int = 0  # status of the response whose head was sent on this request
    # time.monotonic() before which nothing of the current response may leave: the
    # request's arrival plus the simulated latency (0: no wait)
    not_before: float = 0.0

    async def send_head(self, status: int, data: bytes) -> None:
        """Send a response head (or more) and remember its status for the log."""
        self.status = status
        await self.send(data)

    async def send(self, data: bytes) -> None:
        await self.wait_turn()
        self.writer.write(data)
        await self.writer.drain()

    async def wait_turn(self) -> None:
        """Sleep until the response may leave (see ``not_before``)."""
        wait = self.not_before - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def reset(self) -> None:
        """Close with RST instead of FIN: SO_LINGER with a zero timeout (socket(7))."""
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()
        self.closed = True


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def head(status: int, headers: list[tuple[str, str]]) -> bytes:
    """Status line and header block, ending in the blank line."""
    lines = [f"HTTP/1.1 {status} {reason(status)}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def http_date(when: datetime | None = None) -> str:
    """An IMF-fixdate (RFC 9110 §5.6.7)."""
    return format_datetime(when or datetime.now(UTC), usegmt=True)


async def read_request(reader: asyncio.StreamReader, host: str, port: int) -> Request | None:
    """Read one request; None when the client closed or idled out between requests."""
    try:
        line = await asyncio.wait_for(reader.readline(), KEEPALIVE_IDLE)
    except (TimeoutError, ConnectionError, asyncio.LimitOverrunError, ValueError):
        return None
    if not line.strip():
        return None
    arrived = time.monotonic()
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(line[:80].decode("latin-1"))
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    if length:
        await reader.readexactly(min(length, 1 << 20))
    split = urlsplit(parts[1])
    return Request(
        method=parts[0].upper(),
        target=parts[1],
        path=unquote(split.path) or "/",
        query=dict(parse_qsl(split.query)),
        headers=headers,
        host=host,
        port=port,
        arrived=arrived,
        version=parts[2],
    )


def not_modified(req: Request, etag: str, last_modified: datetime) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison) wins over If-Modified-Since."""
    inm = req.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    ims = req.headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and last_modified.replace(microsecond=0) <= since
    return False


def serialise(req: Request, resp: Response) -> bytes:
    """Bytes of a complete response, gzip-encoded when asked and useful."""
    body = resp.body
    headers: list[tuple[str, str]] = [("Date", http_date()), ("Server", "publisher-sim/1")]
    if resp.content_type:
        headers.append(("Content-Type", resp.content_type))
    if resp.compressible:
        headers.append(("Vary", "Accept-Encoding"))
        if req.accepts("gzip") and len(body) > 512:
            body = gzip.compress(body, compresslevel=5, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
    headers.extend(resp.headers)
    headers.append(("Content-Length", str(len(body))))
    keep = not (resp.close or req.wants_close())
    headers.append(("Connection", "keep-alive" if keep else "close"))
    no_body = req.method == "HEAD" or resp.status in (204, 304) or resp.status < 200
    return head(resp.status, headers) + (b"" if no_body else body)
