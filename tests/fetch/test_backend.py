"""Connections by host name: checked addresses, DNS rebinding, the run's DNS cache,
staggered attempts, proxies from the environment and cookies (real loopback sockets).

Names such as ``pub-a.test`` resolve through a test table (tests/resolver.py) to loopback
addresses, so these tests exercise what the IP-literal tests cannot: a name's lookup, the
guard's check of its answer and the connection to the checked address.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import pytest

from scraper.errors import RefusedError, TransportError
from scraper.fetch.backend import _first_connected, _interleave
from scraper.fetch.client import build_client
from scraper.fetch.dns import DnsCache
from scraper.fetch.fetcher import Fetcher
from scraper.fetch.guard import AddressGuard, IPAddress
from scraper.fetch.politeness import HostScheduler
from scraper.settings import Settings
from tests.resolver import NameTable

PUBLIC = "93.184.216.34"  # answered by the test table only; never connected to


class Server:
    """A loopback HTTP/1.1 server recording each request's head and counting connections."""

    def __init__(self, reply: bytes = b"") -> None:
        self.heads: list[dict[str, str]] = []
        self.targets: list[str] = []
        self.connections = 0
        self.port = 0
        self._reply = reply  # a fixed answer (a proxy's); else answered by path
        self._server: asyncio.Server | None = None
        self._open: dict[asyncio.Task[None], asyncio.StreamWriter] = {}

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._open.values():  # kept-alive connections end before the loop does
            writer.transport.abort()
        await asyncio.gather(*self._open, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._open[task] = writer
        try:
            while True:
                lines = (await reader.readuntil(b"\r\n\r\n")).decode().split("\r\n")
                target = lines[0].split(" ")[1]
                self.targets.append(target)
                self.heads.append(
                    {
                        k.lower(): v.strip()
                        for k, _, v in (line.partition(":") for line in lines[1:] if line)
                    }
                )
                writer.write(self._reply or _answer(target))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            self._open.pop(task, None)


def _answer(target: str) -> bytes:
    if target.endswith("/redirect"):
        return b"HTTP/1.1 302 Found\r\nLocation: /echo\r\nContent-Length: 0\r\n\r\n"
    extra = b"Set-Cookie: sid=42; Path=/\r\n" if target.endswith("/set") else b""
    return b"HTTP/1.1 200 OK\r\n" + extra + b"Content-Length: 2\r\n\r\nok"


@asynccontextmanager
async def fetcher(
    resolver: object, *, allow: Iterable[str] = ("127.0.0.0/8",), cookie_domains: Iterable[str] = ()
) -> AsyncIterator[Fetcher]:
    settings = Settings(
        max_tries=1, per_host_delay=0.0, connect_timeout=2.0, read_timeout=2.0, request_deadline=5.0
    )
    guard = AddressGuard(allow, resolver=resolver)  # type: ignore[arg-type]
    async with build_client(settings, guard, cookie_domains) as client:
        yield Fetcher(
            client,
            settings,
            guard=guard,
            scheduler=HostScheduler(
                global_concurrency=4, per_host_concurrency=2, per_host_delay=0.0
            ),
        )


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def test_a_name_is_fetched_at_its_checked_address_with_its_own_host_header() -> None:
    async with Server() as server, fetcher(NameTable({"pub-a.test": ["127.0.0.1"]})) as f:
        page = await f.fetch(f"http://pub-a.test:{server.port}/echo")
    assert page.status == 200 and page.body == b"ok"
    assert server.heads[0]["host"] == f"pub-a.test:{server.port}"


async def test_a_name_answering_public_then_loopback_cannot_reach_loopback() -> None:
    # The guard's lookup sees a public address; the connection's lookup gets 127.0.0.1.
    table = NameTable({"rebind.test": [[PUBLIC], ["127.0.0.1"]]})
    async with Server() as server, fetcher(table, allow=()) as f:
        with pytest.raises(RefusedError) as info:
            await f.fetch(f"http://rebind.test:{server.port}/echo")
    assert info.value.reason == "private_address"
    assert table.lookups == ["rebind.test", "rebind.test"]
    assert server.connections == 0  # refused before any connection was made


async def test_one_lookup_serves_the_check_the_connection_and_a_redirect_hop() -> None:
    now = [0.0]
    table = NameTable({"pub-a.test": ["127.0.0.1"]})
    cache = DnsCache(table, ttl=60.0, clock=lambda: now[0])
    async with Server() as server, fetcher(cache) as f:
        page = await f.fetch(f"http://pub-a.test:{server.port}/redirect")
        assert page.final_url.endswith("/echo") and page.body == b"ok"
        assert table.lookups == ["pub-a.test"]
        assert server.connections == 1  # the short 302 body was read: connection kept
        now[0] = 61.0  # past the TTL: asked again
        await f.fetch(f"http://pub-a.test:{server.port}/echo")
    assert table.lookups == ["pub-a.test", "pub-a.test"]


async def test_a_failed_lookup_is_a_dns_failure_and_not_cached() -> None:
    table = NameTable({})
    async with fetcher(DnsCache(table)) as f:
        for _ in range(2):
            with pytest.raises(TransportError) as info:
                await f.fetch("http://gone.test/a")
            assert info.value.reason == "dns"
    assert table.lookups == ["gone.test", "gone.test"]


async def test_an_address_refusing_connections_falls_over_to_the_next() -> None:
    table = NameTable({"two.test": ["127.0.0.9", "127.0.0.1"]})  # nothing on 127.0.0.9
    async with Server() as server, fetcher(table) as f:
        page = await f.fetch(f"http://two.test:{server.port}/echo")
    assert page.body == b"ok" and server.connections == 1


async def test_requests_go_through_the_proxy_named_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    via = b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nvia proxy"
    table = NameTable({"pub-a.test": ["127.0.0.1"], "pub-b.test": ["127.0.0.1"]})
    async with Server(reply=via) as proxy, Server() as origin:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("NO_PROXY", "pub-b.test")
        async with fetcher(table) as f:
            proxied = await f.fetch(f"http://pub-a.test:{origin.port}/echo")
            direct = await f.fetch(f"http://pub-b.test:{origin.port}/echo")
    assert proxied.body == b"via proxy"
    assert proxy.targets == [f"http://pub-a.test:{origin.port}/echo"]  # absolute form
    assert direct.body == b"ok" and origin.targets == ["/echo"]


async def test_an_address_the_guard_refuses_is_refused_behind_a_proxy_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = NameTable({"evil.test": ["10.0.0.1"]})
    async with Server(reply=b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        async with fetcher(table, allow=()) as f:
            with pytest.raises(RefusedError) as info:
                await f.fetch("http://evil.test/a")
    assert info.value.reason == "private_address" and proxy.targets == []


@pytest.mark.parametrize(("opted_in", "sent"), [((), None), (("pub-a.test",), "sid=42")])
async def test_cookies_are_sent_back_only_to_seeds_that_opt_in(
    opted_in: tuple[str, ...], sent: str | None
) -> None:
    table = NameTable({"pub-a.test": ["127.0.0.1"], "www.pub-a.test": ["127.0.0.1"]})
    async with Server() as server, fetcher(table, cookie_domains=opted_in) as f:
        await f.fetch(f"http://pub-a.test:{server.port}/set")
        await f.fetch(f"http://pub-a.test:{server.port}/echo")
    assert server.heads[1].get("cookie") == sent


async def test_a_silent_address_does_not_hold_the_connection_back_past_the_stagger() -> None:
    # The first address never answers (a black hole); the second is tried 250 ms later
    # (RFC 8305), wins, and the first attempt is cancelled rather than left running.
    addresses = [ipaddress.ip_address(a) for a in ("2001:db8::1", "192.0.2.1", "192.0.2.2")]
    began = asyncio.get_running_loop().time()
    cancelled: list[str] = []

    async def attempt(addr: IPAddress) -> object:
        if str(addr) != "192.0.2.1":
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.append(str(addr))
                raise
        return f"stream to {addr}"

    assert _interleave(addresses)[:2] == [addresses[0], addresses[1]]  # families alternate
    winner = await _first_connected(attempt, addresses)
    assert winner == "stream to 192.0.2.1"
    assert 0.2 < asyncio.get_running_loop().time() - began < 2
    assert cancelled == ["2001:db8::1"]  # the third was never started
