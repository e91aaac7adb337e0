"""The run's httpx transport: one httpcore pool per origin, on public API only.

Each origin (scheme, host, port) gets its own ``httpcore.AsyncConnectionPool``, whose
connections go through :class:`~scraper.fetch.backend.GuardedBackend`. A pool per origin
keeps httpcore's per-request bookkeeping (a scan of the pool's connections under its lock)
down to the host's own few connections, which the HostScheduler already caps; a single pool
would scan every idle connection of every host on each request.

httpx's own ``AsyncHTTPTransport`` takes no network backend, so :class:`PoolTransport`
does what it does over a pool we build: an ``httpx.Request`` becomes an
``httpcore.Request``, the response's stream is wrapped, and httpcore's exceptions become
httpx's (the mapping httpx documents for its transports).

Pools of origins not used for a while are closed once there are more than ``max_pools``,
but only when none of their responses is still open, so a slow download is never cut by
another host's first request. All pools share one TLS context.

Proxies come from the standard environment variables (HTTP_PROXY, HTTPS_PROXY,
ALL_PROXY, NO_PROXY), read with ``urllib.request.getproxies`` and turned into httpx mount
patterns as httpx does for its own transports (NO_PROXY as curl reads it); a proxied
request connects to the proxy, which the operator chose, so only the target is checked by
the address guard (in the Fetcher).
"""

from __future__ import annotations

import ipaddress
import ssl
import urllib.request
from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

Origin = tuple[bytes, bytes, int | None]

# httpcore's exceptions and httpx's for the same failure; the most specific match wins.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
)


@contextmanager
def httpx_errors() -> Iterator[None]:
    """Raise httpcore's exceptions as the httpx exception for the same failure."""
    try:
        yield
    except Exception as exc:
        mapped: type[httpx.TransportError] | None = None
        for source, target in _ERRORS:
            if isinstance(exc, source) and (mapped is None or issubclass(target, mapped)):
                mapped = target
        if mapped is None:
            raise
        raise mapped(str(exc)) from exc


class PoolTransport(httpx.AsyncBaseTransport):
    """An httpx transport over one httpcore connection pool (any network backend)."""

    def __init__(self, pool: httpcore.AsyncConnectionPool) -> None:
        self._pool = pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, AsyncIterable)
        url = request.url
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with httpx_errors():
            response = await self._pool.handle_async_request(core)
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


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
        self._pools: OrderedDict[Origin, PoolTransport] = OrderedDict()
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
            pool = self._pools[origin] = self._pool(https=origin[0] == b"https")
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

    def _pool(self, https: bool) -> PoolTransport:
        limits = self._limits
        return PoolTransport(
            httpcore.AsyncConnectionPool(
                ssl_context=self._ssl() if https else None,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                network_backend=self._backend,
            )
        )

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


def environment_proxies() -> dict[str, str | None]:
    """The environment's proxies as httpx mount patterns; None: that pattern goes direct.

    HTTP_PROXY, HTTPS_PROXY and ALL_PROXY name a proxy per scheme; NO_PROXY lists hosts
    that bypass it, read as curl (CURLOPT_NOPROXY) and httpx read it: ``*`` turns proxies
    off, an IP address or ``localhost`` is that host, ``example.com`` is that domain and
    its subdomains, ``.example.com`` the subdomains only.
    """
    found = urllib.request.getproxies()
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        if found.get(scheme):
            proxy = found[scheme]
            mounts[f"{scheme}://"] = proxy if "://" in proxy else f"http://{proxy}"
    for name in (part.strip() for part in found.get("no", "").split(",")):
        if name == "*":
            return {}
        if name:
            mounts[_bypass_pattern(name)] = None
    return mounts


def _bypass_pattern(name: str) -> str:
    if "://" in name:
        return name
    try:
        address = ipaddress.ip_address(name.split("/")[0])
    except ValueError:
        return f"all://{name}" if name.lower() == "localhost" else f"all://*{name}"
    return f"all://[{name}]" if address.version == 6 else f"all://{name}"


def proxy_mounts(
    direct: httpx.AsyncBaseTransport, limits: httpx.Limits
) -> dict[str, httpx.AsyncBaseTransport]:
    """httpx mounts for the proxies named in the environment; NO_PROXY hosts go ``direct``.

    httpx reads the environment's proxies only when it builds its own transport, so with
    ours they are mounted here.
    """
    proxies = environment_proxies()
    if not proxies:
        return {}
    context = httpx.create_ssl_context(trust_env=True)
    return {
        pattern: (
            httpx.AsyncHTTPTransport(proxy=url, verify=context, limits=limits) if url else direct
        )
        for pattern, url in proxies.items()
    }


class _Body(httpx.AsyncByteStream):
    """An httpcore response body as httpx reads it: httpx's exceptions, closed through."""

    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_errors():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            with httpx_errors():
                await close()


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
