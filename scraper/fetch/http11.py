"""HTTP/1.1 connections for one origin, straight on asyncio's protocols, parsed by h11.

httpcore, under httpx, gives each request several trips through the event loop (an
anyio lock per pool operation, a checkpoint per socket read and write) and about 1 ms of
CPU; at per-host delay 0 the crawl's loop spent over half its time there, and every extra
trip is a wait behind whatever else the loop is running while the request holds one of
the run's global slots (BENCHMARKS.md). Here a request is written in the step that starts
it, and a response's bytes are parsed as they arrive, by h11 (the parser httpcore uses).

Only what the crawl needs: HTTP/1.1 (and 1.0 answers), keep-alive, TLS, one request per
connection at a time, connect/read/write timeouts. Errors are httpx's own exception types,
so callers cannot tell this pool from httpx's.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
from collections.abc import AsyncIterator, Callable

import h11
import httpx

from scraper.errors import RefusedError

PeerCheck = Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], bool]

MAX_HEAD = 100 * 1024  # bytes of status line and headers (httpcore's limit too)
HIGH_WATER = 256 * 1024  # received but not yet read: stop reading the socket above this
LOW_WATER = 64 * 1024


class _Protocol(asyncio.Protocol):
    """One connection's bytes go into its h11 state machine; one reader waits on it."""

    def __init__(self) -> None:
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.transport: asyncio.Transport | None = None
        self.lost: BaseException | None = None  # why the connection ended, when it has
        self.ended = False  # EOF or loss seen: no more bytes will come
        self.unread = 0  # bytes received and not yet handed out as body data
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None

    # -- asyncio's callbacks ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.h11.receive_data(data)
        except RuntimeError:  # bytes after the peer's EOF: not HTTP any more
            pass
        self.unread += len(data)
        if self.unread > HIGH_WATER and not self._paused and self.transport is not None:
            self.transport.pause_reading()
            self._paused = True
        self._wake()

    def eof_received(self) -> bool:
        self._end(None)
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._end(exc)
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    def _end(self, exc: BaseException | None) -> None:
        """The peer closed (``exc`` None: h11 decides if the message was whole) or reset."""
        if not self.ended:
            self.ended = True
            if exc is not None:
                self.lost = exc  # a reset: whatever h11 still needs is a read error
            else:
                try:
                    self.h11.receive_data(b"")
                except RuntimeError:
                    pass
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # -- for the connection ----------------------------------------------------------------

    async def drain(self, timeout: float | None) -> None:
        """Wait while the socket's send buffer is over its high-water mark."""
        if self._writable is not None:
            try:
                async with asyncio.timeout(timeout):
                    await self._writable
            except TimeoutError:
                raise httpx.WriteTimeout("write timed out") from None
        if self.lost is not None:
            raise httpx.WriteError(str(self.lost))

    async def next_event(self, timeout: float | None) -> object:
        """The next h11 event of the response, waiting for bytes as needed."""
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc)) from None
            if event is not h11.NEED_DATA:
                if isinstance(event, h11.Data):
                    self._consumed(len(event.data))
                return event
            if self.ended:  # h11 was told of the EOF and still needs data: a reset
                raise httpx.ReadError(str(self.lost or "connection closed"))
            self._consumed(0)
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout):
                    await self._waiter
            except TimeoutError:
                raise httpx.ReadTimeout("read timed out") from None
            finally:
                self._waiter = None

    def _consumed(self, n: int) -> None:
        self.unread = max(0, self.unread - n)
        if self._paused and self.unread < LOW_WATER and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()


class Connection:
    """One TCP (or TLS) connection to an origin, carrying one request at a time."""

    def __init__(self, protocol: _Protocol,
                 on_release: Callable[[Connection], None] | None = None) -> None:
        self._protocol = protocol
        self.on_release = on_release  # called once each response is closed
        self.idle_since = time.monotonic()

    @property
    def reusable(self) -> bool:
        """Idle, open and in a state for another request (keep-alive agreed)."""
        proto = self._protocol
        return (not proto.ended and proto.h11.our_state is h11.IDLE
                and proto.h11.their_state is h11.IDLE)

    async def send(self, request: httpx.Request, timeouts: dict[str, float | None]
                   ) -> httpx.Response:
        """Write ``request`` and read the response's head; its body streams afterwards.

        On any error the connection is of no further use; its pool drops it.
        """
        proto = self._protocol
        transport = proto.transport
        assert transport is not None
        target = request.url.raw_path
        try:
            transport.write(proto.h11.send(h11.Request(
                method=request.method.encode("ascii"), target=target,
                headers=list(request.headers.raw))) or b"")
            async for chunk in request.stream:  # type: ignore[union-attr]
                if chunk:
                    transport.write(proto.h11.send(h11.Data(data=chunk)) or b"")
                    await proto.drain(timeouts.get("write"))
            transport.write(proto.h11.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc)) from None
        read = timeouts.get("read")
        while True:
            event = await proto.next_event(read)
            if isinstance(event, h11.Response):
                break
            if isinstance(event, h11.ConnectionClosed):
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            # h11.InformationalResponse (1xx): the real answer follows
        return httpx.Response(
            status_code=event.status_code,
            headers=event.headers.raw_items(),
            stream=_Body(self, proto, read),
            extensions={"http_version": b"HTTP/" + event.http_version,
                        "reason_phrase": event.reason},
        )

    def close(self) -> None:
        transport = self._protocol.transport
        self._protocol.ended = True
        if transport is not None and not transport.is_closing():
            transport.close()

    def abort(self) -> None:
        transport = self._protocol.transport
        self._protocol.ended = True
        if transport is not None:
            transport.abort()


class _Body(httpx.AsyncByteStream):
    """A response body, read as it arrives; the connection goes back to its pool at the end."""

    def __init__(self, conn: Connection, protocol: _Protocol, timeout: float | None) -> None:
        self._conn = conn
        self._protocol = protocol
        self._timeout = timeout
        self._done = False
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._closed:
            raise httpx.StreamClosed()
        proto = self._protocol
        try:
            while not self._done:
                event = await proto.next_event(self._timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    self._done = True
                elif isinstance(event, h11.ConnectionClosed):
                    raise httpx.RemoteProtocolError(
                        "peer closed connection without sending complete message body")
        except BaseException:
            self._done = False
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        proto, conn = self._protocol, self._conn
        if not self._done:  # an empty or already received body (a 304, a 3xx) ends here
            self._done = _buffered_to_end(proto.h11)
        if self._done and proto.h11.our_state is h11.DONE and proto.h11.their_state is h11.DONE:
            try:
                proto.h11.start_next_cycle()
            except h11.LocalProtocolError:
                conn.close()
        else:
            conn.close()  # an unread or broken body: the connection cannot carry another
        if conn.on_release is not None:
            conn.on_release(conn)


def _buffered_to_end(conn: h11.Connection) -> bool:
    """Read what is already received; True if the message ends within it."""
    try:
        while True:
            event = conn.next_event()
            if isinstance(event, h11.EndOfMessage):
                return True
            if not isinstance(event, h11.Data):
                return False
    except h11.RemoteProtocolError:
        return False


class OriginPool:
    """Keep-alive connections to one origin (scheme, host, port)."""

    def __init__(self, scheme: bytes, host: bytes, port: int | None, *,
                 max_idle: int, keepalive_expiry: float,
                 ssl_context: ssl.SSLContext | None, peer_check: PeerCheck | None = None) -> None:
        self._tls = scheme == b"https"
        self._host = host.decode("ascii")
        self._port = port or (443 if self._tls else 80)
        self._max_idle = max(0, max_idle)
        self._expiry = keepalive_expiry
        self._ssl = ssl_context
        self._peer_check = peer_check
        self._idle: list[Connection] = []
        self._all: set[Connection] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        conn = self._reuse() or await self._connect(timeouts.get("connect"))
        try:
            return await conn.send(request, timeouts)
        except BaseException:
            self._drop(conn)
            raise

    async def aclose(self) -> None:
        for conn in list(self._all):
            conn.abort()
        self._all.clear()
        self._idle.clear()

    def _reuse(self) -> Connection | None:
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()  # the most recently used: least likely to be timed out
            if conn.reusable and now - conn.idle_since < self._expiry:
                return conn
            self._drop(conn)
        return None

    async def _connect(self, timeout: float | None) -> Connection:
        loop = asyncio.get_running_loop()
        protocol = _Protocol()
        tls = self._ssl if self._tls else None
        try:
            async with asyncio.timeout(timeout):
                await loop.create_connection(
                    lambda: protocol, self._host, self._port, ssl=tls,
                    server_hostname=self._host if tls is not None else None)
        except TimeoutError:
            raise httpx.ConnectTimeout("connect timed out") from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from None
        self._check_peer(protocol)
        conn = Connection(protocol, self._released)
        self._all.add(conn)
        return conn

    def _check_peer(self, protocol: _Protocol) -> None:
        """Refuse the address actually connected to, if the guard would have refused it.

        The guard checked the name's addresses before the request; the connection resolves
        the name again, and a DNS answer that changed in between (rebinding) must not
        reach a private address.
        """
        if self._peer_check is None or protocol.transport is None:
            return
        peer = protocol.transport.get_extra_info("peername")
        try:
            addr = ipaddress.ip_address(str(peer[0]).split("%")[0])
        except (TypeError, ValueError, IndexError):
            addr = None
        if addr is None or not self._peer_check(addr):
            protocol.transport.abort()
            raise RefusedError(
                f"{self._host} connected to {addr}, which is not public (its DNS answer "
                "changed after the address check; allow it with --allow-address)",
                reason="private_address")

    def _released(self, conn: Connection) -> None:
        if conn.reusable and len(self._idle) < self._max_idle:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            self._drop(conn)

    def _drop(self, conn: Connection) -> None:
        conn.close()
        self._all.discard(conn)
