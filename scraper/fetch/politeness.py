"""Per-host politeness: concurrency, a delay after each response, back-off.

A request to a host waits for (1) one of the host's concurrency slots, (2) the host's
next allowed start time, then (3) one of the global slots. The global slot is taken last
so that a host waiting out its delay never holds a slot another host could use.

The next allowed start is the host delay after the END of the last response on that host
(as Heritrix's politeness delay counts from a fetch's completion), and never sooner than
the delay after the previous request's start, so two slots cannot start in a burst; a
429's Retry-After pushes it further. Counting from the end is politer than spacing starts
(a slow response is not followed at once by the next request), and what the host sees
between one answer and the next request no longer depends on how late a request reached
it: the client's clock starts when it has the whole response.

A host that stops answering (``failure_limit`` timeouts or connection failures in a row,
no response in between) is suspended for the rest of the run: its slot refuses every
further request, so its queued URLs cost nothing and wait for the next run.

Urgent requests (robots.txt, feeds, sitemaps, listings: the ones that find work for
every host) get the next free global slot before article requests do, so all publishers
are discovered, and their hosts busy, as early as the global cap allows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from archive import Reason
from scraper.errors import DeferredError

Sleep = Callable[[float], Awaitable[None]]
LOG = logging.getLogger("scraper.fetch")


@dataclass
class _Host:
    delay: float
    concurrency: int
    semaphore: asyncio.Semaphore
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    requests: int = 0
    failures: int = 0  # timeouts and connection failures since its last response
    suspended: bool = False


class _Slots:
    """A semaphore whose urgent waiters are served before the others (FIFO within each)."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    async def acquire(self, urgent: bool) -> None:
        if self._free > 0 and not self._urgent and not self._normal:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._normal
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot, then cancelled: pass it on
            elif waiter in queue:  # release() may have dropped it already
                queue.remove(waiter)
            raise

    def release(self) -> None:
        """Hand the slot to the first urgent waiter, else the first other one, else free it."""
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._free += 1


class HostScheduler:
    """Grants request slots per host; shared by every fetch of a run."""

    def __init__(
        self,
        *,
        global_concurrency: int,
        per_host_concurrency: int,
        per_host_delay: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        failure_limit: int = 3,
    ) -> None:
        self._failure_limit = failure_limit
        self._global = _Slots(global_concurrency)
        self._default_concurrency = per_host_concurrency
        self._default_delay = per_host_delay
        self._hosts: dict[str, _Host] = {}
        self._clock = clock
        self._sleep = sleep

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            c = self._default_concurrency
            state = _Host(self._default_delay, c, asyncio.Semaphore(c))
            self._hosts[host] = state
        return state

    def configure(
        self, host: str, *, delay: float | None = None, concurrency: int | None = None
    ) -> None:
        """Raise a host's delay (never lower it below the default) or set its concurrency."""
        state = self._host(host)
        if delay is not None:
            state.delay = max(state.delay, delay)
        if concurrency is not None and concurrency != state.concurrency and state.requests == 0:
            state.concurrency = concurrency
            state.semaphore = asyncio.Semaphore(concurrency)

    def delay_of(self, host: str) -> float:
        return self._host(host).delay

    def pause(self, host: str, seconds: float) -> None:
        """Make the whole host wait ``seconds`` before its next request (429 Retry-After)."""
        state = self._host(host)
        state.next_start = max(state.next_start, self._clock() + seconds)

    def wait_time(self, host: str) -> float:
        """Seconds until the host may start its next request."""
        return max(0.0, self._host(host).next_start - self._clock())

    def unresponsive(self, host: str) -> bool:
        """Note a timeout or connection failure; True when it has just suspended the host."""
        state = self._host(host)
        state.failures += 1
        if state.suspended or state.failures < self._failure_limit:
            return False
        state.suspended = True
        LOG.warning(
            f"host {host} suspended for the rest of the run after "
            f"{self._failure_limit} timeouts or connection failures in a row; "
            "its URLs wait for the next run"
        )
        return True

    def responded(self, host: str) -> None:
        """Note that the host answered (any status): its count of failures starts over."""
        self._host(host).failures = 0

    def suspended(self, host: str) -> bool:
        """True once the host stopped answering; it gets no more requests this run."""
        return self._host(host).suspended

    def check_suspended(self, host: str) -> None:
        """Raise DeferredError (``host_unresponsive``) if the host is suspended."""
        if self._host(host).suspended:
            raise DeferredError(
                f"host {host} suspended for this run: it stopped answering",
                reason=Reason.HOST_UNRESPONSIVE,
            )

    @asynccontextmanager
    async def slot(self, host: str, *, urgent: bool = False) -> AsyncIterator[None]:
        """Hold one request slot for ``host`` for the duration of the block.

        The block is the whole exchange, to the end of the response's body: the host's
        next request starts no sooner than its delay after the block ends.

        ``urgent`` requests are granted a global slot ahead of the others waiting for one.
        A suspended host's requests raise :class:`DeferredError` (``host_unresponsive``),
        also those that were already waiting for the slot when it was suspended.
        """
        state = self._host(host)
        async with state.semaphore:
            async with state.lock:  # serialise start times so the delay holds between starts
                while (wait := state.next_start - self._clock()) > 0:
                    await self._sleep(wait)
                self.check_suspended(host)
                # Starts are spaced by the delay too, counted from when this request really
                # starts, after any wait for a global slot (a host waiting for its delay
                # holds no global slot); its end then sets the next start (below).
                await self._global.acquire(urgent)
                state.next_start = max(state.next_start, self._clock() + state.delay)
            try:
                state.requests += 1
                yield
            finally:
                # The block ends when the response is read and closed (or has failed): the
                # host's next request waits the delay from here.
                state.next_start = max(state.next_start, self._clock() + state.delay)
                self._global.release()
