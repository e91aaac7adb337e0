"""httpx's standard transport under the run's client: one httpcore pool per origin.

Each origin (scheme, host, port) gets its own ``httpx.AsyncHTTPTransport``, whose httpcore
pool connects through :class:`~scraper.fetch.backend.GuardedBackend`. A pool per origin
keeps httpcore's per-request bookkeeping (a scan of the pool's connections under its lock)
down to the host's own few connections, which the HostScheduler already caps; a single pool
would scan every idle connection of every host on each request.

Pools of origins not used for a while are closed once there are more than ``max_pools``,
but only when none of their responses is still open, so a slow download is never cut by
another host's first request. All pools share one TLS context.

Proxies come from the standard environment variables (HTTP_PROXY, HTTPS_PROXY,
ALL_PROXY, NO_PROXY), as httpx reads them; a proxied request connects to the proxy, which
the operator chose, so only the target is checked by the address guard (in the Fetcher).
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable

import httpcore
import httpx

Origin = tuple[bytes, bytes, int | None]


class GuardedHTTPTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over an httpcore pool whose connections go through ``backend``."""

    def __init__(
        self,
        *,
        limits: httpx.Limits,
        backend: httpcore.AsyncNetworkBackend,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        # httpx (0.28) has no network_backend parameter; its __init__ only builds this
        # pool, which handle_async_request and aclose then use.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class PerOriginTransport(httpx.AsyncBaseTransport):
    """An ``httpx`` transport that keeps a separate httpcore pool for each origin."""

    def __init__(
        self,
        *,
        limits: httpx.Limits,
        backend: httpcore.AsyncNetworkBackend,
        max_pools: int = 128,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._limits = limits
        self._backend = backend
        self._max_pools = max_pools
        self._ssl_context = ssl_context
        self._pools: OrderedDict[Origin, GuardedHTTPTransport] = OrderedDict()
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
            pool = self._pools[origin] = GuardedHTTPTransport(
                limits=self._limits,
                backend=self._backend,
                ssl_context=self._ssl() if origin[0] == b"https" else None,
            )
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
        if self._ssl_context is None:  # built on first use: loading the CA bundle takes ~20 ms
            self._ssl_context = httpx.create_ssl_context(trust_env=True)
        return self._ssl_context


def proxy_mounts(
    direct: httpx.AsyncBaseTransport, limits: httpx.Limits
) -> dict[str, httpx.AsyncBaseTransport]:
    """httpx mounts for the proxies named in the environment; NO_PROXY hosts go ``direct``.

    httpx reads the environment's proxies only when it builds its own transport, so with
    ours they are mounted here, from the same reading of the variables httpx makes.
    """
    from httpx._utils import get_environment_proxies  # httpx's own parsing, NO_PROXY rules

    proxies = get_environment_proxies()
    if not proxies:
        return {}
    context = httpx.create_ssl_context(trust_env=True)
    return {
        pattern: (
            httpx.AsyncHTTPTransport(proxy=url, verify=context, limits=limits) if url else direct
        )
        for pattern, url in proxies.items()
    }


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
