"""One connection pool per origin behind the run's single ``httpx.AsyncClient``.

httpx keeps the client's API (requests, headers, streamed responses, its exception
types); the connections underneath are the crawl's own (:mod:`scraper.fetch.http11`), one pool
per origin, so finding a free connection looks only at that host's few connections,
which the host scheduler already keeps at its per-host concurrency.

Pools of origins not used for a while are closed once there are more than
``max_pools``, but only when none of their responses is still open, so a slow download
is never cut by another host's first request. All pools share one TLS context.
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable

import httpx

from scraper.fetch.http11 import OriginPool, PeerCheck

Origin = tuple[bytes, bytes, int | None]


class PerOriginTransport(httpx.AsyncBaseTransport):
    """An ``httpx`` transport that keeps a separate connection pool for each origin."""

    def __init__(self, *, keepalive_per_origin: int, max_pools: int = 128,
                 keepalive_expiry: float = 5.0, verify: ssl.SSLContext | None = None,
                 peer_check: PeerCheck | None = None) -> None:
        self._keepalive = keepalive_per_origin  # the HostScheduler caps requests in flight
        self._expiry = keepalive_expiry
        self._max_pools = max_pools
        self._verify = verify
        self._peer_check = peer_check  # the address guard, applied to each connected peer
        self._pools: OrderedDict[Origin, OriginPool] = OrderedDict()
        self._open: dict[Origin, int] = {}  # responses not yet closed, per origin

    @property
    def pools(self) -> int:
        """Pools currently held (for tests and diagnostics)."""
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin: Origin = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(origin)
        if pool is None:
            await self._evict_idle()
            pool = self._pools[origin] = OriginPool(
                *origin, max_idle=self._keepalive, keepalive_expiry=self._expiry,
                ssl_context=self._ssl() if origin[0] == b"https" else None,
                peer_check=self._peer_check)
        self._pools.move_to_end(origin)
        self._open[origin] = self._open.get(origin, 0) + 1
        try:
            response = await pool.handle_async_request(request)
        except BaseException:
            self._closed(origin)
            raise
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        response.stream = _Tracked(stream, lambda: self._closed(origin))
        return response

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.aclose()

    def _closed(self, origin: Origin) -> None:
        left = self._open.get(origin, 1) - 1
        if left > 0:
            self._open[origin] = left
        else:
            self._open.pop(origin, None)

    async def _evict_idle(self) -> None:
        """Close least recently used pools with no open response, down to the cap."""
        excess = len(self._pools) + 1 - self._max_pools
        for origin in list(self._pools):
            if excess <= 0:
                break
            if origin in self._open:
                continue
            pool = self._pools.pop(origin)
            excess -= 1
            await pool.aclose()

    def _ssl(self) -> ssl.SSLContext:
        if self._verify is None:  # built on first use: loading the CA bundle takes ~20 ms
            self._verify = httpx.create_ssl_context(trust_env=False)
        return self._verify


class _Tracked(httpx.AsyncByteStream):
    """A response body stream that reports, once, when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, on_close: Callable[[], None]) -> None:
        self._stream = stream
        self._on_close: Callable[[], None] | None = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._on_close is not None:
                callback, self._on_close = self._on_close, None
                callback()
