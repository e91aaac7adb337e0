"""The per-origin transport: connections reused per host, idle pools closed, open ones kept."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest

from scraper.fetch.transport import PerOriginTransport

BODY = b"x" * 200_000  # larger than the socket buffers, so an unread body stays in flight


class CountingServer:
    """HTTP/1.1 keep-alive server on loopback that counts TCP connections per address."""

    def __init__(self) -> None:
        self.connections: Counter[str] = Counter()
        self.servers: list[asyncio.Server] = []
        self.port = 0

    async def start(self, hosts: list[str]) -> None:
        for host in hosts:
            server = await asyncio.start_server(self._serve, host, self.port)
            self.port = server.sockets[0].getsockname()[1]
            self.servers.append(server)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections[writer.get_extra_info("sockname")[0]] += 1
        try:
            while (head := await reader.readuntil(b"\r\n\r\n")):
                big = b" /big " in head.split(b"\r\n", 1)[0]
                body = BODY if big else b"ok"
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        for server in self.servers:
            server.close()
            await server.wait_closed()


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    srv = CountingServer()
    await srv.start(["127.0.0.1", "127.0.0.2", "127.0.0.3"])
    yield srv
    await srv.stop()


async def test_each_host_keeps_its_own_connection_across_many_requests(
        server: CountingServer) -> None:
    transport = PerOriginTransport(keepalive_per_origin=4)
    async with httpx.AsyncClient(transport=transport) as client:
        for _ in range(10):
            for host in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
                response = await client.get(f"http://{host}:{server.port}/a")
                assert response.text == "ok"
        assert transport.pools == 3
    assert server.connections == {"127.0.0.1": 1, "127.0.0.2": 1, "127.0.0.3": 1}


async def test_least_recently_used_idle_pool_is_closed_over_the_cap(
        server: CountingServer) -> None:
    transport = PerOriginTransport(keepalive_per_origin=4, max_pools=2)
    async with httpx.AsyncClient(transport=transport) as client:
        for host in ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.1"):
            assert (await client.get(f"http://{host}:{server.port}/a")).text == "ok"
            assert transport.pools <= 2
    # 127.0.0.1 was evicted when 127.0.0.3 came, so it needed a second connection.
    assert server.connections == {"127.0.0.1": 2, "127.0.0.2": 1, "127.0.0.3": 1}


async def test_a_pool_with_a_response_still_open_is_never_closed(
        server: CountingServer) -> None:
    transport = PerOriginTransport(keepalive_per_origin=4, max_pools=1)
    async with httpx.AsyncClient(transport=transport) as client:
        request = client.build_request("GET", f"http://127.0.0.1:{server.port}/big")
        slow = await client.send(request, stream=True)  # headers in, body not read yet
        for host in ("127.0.0.2", "127.0.0.3"):
            assert (await client.get(f"http://{host}:{server.port}/a")).text == "ok"
        body = b"".join([chunk async for chunk in slow.aiter_raw()])
        await slow.aclose()
        assert body == BODY
        assert transport.pools <= 2  # the busy pool stayed; idle ones made way
