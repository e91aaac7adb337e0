"""Fault endpoints under ``/fault/`` on every host (``docs/hardening.md`` scenarios 1-16).

Each one is bounded in bytes and time so a test that ignores it still ends by itself.
Content faults (types, charsets, hostile feeds, monster pages) live in ``content.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from tests.simulator import bombs, content
from tests.simulator.http import Conn, Handled, Request, Response, head, http_date
from tests.simulator.state import State

Handler = Callable[[State, Request, Conn, list[str]], Awaitable[Response | Handled]]

HOLD_MAX = 60.0  # no endpoint keeps a connection longer than this (seconds)
ENDLESS_LIMIT = 200 * 1024 * 1024
WRITE = 64 * 1024


def _num(req: Request, key: str, default: float, hi: float) -> float:
    try:
        return max(0.0, min(float(req.query.get(key, default)), hi))
    except ValueError:
        return default


async def dispatch(state: State, req: Request, conn: Conn) -> Response | Handled:
    """Route ``/fault/<name>/<args…>``; unknown names answer 404."""
    parts = [p for p in req.path.split("/")[2:] if p]
    name = parts[0] if parts else ""
    handler = HANDLERS.get(name) or content.HANDLERS.get(name)
    if handler is None:
        return Response(404, b"unknown fault", "text/plain")
    return await handler(state, req, conn, parts[1:])


async def _status(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    code = int(args[0]) if args and args[0].isdigit() and 100 <= int(args[0]) <= 599 else 500
    headers: list[tuple[str, str]] = []
    if "retry_after" in req.query:  # passed verbatim: seconds, or anything malformed
        headers.append(("Retry-After", req.query["retry_after"]))
    if "retry_after_date" in req.query:  # RFC 9110 §10.2.3: an HTTP-date this many s ahead
        later = datetime.now(UTC) + timedelta(seconds=_num(req, "retry_after_date", 5, 1e7))
        headers.append(("Retry-After", http_date(later)))
    body = content.error_page(code)
    return Response(code, body, headers=tuple(headers))


async def _flaky(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    """Fails ``fails`` times with ``code`` (per key, per simulator), then serves an article."""
    key = args[0] if args else "default"
    hits = state.bump(f"flaky:{req.host}:{key}")
    if hits <= int(_num(req, "fails", 1, 1000)):
        code = int(_num(req, "code", 503, 599))
        extra: tuple[tuple[str, str], ...] = ()
        if "retry_after" in req.query:
            extra = (("Retry-After", req.query["retry_after"]),)
        elif "retry_after_date" in req.query:  # RFC 9110 §10.2.3: an HTTP-date, s ahead
            later = datetime.now(UTC) + timedelta(seconds=_num(req, "retry_after_date", 2, 1e7))
            extra = (("Retry-After", http_date(later)),)
        return Response(code, content.error_page(code), headers=extra)
    return Response(200, content.fault_article_html(state, req.host))


async def _article(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    return Response(200, content.fault_article_html(state, req.host))


async def _reset(state: State, req: Request, conn: Conn, args: list[str]) -> Handled:
    """RST, optionally after the head and ``after`` body bytes (scenario 2)."""
    after = int(_num(req, "after", 0, 1 << 20))
    if after:
        body = content.fault_article_html(state, req.host)
        await conn.send_head(200, head(200, [("Content-Length", str(len(body) + after))]))
        await conn.send(body[:after])
    conn.reset()
    return Handled(conn.status)


async def _short_body(state: State, req: Request, conn: Conn, args: list[str]) -> Handled:
    """Content-Length promises the whole page; only the first third arrives, then FIN."""
    body = content.fault_article_html(state, req.host)
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    await conn.send_head(200, head(200, headers) + body[: len(body) // 3])
    return Handled(200)


async def _chunked(state: State, req: Request, conn: Conn, args: list[str]) -> Handled:
    """Broken chunked encoding: ``truncated`` (no last chunk), ``bad-size``, ``short``."""
    kind = args[0] if args else "truncated"
    body = content.fault_article_html(state, req.host)
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")]
    await conn.send_head(200, head(200, headers))
    first = body[:1000]
    await conn.send(b"%x\r\n%s\r\n" % (len(first), first))
    if kind == "bad-size":
        await conn.send(b"zz-not-hex\r\n" + body[1000:2000] + b"\r\n")
    elif kind == "short":
        await conn.send(b"%x\r\n" % 4000 + body[1000:1100])
    return Handled(200)


async def _hang(state: State, req: Request, conn: Conn, args: list[str]) -> Handled:
    """Accepts the request, never answers; closes after ``hold`` seconds (scenario 6)."""
    await asyncio.sleep(_num(req, "hold", 30, HOLD_MAX))
    return Handled(0)


async def _drip(state: State, req: Request, conn: Conn, args: list[str]) -> Handled:
    """One byte every ``interval`` s (default 0.5), ``bytes`` in all (scenario 7).

    ``?head=1`` drips the response head too, so even the headers never finish in time.
    """
    interval = _num(req, "interval", 0.5, 5)
    size = int(_num(req, "bytes", 200, 1000))
    body = content.fault_article_html(state, req.host)[:size].ljust(size)
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(size))]
    raw = head(200, headers)
    deadline = time.monotonic() + HOLD_MAX * 2
    conn.status = 200
    data = raw + body if req.query.get("head") == "1" else body
    if req.query.get("head") != "1":
        await conn.send(raw)
    for i in range(len(data)):
        if time.monotonic() > deadline:
            break
        await conn.send(data[i : i + 1])
        await asyncio.sleep(interval)
    return Handled(200)


async def _huge_length(state: State, req: Request, conn: Conn, args: list[str]) -> Handled:
    """Announces ``length`` bytes (default 10 TB), sends 64 KiB, closes (scenario 9)."""
    length = int(_num(req, "length", 10**13, 10**15))
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(length))]
    await conn.send_head(200, head(200, headers) + b"<html><body>" + b"x" * WRITE)
    return Handled(200)


async def _endless(state: State, req: Request, conn: Conn, args: list[str]) -> Handled:
    """Chunked HTML without end, cut at ``limit_mb`` (default 200) or 60 s (scenario 10)."""
    limit = int(_num(req, "limit_mb", ENDLESS_LIMIT >> 20, 1024)) << 20
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")]
    await conn.send_head(200, head(200, headers))
    chunk = (b"<p>" + b"endless filler text " * 3270 + b"</p>\n")[:WRITE]
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent, deadline = 0, time.monotonic() + HOLD_MAX
    while sent < limit and time.monotonic() < deadline:
        await conn.send(frame)
        sent += len(chunk)
    return Handled(200)


_BOMBS: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "gzip": ("gzip", bombs.gzip_bomb),
    "deflate": ("deflate", bombs.deflate_bomb),
    "deflate-raw": ("deflate", lambda size: bombs.deflate_bomb(size, raw=True)),
    "br": ("br", bombs.brotli_bomb),
}


async def send_body(
    conn: Conn, status: int, headers: list[tuple[str, str]], body: bytes
) -> Handled:
    """Head with Content-Length, then the body in 64 KiB writes."""
    headers = headers + [("Content-Length", str(len(body))), ("Connection", "close")]
    await conn.send_head(status, head(status, headers))
    for i in range(0, len(body), WRITE):
        await conn.send(body[i : i + WRITE])
    return Handled(status)


async def _bomb(state: State, req: Request, conn: Conn, args: list[str]) -> Handled:
    """``/fault/bomb/<gzip|deflate|deflate-raw|br>?size_mb=1024``: decodes to spaces."""
    coding, build = _BOMBS.get(args[0] if args else "gzip", _BOMBS["gzip"])
    size = int(_num(req, "size_mb", 1024, 4095)) << 20
    body = await asyncio.to_thread(build, max(size, 1 << 20))
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", coding)]
    return await send_body(conn, 200, headers, body)


async def send_bomb_file(conn: Conn) -> Handled:
    """A ``.xml.gz`` sitemap that inflates to 1 GiB (sent as a file, no Content-Encoding)."""
    body = await asyncio.to_thread(bombs.sitemap_bomb)
    return await send_body(conn, 200, [("Content-Type", "application/x-gzip")], body)


async def _stacked(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    """An article gzipped ``layers`` times (default 5) with as many Content-Encoding entries."""
    layers = int(_num(req, "layers", 5, 50))
    body = bombs.stacked_gzip(content.fault_article_html(state, req.host), layers)
    coding = ("Content-Encoding", ", ".join(["gzip"] * layers))
    return Response(200, body, headers=(coding,))


async def _redirect_bomb(state: State, req: Request, conn: Conn, args: list[str]) -> Handled:
    """A 302 to ``to`` (default /fault/article) whose gzip body inflates to 1 GiB."""
    body = await asyncio.to_thread(bombs.gzip_bomb)
    headers = [
        ("Location", req.query.get("to", "/fault/article")),
        ("Content-Type", "text/html"),
        ("Content-Encoding", "gzip"),
    ]
    return await send_body(conn, int(_num(req, "code", 302, 399)), headers, body)


def _redirect_to(location: str, req: Request) -> Response:
    code = int(_num(req, "code", 302, 399))
    return Response(code, content.error_page(code), headers=(("Location", location),))


async def _loop(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    """``/fault/loop/a`` → ``/fault/loop/b`` → ``/fault/loop/a`` … (scenario 14)."""
    return _redirect_to("/fault/loop/b" if args[:1] == ["a"] else "/fault/loop/a", req)


async def _chain(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    """``/fault/chain/<n>`` redirects n times (relative Locations), then serves an article."""
    n = min(int(args[0]) if args and args[0].isdigit() else 3, 100)
    if n == 0:
        return Response(200, content.fault_article_html(state, req.host))
    return _redirect_to(f"/fault/chain/{n - 1}", req)


def redirect_targets(port: int) -> dict[str, str]:
    """Named hostile Locations for ``/fault/redirect/<name>`` (scenarios 15-16)."""
    return {
        "file": "file:///etc/passwd",
        "ftp": "ftp://127.0.0.1/pub/secret.txt",
        "data": "data:text/html;base64,PGgxPmhpPC9oMT4=",
        "javascript": "javascript:alert(document.cookie)",
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "mapped": f"http://[::ffff:127.0.0.1]:{port}/fault/article",
        "integer": f"http://2130706433:{port}/fault/article",
        "octal": f"http://0177.0.0.1:{port}/fault/article",
        "private": "http://10.0.0.1/",
        "loopback": f"http://127.0.0.1:{port}/fault/article",
        "localhost": f"http://localhost:{port}/fault/article",
    }


async def _redirect(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    """``/fault/redirect/<name>`` or ``/fault/redirect?to=<any Location>``."""
    targets = redirect_targets(state.port)
    location = targets.get(args[0], "") if args else req.query.get("to", "")
    if not location:
        return Response(404, b"unknown redirect target", "text/plain")
    return _redirect_to(location, req)


HANDLERS: dict[str, Handler] = {
    "status": _status,
    "flaky": _flaky,
    "article": _article,
    "reset": _reset,
    "short-body": _short_body,
    "chunked": _chunked,
    "hang": _hang,
    "no-headers": _hang,
    "drip": _drip,
    "huge-length": _huge_length,
    "endless": _endless,
    "bomb": _bomb,
    "stacked": _stacked,
    "redirect-bomb": _redirect_bomb,
    "loop": _loop,
    "chain": _chain,
    "redirect": _redirect,
}
