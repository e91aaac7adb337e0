"""Fetchers on the run's own client, with respx answering for the network (HTTP unit tests).

respx patches httpcore's connection pools, so a request goes through ``build_client``'s
whole stack (headers, cookies, proxies, the per-origin transport) up to the socket.
Faults that need a real socket (resets, drips, truncation) use the loopback simulator.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import datetime

from scraper.fetch.client import build_client
from scraper.fetch.exchange import OnExchange
from scraper.fetch.fetcher import Fetcher
from scraper.fetch.guard import AddressGuard
from scraper.fetch.politeness import HostScheduler
from scraper.models import utc_now
from scraper.settings import Settings

PUBLIC = "93.184.216.34"


async def public_resolver(host: str, port: int) -> list[str]:
    """Every name is public except two that point into the machine's own network."""
    return {"evil.example": ["127.0.0.1"], "meta.example": ["169.254.169.254"]}.get(host, [PUBLIC])


def make_fetcher(
    *,
    sleeps: list[float] | None = None,
    settings: Settings | None = None,
    run_deadline: float | None = None,
    clock: Callable[[], float] | None = None,
    now: Callable[[], datetime] = utc_now,
    on_exchange: OnExchange | None = None,
    virtual_time: bool = False,
) -> Fetcher:
    """A Fetcher whose waits are recorded in ``sleeps`` rather than slept.

    ``clock`` is the monotonic clock of politeness and deadlines, ``now`` the wall clock
    that stamps pages and dates ``Retry-After``. With ``virtual_time`` the clock is one
    that each recorded wait moves on, so a host paused for 20 s is free after one wait
    instead of being polled for 20 real seconds.
    """
    settings = settings or Settings(max_tries=3, max_body_bytes=10_000, per_host_delay=0.0)
    recorded = sleeps if sleeps is not None else []
    elapsed = [0.0]
    if virtual_time:
        clock = lambda: elapsed[0]  # noqa: E731

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)
        elapsed[0] += max(0.0, seconds)

    sleep: Callable[[float], Awaitable[None]] = fake_sleep
    guard = AddressGuard(resolver=public_resolver)
    timing = {"clock": clock} if clock else {}
    scheduler = HostScheduler(
        global_concurrency=4,
        per_host_concurrency=2,
        per_host_delay=0.0,
        sleep=sleep,
        failure_limit=settings.host_failure_limit,
        **timing,
    )  # type: ignore[arg-type]
    return Fetcher(
        build_client(settings, guard),
        settings,
        guard=guard,
        scheduler=scheduler,
        sleep=sleep,
        run_deadline=run_deadline,
        rng=random.Random(1),
        now=now,
        on_exchange=on_exchange,
        **timing,
    )  # type: ignore[arg-type]
