"""Set up one crawl run: lock, archive, shared client, workers, signals; report; exit code."""

from __future__ import annotations

import asyncio
import ctypes
import signal
import time
from datetime import UTC, datetime

from archive.store import Archive
from scraper.crawl.pipeline import EXTRACT_TARGET, Crawl
from scraper.crawl.progress import Reporter, RunStats
from scraper.crawl.workers import WorkerPool
from scraper.fetch.client import build_client
from scraper.fetch.dns import DnsCache
from scraper.fetch.fetcher import Fetcher
from scraper.fetch.guard import AddressGuard, parse_networks
from scraper.fetch.politeness import HostScheduler
from scraper.fetch.robots import RobotsCache
from scraper.seeds import load_seeds
from scraper.settings import Settings

EXIT_OK, EXIT_PARTIAL = 0, 3
LOOKUP_CACHE_KIB = 4096
_M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def run_crawl(settings: Settings, *, quiet: bool = False) -> int:
    """Validate configuration, take the lock, crawl, write the run record; exit code."""
    from scraper.crawl.lock import RunLock

    seeds = load_seeds(settings.seeds_path)  # ConfigError → exit 2 before anything else
    _one_malloc_arena()
    parse_networks(settings.allow_addresses)
    with RunLock(settings.db_path):
        # Articles are written through a second connection (scraper.crawl.writer) with the
        # archive's full page cache; this one looks URLs up and records their state.
        archive = Archive.open(settings.db_path, cache_kib=LOOKUP_CACHE_KIB)
        try:
            return asyncio.run(_crawl(seeds, settings, archive, quiet))
        finally:
            archive.close()


async def _crawl(seeds: list, settings: Settings, archive: Archive, quiet: bool) -> int:
    stats = RunStats()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    run_id = archive.begin_run(datetime.now(UTC))
    reporter = Reporter(stats, live=False if quiet else None)
    reporter.log(f"crawl run {run_id}: {len(seeds)} publisher(s) into {settings.db_path}")
    status = "failed"
    try:
        # One DNS answer per name for dns_cache_ttl: the guard checks it, connections use it.
        guard = AddressGuard(settings.allow_addresses,
                             resolver=DnsCache(ttl=settings.dns_cache_ttl))
        cookie_domains = [seed.domain for seed in seeds if seed.cookies]
        async with build_client(settings, guard, cookie_domains) as client:
            pool = WorkerPool(EXTRACT_TARGET, workers=settings.extract_workers,
                              timeout=settings.extract_timeout,
                              memory_mb=settings.extract_memory_mb,
                              nice=settings.extract_nice)
            try:
                crawl = _build(seeds, settings, archive, client, pool, reporter, stop, guard)
                with reporter:
                    await crawl.run(run_id)
            finally:
                await asyncio.get_running_loop().run_in_executor(None, pool.close)
        status = _status(stats, stop.is_set(), crawl.budget_exhausted)
    finally:
        archive.finish_run(run_id, ended_at=datetime.now(UTC), status=status,
                           counts=stats.counts())
    for line in stats.summary_lines():
        print(line, flush=True)
    print(f"run {run_id}: {status}", flush=True)
    return EXIT_OK if status == "ok" else EXIT_PARTIAL


def _one_malloc_arena() -> None:
    """Ask glibc for one malloc arena, not one per thread (Linux; elsewhere a no-op).

    Discovery's parsers run on threads (and, until the archive writer became a process,
    so did it); with an arena each, freed memory scattered over several arenas stays
    resident: 120 MB against 99 MB peak for the bench's 20,000-page crawl with the writer
    thread (BENCHMARKS.md). The threads allocate little, so sharing one arena costs no
    measurable speed.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_ARENA_MAX, 1)
    except (OSError, AttributeError):
        pass


def _build(seeds: list, settings: Settings, archive: Archive, client: object,
           pool: WorkerPool, reporter: Reporter, stop: asyncio.Event,
           guard: AddressGuard) -> Crawl:
    scheduler = HostScheduler(global_concurrency=settings.global_concurrency,
                              per_host_concurrency=settings.per_host_concurrency,
                              per_host_delay=settings.per_host_delay)
    fetcher = Fetcher(client, settings, guard=guard,  # type: ignore[arg-type]
                      scheduler=scheduler,
                      run_deadline=time.monotonic() + settings.run_budget)
    robots = RobotsCache(fetcher, max_bytes=settings.max_robots_bytes,
                         max_crawl_delay=settings.max_crawl_delay)
    return Crawl(seeds, settings, archive=archive, fetcher=fetcher, robots=robots, pool=pool,
                 reporter=reporter, stop=stop)


def _status(stats: RunStats, stopped: bool, budget_hit: bool) -> str:
    if stopped:
        return "interrupted"
    if stats.failures or stats.deferred or budget_hit:
        return "partial"
    return "ok"
