"""The simulator: one asyncio HTTP/1.1 server on several 127.0.0.x addresses, one port."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import os
import secrets
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import TracebackType

from tests.simulator import routes
from tests.simulator.http import BadRequest, Conn, Request, Response, read_request, serialise
from tests.simulator.log import LogEntry, RequestLog
from tests.simulator.site import ROBOTS_MODES, Article, Site, SiteConfig
from tests.simulator.state import State

_BIND_ATTEMPTS = 20


async def serve_on_one_port(
    accept: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
    hosts: Sequence[str],
) -> tuple[list[asyncio.Server], int]:
    """Servers on every address in ``hosts``, all on one port: the first one's free port.

    Another process may hold that port on a later address (test processes bind 127.0.0.x
    side by side): then everything opened is closed and another port is tried.
    """
    for _ in range(_BIND_ATTEMPTS):
        servers: list[asyncio.Server] = []
        port = 0
        try:
            for ip in hosts:
                server = await asyncio.start_server(accept, ip, port)
                servers.append(server)
                port = server.sockets[0].getsockname()[1]
        except OSError:  # the first port is taken on a later address: pick another
            for server in servers:
                server.close()
                await server.wait_closed()
            continue
        return servers, port
    raise RuntimeError(f"could not bind one port on every one of {list(hosts)}")


class Gate:
    """Holds the answers to matching requests until the test releases it.

    A held request is logged on arrival (``start``), and its answer waits for
    :meth:`release`; :meth:`wait_held` tells the test that a request is being held, so a
    test can keep a crawl running for as long as it needs, without a latency to race.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, host: str | None, prefix: str) -> None:
        self.host = host
        self.prefix = prefix
        self._loop = loop
        self._open = asyncio.Event()  # waited on, and set, on the simulator's loop only
        self._held = 0
        self._arrived = threading.Condition()

    def matches(self, req: Request) -> bool:
        return (self.host is None or req.host == self.host) and req.target.startswith(self.prefix)

    async def pass_through(self) -> None:
        with self._arrived:
            self._held += 1
            self._arrived.notify_all()
        await self._open.wait()

    def wait_held(self, count: int = 1, timeout: float = 30) -> bool:
        """True once ``count`` requests came to the gate (False if not within ``timeout``)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: self._held >= count, timeout)

    def release(self) -> None:
        """Let every held answer, and every later one, go; safe to call twice."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._open.set)


class Simulator:
    """A running publisher web: ``with Simulator(site) as sim: ...`` or ``start``/``stop``."""

    def __init__(
        self,
        site: Site | SiteConfig | None = None,
        *,
        hosts: Sequence[str] | None = None,
        latency: float | None = None,
    ) -> None:
        self.site = site if isinstance(site, Site) else Site(site)
        self.hosts = tuple(hosts) if hosts else tuple(p.ip for p in self.site.publishers)
        for ip in self.hosts:
            if ipaddress.ip_address(ip) not in ipaddress.ip_network("127.0.0.0/8"):
                raise ValueError(f"simulator hosts must be in 127.0.0.0/8, not {ip}")
        self.latency = latency
        self.request_log = RequestLog()
        self.xxe_secret = f"SIMULATOR-XXE-SECRET-{secrets.token_hex(8)}"
        self.state = State(self.site)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.Server] = []
        # every connection's task, from the moment it is accepted, with its stream writer
        self._conns: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._conn_numbers = itertools.count(1)
        self._closed_sock: socket.socket | None = None
        self._xxe_file: Path | None = None
        self._gates: list[Gate] = []

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Simulator:
        """Bind every host and serve from a background thread; returns self."""
        if self._loop is not None:
            raise RuntimeError("simulator already started")
        self._prepare_files()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sim", daemon=True)
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._bind(), self._loop).result(timeout=30)
        except BaseException:
            self.stop()
            raise
        self.site.port = self.state.port
        return self

    def stop(self) -> None:
        """Close every connection and server, stop the thread; safe to call twice."""
        loop, thread = self._loop, self._thread
        for gate in self._gates:
            gate.release()
        if loop is not None and thread is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=30)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
            loop.close()
        self._loop = self._thread = None
        if self._closed_sock is not None:
            self._closed_sock.close()
            self._closed_sock = None
        if self._xxe_file is not None:
            self._xxe_file.unlink(missing_ok=True)
            self._xxe_file = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _prepare_files(self) -> None:
        # The XXE target: a local file holding a unique secret the archive must never contain.
        fd, name = tempfile.mkstemp(prefix="sim-xxe-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.xxe_secret + "\n")
        self._xxe_file = Path(name)
        self.state.xxe_path = name
        # Connection refused: a port bound but never listening answers SYNs with RST, and
        # holding it bound means no one else can start listening there meanwhile.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._closed_sock = sock
        self.state.closed_port = sock.getsockname()[1]

    async def _bind(self) -> None:
        self._servers, self.state.port = await serve_on_one_port(self._accept, self.hosts)

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        await self._end_connections()
        for server in self._servers:
            await server.wait_closed()
        self._servers = []
        loop = asyncio.get_running_loop()
        await loop.shutdown_default_executor()
        # A connection accepted just before the close may still have arrived meanwhile.
        await asyncio.sleep(0)
        await self._end_connections()

    async def _end_connections(self) -> None:
        """Cancel every connection's task, until none is left: none may outlive the loop."""
        while self._conns:
            conns = dict(self._conns)
            for task in conns:
                task.cancel()
            await asyncio.gather(*conns, return_exceptions=True)
            for writer in conns.values():  # a task cancelled before its first step never ran
                if not writer.transport.is_closing():
                    writer.transport.abort()

    # -- serving ---------------------------------------------------------------------------

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Start serving a new connection, known to :meth:`stop` before its task first runs."""
        task = asyncio.get_running_loop().create_task(self._client(reader, writer))
        self._conns[task] = writer
        task.add_done_callback(self._conns.pop)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = writer.get_extra_info("sockname")[:2]
        conn = Conn(reader, writer, number=next(self._conn_numbers))
        graceful = False
        try:
            while not conn.closed:
                req = await read_request(reader, host, port)
                if req is None or not await self._serve_one(req, conn):
                    break
            graceful = not conn.closed
            if graceful:
                # FIN after the last byte: transport.close() sends what is still buffered
                # (a drain only waits for the buffer to fall below its high-water mark),
                # where abort() would drop the tail of a large response.
                writer.close()
                await asyncio.wait_for(writer.wait_closed(), timeout=10.0)
        except (
            BadRequest,
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.CancelledError,
            TimeoutError,
        ):
            graceful = False
        finally:
            if not graceful and not conn.closed:
                writer.transport.abort()

    async def _serve_one(self, req: Request, conn: Conn) -> bool:
        """Answer one request; False when the connection must close afterwards."""
        index = self.request_log.open(
            req.host, req.method, req.target, req.headers, req.arrived, conn.number
        )
        conn.status = 0
        logged = False
        try:
            # The latency is the time from the request's arrival to the response leaving:
            # the answer is built meanwhile, so the simulator's own work (rendering, gzip)
            # does not add to it, and the bench's bound (which assumes exactly L) holds.
            for gate in self._gates:
                if gate.matches(req):
                    await gate.pass_through()
            delay = self._latency(req.host)
            conn.not_before = req.arrived + delay if delay else 0.0
            try:
                result = await routes.handle(self.state, req, conn)
            except (ConnectionError, asyncio.CancelledError):
                raise
            except Exception:  # a simulator bug: say so loudly, answer 500
                traceback.print_exc(file=sys.stderr)
                result = Response(500, b"simulator error", "text/plain", close=True)
            if isinstance(result, Response):
                data = serialise(req, result)
                await conn.wait_turn()
                # Log before the bytes leave: a client holding the response must find it logged.
                self.request_log.close(index, result.status, time.monotonic())
                logged = True
                await conn.send_head(result.status, data)
                return not (result.close or req.wants_close())
            return False
        finally:
            if not logged:
                self.request_log.close(index, conn.status, time.monotonic())

    def _latency(self, host: str) -> float:
        if self.latency is not None:
            return self.latency
        pub = self.site.publisher(host)
        if pub is not None and pub.config.latency is not None:
            return pub.config.latency
        return self.site.config.latency

    # -- for tests -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self.state.port

    @property
    def closed_port(self) -> int:
        """A loopback port with nothing listening (connection refused)."""
        return self.state.closed_port

    @property
    def xxe_path(self) -> str:
        return self.state.xxe_path

    @property
    def log(self) -> list[LogEntry]:
        """A snapshot of every request so far."""
        return self.request_log.entries

    def clear_log(self) -> None:
        self.request_log.clear()

    def set_robots(self, host: str, mode: str) -> None:
        """Serve ``host``'s robots.txt in another mode from now on (e.g. "500" tonight)."""
        if mode not in ROBOTS_MODES:
            raise ValueError(f"unknown robots mode {mode!r}; choose one of {ROBOTS_MODES}")
        self.state.robots_override[host] = mode

    def remove_feeds(self, host: str) -> None:
        """``host``'s RSS and Atom feeds answer 404 from now on (the publisher moved them)."""
        self.state.feeds_gone.add(host)

    def chrome_only(self, host: str) -> None:
        """``host``'s article pages keep their header, teasers and footer but lose the
        article from now on (a template change the extractor finds nothing in)."""
        self.state.chrome_pages.add(host)

    def gate(self, prefix: str = "/", host: str | None = None) -> Gate:
        """Hold the answers to requests for ``prefix`` (on ``host``, or any) until
        ``release()``: ``gate = sim.gate("/news/", host)`` ... ``gate.release()``."""
        if self._loop is None:
            raise RuntimeError("start the simulator before gating it")
        gate = Gate(self._loop, host, prefix)
        self._gates.append(gate)
        return gate

    def publish(self, host: str, count: int = 1) -> None:
        """Publish ``count`` more articles that :meth:`Site.hold` withheld on ``host``."""
        self.site.release(host, count)

    def set_live_entries(self, count: int | None) -> None:
        """Live blogs show their first ``count`` entries from now on (None: all of them)."""
        self.state.live_entries = count

    def requests_for(self, host: str | None = None, path_prefix: str = "") -> list[LogEntry]:
        return self.request_log.requests_for(host, path_prefix)

    def max_concurrency(self, host: str | None = None) -> int:
        return self.request_log.max_concurrency(host)

    def min_gap(self, host: str | None = None) -> float | None:
        return self.request_log.min_gap(host)

    def base_url(self, host: str | None = None) -> str:
        """``http://127.0.0.x:port`` (the first host by default)."""
        return f"http://{host or self.hosts[0]}:{self.port}"

    def url(self, path: str, host: str | None = None) -> str:
        return self.base_url(host) + path

    def article_url(self, article: Article) -> str:
        return self.url(article.path, article.host)

    def write_seeds(self, folder: Path, **kwargs: float | None) -> list[Path]:
        """Seed TOMLs for every publisher, pointing at this running simulator."""
        return self.site.write_seeds(folder, **kwargs)
