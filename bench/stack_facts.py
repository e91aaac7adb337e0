"""Re-measure the library behaviours ``docs/hardening.md`` relies on, on the installed stack.

Run: ``PYTHONPATH=. .venv/bin/python -m bench.stack_facts`` (loopback only, about 5 s).
Each line states one fact with the figure measured now, so a library upgrade that changes
one shows up here before it shows up in a night's crawl.
"""

from __future__ import annotations

import asyncio
import gzip
import importlib.util
import time
from importlib.metadata import version

import brotli
import httpx
import protego
import tenacity

_MIB = 1024 * 1024


def _largest_decoded_chunk(body: bytes, encoding: str) -> int:
    """The biggest piece ``aiter_bytes()`` hands out for a compressed body sent in one piece."""

    async def run() -> int:
        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers={"Content-Encoding": encoding}, content=body)

        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            async with client.stream("GET", "http://bomb.test/") as response:
                return max([len(chunk) async for chunk in response.aiter_bytes()], default=0)

    return asyncio.run(run())


def decompression() -> list[str]:
    zeros = bytes(64 * _MIB)
    gz, br = gzip.compress(zeros, 9), brotli.compress(zeros, quality=11)
    return [
        f"gzip: {len(gz) // 1024} KiB on the wire → one decoded chunk of "
        f"{_largest_decoded_chunk(gz, 'gzip') / _MIB:.0f} MiB",
        f"brotli: {len(br)} bytes on the wire → one decoded chunk of "
        f"{_largest_decoded_chunk(br, 'br') / _MIB:.0f} MiB",
    ]


async def _drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")
    for left in range(11, -1, -1):
        writer.write(b"x")
        await writer.drain()
        if left:
            await asyncio.sleep(0.4)
    writer.close()


def read_timeout() -> str:
    async def run() -> float:
        server = await asyncio.start_server(_drip, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, httpx.AsyncClient(timeout=httpx.Timeout(2.0)) as client:
            start = time.monotonic()
            await client.get(f"http://127.0.0.1:{port}/")
            return time.monotonic() - start

    return (
        f"Timeout(2.0) on a body dripping 1 byte every 0.4 s: done after {asyncio.run(run()):.1f} s"
    )


def redirects() -> str:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "public.test":
            return httpx.Response(
                302, headers={"Location": "http://127.0.0.1/admin"}, content=b"z" * 1000
            )
        return httpx.Response(200, content=b"inside")

    with httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True) as client:
        final = client.get("http://public.test/")
    hop = final.history[0]
    return (
        f"follow_redirects=True: public.test → {final.url} followed (status {final.status_code}); "
        f"the 302's body read first: {len(hop.content)} bytes"
    )


def charset() -> str:
    page = '<html><head><meta charset="windows-1252"></head><body>Café</body></html>'
    response = httpx.Response(
        200, headers={"Content-Type": "text/html"}, content=page.encode("cp1252")
    )
    lost = response.text.count("\ufffd")
    return f"<meta charset=windows-1252>, no header charset: {lost} U+FFFD in the text"


def robots() -> list[str]:
    error_page = protego.Protego.parse("<html><body><h1>503 Service Unavailable</h1></body></html>")
    slow = protego.Protego.parse("User-agent: *\nCrawl-delay: 86400\n")
    return [
        "Protego on a 503 error page: /private allowed = "
        f"{error_page.can_fetch('http://a.test/private', 'bot')}",
        f"Protego Crawl-delay: 86400 → {slow.crawl_delay('bot')}",
    ]


def retries() -> str:
    policy = tenacity.AsyncRetrying()
    return (
        f"tenacity defaults: stop={type(policy.stop).__name__}, wait={type(policy.wait).__name__}"
    )


def async_library_check() -> str:
    """CPU of httpcore's per-request check of the running event loop library."""
    from httpcore._synchronization import current_async_library

    async def timed() -> float:
        began = time.process_time()
        for _ in range(2000):
            current_async_library()
        return (time.process_time() - began) / 2000 * 1e6

    found = importlib.util.find_spec("sniffio") is not None
    return (
        f"httpcore current_async_library(): {asyncio.run(timed()):.1f} us a call, "
        f"sniffio {'installed' if found else 'absent (a failed import on every call)'}"
    )


def main() -> None:
    stack = ", ".join(
        f"{p} {version(p)}" for p in ("httpx", "httpcore", "Protego", "tenacity", "brotli")
    )
    print(f"stack: {stack}")
    for line in [
        *decompression(),
        read_timeout(),
        redirects(),
        charset(),
        *robots(),
        retries(),
        async_library_check(),
    ]:
        print(f"- {line}")


if __name__ == "__main__":
    main()
