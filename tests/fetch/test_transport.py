"""The run's transport: httpcore pools, one per origin, on a guarded network backend.

Each ScriptServer test's server answers by the request path with bytes written by hand, so
what the client sees for a reset, a cut body, a stalled server or an HTTP/1.0 answer is
exactly what a real server would make it see. The CountingServer tests count connections
per host address: pools are kept per origin, idle ones closed over the cap, busy ones kept.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import re
import ssl
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from scraper.fetch.backend import GuardedBackend
from scraper.fetch.guard import AddressGuard
from scraper.fetch.transport import PerOriginTransport, environment_proxies
from tests.paths import FIXTURES, ROOT
from tests.simulator.server import serve_on_one_port

TLS = FIXTURES / "tls"  # a self-signed certificate for 127.0.0.1
Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter, bytes], Awaitable[bool]]
BIG = bytes(range(256)) * 20_000  # 5 MB, far beyond the socket buffers
BODY = b"x" * 200_000  # larger than the socket buffers, so an unread body stays in flight
LIMITS = httpx.Limits(max_connections=None, max_keepalive_connections=4, keepalive_expiry=5.0)


def transport(
    max_pools: int = 128, ssl_context: ssl.SSLContext | None = None
) -> PerOriginTransport:
    backend = GuardedBackend(AddressGuard(["127.0.0.0/8"]))
    return PerOriginTransport(
        limits=LIMITS, backend=backend, max_pools=max_pools, ssl_context=ssl_context
    )


def client(timeout: float = 5.0, ssl_context: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=transport(ssl_context=ssl_context), timeout=httpx.Timeout(timeout)
    )


def ok(body: bytes, *extra: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n" % len(body)
    return head + b"".join(h + b"\r\n" for h in extra) + b"\r\n" + body


async def _respond(writer: asyncio.StreamWriter, data: bytes) -> bool:
    writer.write(data)
    await writer.drain()
    return True


class ScriptServer:
    """Loopback HTTP server: ``/path`` → a script writing raw bytes; counts connections."""

    def __init__(self) -> None:
        self.connections = 0
        self.bodies: list[bytes] = []
        self.port = 0
        self.scheme = "http"
        self._server: asyncio.Server | None = None
        self.scripts: dict[str, Script] = {
            "/ok": lambda r, w, b: _respond(w, ok(b"hello")),
            "/big": lambda r, w, b: _respond(w, ok(BIG)),
            "/304": lambda r, w, b: _respond(w, b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n'),
            "/chunked": lambda r, w, b: _respond(
                w,
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            ),
            "/continue": lambda r, w, b: _respond(
                w, b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"after 100")
            ),
            "/echo": lambda r, w, b: _respond(w, ok(b"got %d" % len(b))),
            "/gzip": lambda r, w, b: _respond(
                w, ok(zlib.compress(b"squeezed " * 100, wbits=31), b"Content-Encoding: gzip")
            ),
            "/http10": self._http10,
            "/cut": self._cut,
            "/reset": self._reset,
            "/stall": self._stall,
            "/garbage": lambda r, w, b: _respond(w, b"SPDY/9 banana\r\n\r\n"),
            "/close-after": lambda r, w, b: self._close_after(w),
        }

    async def start(self, tls: ssl.SSLContext | None = None) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=tls)
        self.port = self._server.sockets[0].getsockname()[1]
        self.scheme = "https" if tls else "http"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length) if length else b""
                self.bodies.append(body)
                if not await self.scripts[path](reader, writer, body):
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _http10(self, r: asyncio.StreamReader, w: asyncio.StreamWriter, b: bytes) -> bool:
        w.write(b"HTTP/1.0 200 OK\r\n\r\nuntil the connection closes")
        await w.drain()
        return False  # the body ends with the connection

    async def _cut(self, r: asyncio.StreamReader, w: asyncio.StreamWriter, b: bytes) -> bool:
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly part")
        await w.drain()
        return False

    async def _reset(self, r: asyncio.StreamReader, w: asyncio.StreamWriter, b: bytes) -> bool:
        import socket
        import struct

        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly part")
        await w.drain()
        await asyncio.sleep(0.05)
        sock = w.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        w.transport.abort()
        return False

    async def _stall(self, r: asyncio.StreamReader, w: asyncio.StreamWriter, b: bytes) -> bool:
        await asyncio.sleep(10)
        return False

    async def _close_after(self, w: asyncio.StreamWriter) -> bool:
        w.write(ok(b"bye"))  # keep-alive offered, then the server closes the idle connection
        await w.drain()
        return False


@pytest.fixture
async def server() -> AsyncIterator[ScriptServer]:
    srv = ScriptServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
async def tls_server() -> AsyncIterator[ScriptServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    srv = ScriptServer()
    await srv.start(tls=context)
    yield srv
    await srv.stop()


async def test_requests_share_one_kept_alive_connection(server: ScriptServer) -> None:
    async with client() as c:
        texts = [
            (await c.get(server.url(p))).text
            for p in ("/ok", "/chunked", "/304", "/continue", "/ok")
        ]
    assert texts == ["hello", "hello world", "", "after 100", "hello"]
    assert server.connections == 1


async def test_a_304_read_to_its_empty_end_keeps_its_connection(server: ScriptServer) -> None:
    async with client() as c:
        for _ in range(3):
            response = await c.send(c.build_request("GET", server.url("/304")), stream=True)
            assert response.status_code == 304
            assert [chunk async for chunk in response.aiter_raw()] == []  # ends at once
            await response.aclose()
    assert server.connections == 1


async def test_a_big_body_arrives_whole_through_backpressure(server: ScriptServer) -> None:
    async with client() as c:
        async with c.stream("GET", server.url("/big")) as response:
            await asyncio.sleep(0.3)  # a slow reader: the socket must be paused, not drained
            parts = [chunk async for chunk in response.aiter_raw()]
        assert b"".join(parts) == BIG
        assert max(len(p) for p in parts) <= 64 * 1024  # read a bounded chunk at a time
        assert (await c.get(server.url("/ok"))).text == "hello"  # and the connection is reused
    assert server.connections == 1


async def test_a_body_left_unread_closes_its_connection(server: ScriptServer) -> None:
    async with client() as c:
        response = await c.send(c.build_request("GET", server.url("/big")), stream=True)
        await response.aclose()
        assert (await c.get(server.url("/ok"))).text == "hello"
    assert server.connections == 2


async def test_content_encoding_is_left_to_the_caller(server: ScriptServer) -> None:
    async with client() as c:
        async with c.stream("GET", server.url("/gzip")) as response:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.headers["content-encoding"] == "gzip"
    assert zlib.decompress(raw, wbits=31) == b"squeezed " * 100


async def test_http10_body_runs_to_the_close_and_is_not_reused(server: ScriptServer) -> None:
    async with client() as c:
        first = await c.get(server.url("/http10"))
        assert first.text == "until the connection closes"
        assert first.http_version == "HTTP/1.0"
        assert (await c.get(server.url("/ok"))).text == "hello"
    assert server.connections == 2


async def test_a_connection_the_server_closed_while_idle_is_not_reused(
    server: ScriptServer,
) -> None:
    async with client() as c:
        assert (await c.get(server.url("/close-after"))).text == "bye"
        await asyncio.sleep(0.1)  # the server's FIN arrives
        assert (await c.get(server.url("/ok"))).text == "hello"
    assert server.connections == 2


async def test_a_request_body_is_sent(server: ScriptServer) -> None:
    async with client() as c:
        response = await c.post(server.url("/echo"), content=b"x" * 100_000)
    assert response.text == "got 100000"
    assert server.bodies == [b"x" * 100_000]


async def test_a_body_cut_short_is_a_protocol_error(server: ScriptServer) -> None:
    async with client() as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(server.url("/cut"))


async def test_a_reset_mid_body_is_a_read_error(server: ScriptServer) -> None:
    async with client() as c:
        with pytest.raises(httpx.ReadError):
            await c.get(server.url("/reset"))


async def test_a_stalled_server_is_a_read_timeout(server: ScriptServer) -> None:
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with client(timeout=0.3) as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.get(server.url("/stall"))
    assert loop.time() - began < 2


async def test_not_http_is_a_protocol_error(server: ScriptServer) -> None:
    async with client() as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(server.url("/garbage"))


async def test_nothing_listening_is_a_connect_error(server: ScriptServer) -> None:
    await server.stop()
    async with client() as c:
        with pytest.raises(httpx.ConnectError):
            await c.get(server.url("/ok"))


async def test_https_is_verified_and_kept_alive(tls_server: ScriptServer) -> None:
    trusting = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
    async with client(ssl_context=trusting) as c:
        texts = [(await c.get(tls_server.url(p))).text for p in ("/ok", "/chunked", "/ok")]
    assert texts == ["hello", "hello world", "hello"]
    assert tls_server.connections == 1


async def test_https_with_an_untrusted_certificate_is_refused(tls_server: ScriptServer) -> None:
    async with client() as c:  # the system's CAs: a self-signed certificate does not pass
        with pytest.raises(httpx.ConnectError, match="(?i)certificate"):
            await c.get(tls_server.url("/ok"))
    assert tls_server.bodies == []  # no request was sent over it


class CountingServer:
    """HTTP/1.1 keep-alive server on loopback that counts TCP connections per address."""

    def __init__(self) -> None:
        self.connections: Counter[str] = Counter()
        self.servers: list[asyncio.Server] = []
        self.port = 0

    async def start(self, hosts: list[str]) -> None:
        self.servers, self.port = await serve_on_one_port(self._serve, hosts)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections[writer.get_extra_info("sockname")[0]] += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
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
async def hosts() -> AsyncIterator[CountingServer]:
    srv = CountingServer()
    await srv.start(["127.0.0.1", "127.0.0.2", "127.0.0.3"])
    yield srv
    await srv.stop()


async def test_each_host_keeps_its_own_connection_across_many_requests(
    hosts: CountingServer,
) -> None:
    pools = transport()
    async with httpx.AsyncClient(transport=pools) as c:
        for _ in range(10):
            for host in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
                response = await c.get(f"http://{host}:{hosts.port}/a")
                assert response.text == "ok"
        assert pools.pools == 3
    assert hosts.connections == {"127.0.0.1": 1, "127.0.0.2": 1, "127.0.0.3": 1}


async def test_least_recently_used_idle_pool_is_closed_over_the_cap(hosts: CountingServer) -> None:
    pools = transport(max_pools=2)
    async with httpx.AsyncClient(transport=pools) as c:
        for host in ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.1"):
            assert (await c.get(f"http://{host}:{hosts.port}/a")).text == "ok"
            assert pools.pools <= 2
    # 127.0.0.1 was evicted when 127.0.0.3 came, so it needed a second connection.
    assert hosts.connections == {"127.0.0.1": 2, "127.0.0.2": 1, "127.0.0.3": 1}


async def test_a_pool_with_a_response_still_open_is_never_closed(hosts: CountingServer) -> None:
    pools = transport(max_pools=1)
    async with httpx.AsyncClient(transport=pools) as c:
        request = c.build_request("GET", f"http://127.0.0.1:{hosts.port}/big")
        slow = await c.send(request, stream=True)  # headers in, body not read yet
        for host in ("127.0.0.2", "127.0.0.3"):
            assert (await c.get(f"http://{host}:{hosts.port}/a")).text == "ok"
        body = b"".join([chunk async for chunk in slow.aiter_raw()])
        await slow.aclose()
        assert body == BODY
        assert pools.pools <= 2  # the busy pool stayed; idle ones made way


# -- public API only ---------------------------------------------------------------------

SOURCES = sorted((ROOT / "scraper").rglob("*.py")) + sorted((ROOT / "archive").rglob("*.py"))
THIRD_PARTY = ("httpx", "httpcore")


def _private_uses(path: Path) -> list[str]:
    """Private names of httpx/httpcore that ``path`` reaches: ``httpx._utils``, ``x._pool``.

    Three ways in: importing a private module (``from httpx._utils import …``), reading a
    private attribute of the module (``httpcore._async``), and, in a class built on an
    httpx or httpcore class, using a ``self._name`` that the base class itself uses.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            names = [a.name for a in node.names]
            if parts[0] in THIRD_PARTY and any(p.startswith("_") for p in parts[1:] + names):
                found.append(f"{path.name}:{node.lineno} from {node.module} import {names}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in THIRD_PARTY and any(p.startswith("_") for p in parts[1:]):
                    found.append(f"{path.name}:{node.lineno} import {alias.name}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in THIRD_PARTY and node.attr.startswith("_"):
                found.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ClassDef):
            found += _inherited_private(path, node)
    return found


def _inherited_private(path: Path, node: ast.ClassDef) -> list[str]:
    bases = [b for b in node.bases if isinstance(b, ast.Attribute)]
    theirs: set[str] = set()
    for base in bases:
        if isinstance(base.value, ast.Name) and base.value.id in THIRD_PARTY:
            cls = getattr(importlib.import_module(base.value.id), base.attr)
            for klass in inspect.getmro(cls):
                # httpx sets its public classes' __module__ to "httpx": find their files
                # through their methods' code instead
                for code in (getattr(f, "__code__", None) for f in vars(klass).values()):
                    if code is not None:
                        source = Path(code.co_filename).read_text(encoding="utf-8")
                        theirs |= set(re.findall(r"self\.(_[a-z]\w*)", source))
    ours = {
        n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"
    }
    return [
        f"{path.name}:{node.lineno} {node.name} uses its base's self.{a}" for a in ours & theirs
    ]


def test_no_private_httpx_or_httpcore_name_is_used() -> None:
    """httpx may change its private parts in any release; the pin follows its releases."""
    found = [use for path in SOURCES for use in _private_uses(path)]
    assert found == []
    assert len(SOURCES) > 50  # the package was read, not an empty folder


def test_the_check_finds_what_the_old_transport_did(tmp_path: Path) -> None:
    old = tmp_path / "old.py"
    old.write_text(
        "import httpcore, httpx\n"
        "from httpx._utils import get_environment_proxies\n"
        "class T(httpx.AsyncHTTPTransport):\n"
        "    def __init__(self):\n"
        "        self._pool = httpcore.AsyncConnectionPool()\n"
        "x = httpcore._async\n",
        encoding="utf-8",
    )
    assert len(_private_uses(old)) == 3


def test_environment_proxies_follow_no_proxy_as_curl_does(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        for variant in (name, name.lower()):
            monkeypatch.delenv(variant, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "example.com, .local.test,10.0.0.0/8,::1,localhost")
    assert environment_proxies() == {
        "https://": "http://proxy.internal:3128",
        "all://*example.com": None,
        "all://*.local.test": None,
        "all://10.0.0.0/8": None,
        "all://[::1]": None,
        "all://localhost": None,
    }
    monkeypatch.setenv("NO_PROXY", "a.test,*")
    assert environment_proxies() == {}  # "*": no proxy at all


def test_the_pools_event_loop_check_imports_nothing_per_request() -> None:
    # httpcore imports sniffio inside the check it runs for every lock a request takes; a
    # missing sniffio is a failed import, and a search of the whole path, every time
    import sys

    from httpcore._synchronization import current_async_library

    searched: list[str] = []

    class Recorder:
        @staticmethod
        def find_spec(name: str, path: object = None, target: object = None) -> None:
            searched.append(name)

    async def check_twice() -> str:
        current_async_library()
        sys.meta_path.insert(0, Recorder)  # type: ignore[arg-type]
        try:
            return current_async_library()
        finally:
            sys.meta_path.remove(Recorder)  # type: ignore[arg-type]

    assert asyncio.run(check_twice()) == "asyncio"
    assert searched == []
