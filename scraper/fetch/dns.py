"""Resolved addresses of a run, kept for a TTL: the guard's check and the connection share them.

A redirect hop or a new connection to a host seen a moment ago does not resolve its name
again, and because the connection is made to an address the guard checked, a DNS answer
that changes between the two (rebinding) cannot reach a private address.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    """The system resolver's addresses for ``host``, in its preferred order (RFC 6724)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class DnsCache:
    """A resolver that reuses each name's answer for ``ttl`` seconds; failures are not kept."""

    def __init__(
        self,
        resolve: Resolver = system_resolve,
        *,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._resolve = resolve
        self._ttl = ttl
        self._clock = clock
        self._answers: dict[str, tuple[float, list[str]]] = {}

    async def __call__(self, host: str, port: int) -> list[str]:
        key = host.lower()
        kept = self._answers.get(key)
        if kept is not None and self._clock() < kept[0]:
            return kept[1]
        # Two first lookups of one name at once both ask; either answer is checked anyway.
        addresses = await self._resolve(host, port)
        if self._ttl > 0 and addresses:
            self._answers[key] = (self._clock() + self._ttl, addresses)
        return addresses
