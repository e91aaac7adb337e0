"""An httpcore network backend that connects only to addresses the address guard allowed.

httpcore opens every connection of the run's pools through ``connect_tcp``. Here the name
is looked up through the guard (from the run's DNS cache, every address checked) and the
socket is connected to one of those addresses, never to the name resolved again, so a DNS
answer that changes after the check (rebinding) cannot reach a private address. httpcore
starts TLS afterwards with the origin's host name: SNI and the certificate check see the
name, and the Host header is the request's.

With several addresses the attempts are staggered as in Happy Eyeballs (RFC 8305): the
next address is tried when the previous one failed or after 250 ms, families alternating,
and the first connection made wins.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable
from typing import Any

import httpcore

from archive import Reason
from scraper.errors import RefusedError
from scraper.fetch.guard import AddressGuard, IPAddress
from scraper.fetch.streams import AsyncioBackend

ATTEMPT_DELAY = 0.25  # RFC 8305's recommended "Connection Attempt Delay"
Stream = httpcore.AsyncNetworkStream


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects to ``guard``-checked addresses of a host (by default on asyncio's streams)."""

    def __init__(
        self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._guard = guard
        self._inner = inner or AsyncioBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> Stream:
        addresses = _interleave(await self._guard.addresses(host, port))

        async def attempt(addr: IPAddress) -> Stream:
            return await self._inner.connect_tcp(
                str(addr),
                port,
                timeout=timeout,
                local_address=local_address,
                socket_options=socket_options,
            )

        stream = await _first_connected(attempt, addresses)
        self._check_peer(stream, host)
        return stream

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)

    def _check_peer(self, stream: Stream, host: str) -> None:
        """The peer is one of the checked addresses; this says so before a byte is sent."""
        peer = stream.get_extra_info("server_addr")
        try:
            addr = ipaddress.ip_address(str(peer[0]).split("%")[0])
        except (TypeError, ValueError, IndexError):
            addr = None
        if addr is None or not self._guard.allowed(addr):
            raise RefusedError(
                f"{host} connected to {addr}, which is not public (allow it with --allow-address)",
                reason=Reason.PRIVATE_ADDRESS,
            )


def _interleave(addresses: list[IPAddress]) -> list[IPAddress]:
    """The resolver's order, alternating address families from its first choice (RFC 8305)."""
    first = [a for a in addresses if a.version == addresses[0].version]
    other = [a for a in addresses if a.version != addresses[0].version]
    out: list[IPAddress] = []
    for i in range(max(len(first), len(other))):
        out.extend(group[i] for group in (first, other) if i < len(group))
    return out


async def _first_connected(attempt: Any, addresses: list[IPAddress]) -> Stream:
    """The first connection made among staggered attempts; the others are cancelled or closed."""
    if len(addresses) == 1:
        return await attempt(addresses[0])  # type: ignore[no-any-return]
    queue = list(addresses)
    pending: set[asyncio.Task[Stream]] = set()
    made: list[Stream] = []
    error: BaseException | None = None
    try:
        while (queue or pending) and not made:
            if queue:
                pending.add(asyncio.create_task(attempt(queue.pop(0))))
            done, pending = await asyncio.wait(
                pending,
                timeout=ATTEMPT_DELAY if queue else None,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for task in done:
                if task.exception() is None:
                    made.append(task.result())
                else:
                    error = task.exception()
    except BaseException:  # cancelled from outside: nothing made may stay open
        await _settle(pending, made)
        for stream in made:
            await stream.aclose()
        raise
    await _settle(pending, made)
    if not made:
        assert error is not None
        raise error
    for extra in made[1:]:
        await extra.aclose()
    return made[0]


async def _settle(pending: set[asyncio.Task[Stream]], made: list[Stream]) -> None:
    """Cancel the attempts still running; one that connected meanwhile joins ``made``."""
    for task in pending:
        task.cancel()
    for result in await asyncio.gather(*pending, return_exceptions=True):
        if not isinstance(result, BaseException):
            made.append(result)
