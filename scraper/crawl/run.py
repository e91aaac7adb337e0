"""Set up one crawl run: lock, archive, shared client, workers, signals; report; exit code."""

from __future__ import annotations

import asyncio
import ctypes
import logging
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import httpx

from archive import Archive, Reason, RunStatus
from scraper import logs
from scraper.crawl import health
from scraper.crawl.pipeline import Crawl, Landing, configure_hosts
from scraper.crawl.warcout import WarcRecorder
from scraper.fetch import (
    AddressGuard,
    DnsCache,
    Fetcher,
    HostScheduler,
    RobotsCache,
    build_client,
    parse_networks,
    refuse_private_addresses,
)
from scraper.models import utc_now
from scraper.runtime import EXTRACT_TARGET, ArchiveWriter, Reporter, RunStats, WorkerPool
from scraper.seeds import Seed, load_seeds
from scraper.settings import Settings

EXIT_OK, EXIT_PARTIAL = 0, 3
LOOKUP_CACHE_KIB = 4096
_M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def run_crawl(settings: Settings, *, quiet: bool = False) -> int:
    """Validate configuration, take the lock, crawl, write the run record; exit code."""
    from scraper.runtime import RunLock

    seeds = load_seeds(settings.seeds_path)  # ConfigError → exit 2 before anything else
    _one_malloc_arena()
    parse_networks(settings.allow_addresses)
    refuse_private_addresses(seeds, settings.allow_addresses)
    with RunLock(settings.db_path):
        if settings.db_path.exists():
            # Damaged: refused before any write. quick_check reads the whole file: 0.07-0.17 s
            # for 41 MB (5,000 articles) here, 250-600 MB/s warm (/tmp qc script, report).
            Archive.check_file(settings.db_path)
        # Everything is written through a second connection (the archive writer) with the
        # archive's full page cache, on its own thread; this one only looks URLs up.
        archive = Archive.open(settings.db_path, cache_kib=LOOKUP_CACHE_KIB)
        try:
            return asyncio.run(_crawl(seeds, settings, archive, quiet))
        finally:
            archive.close()


async def _crawl(seeds: list, settings: Settings, archive: Archive, quiet: bool) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    stats = RunStats()
    landing = Landing(Reporter(stats, live=False if quiet else None), stop)
    writer = ArchiveWriter(
        settings.db_path,
        size=settings.store_batch,
        interval=settings.store_interval,
        timeout=settings.writer_timeout,
        on_landed=landing.landed,
        on_failed=landing.failed,
        now=utc_now,
    )
    await writer.start()
    try:
        return await _run(seeds, settings, archive, writer, landing)
    finally:
        await writer.close()


async def _run(
    seeds: list, settings: Settings, archive: Archive, writer: ArchiveWriter, landing: Landing
) -> int:
    stats, reporter, stop = landing.stats, landing.reporter, landing.stop
    started_at = utc_now()
    run_id = await writer.begin_run(started_at)
    reporter.log(f"crawl run {run_id}: {len(seeds)} publisher(s) into {settings.db_path}")
    status = RunStatus.FAILED
    warc = WarcRecorder(settings, run_id=run_id) if settings.warc_dir is not None else None
    try:
        # One DNS answer per name for dns_cache_ttl: the guard checks it, connections use it.
        guard = AddressGuard(
            settings.allow_addresses, resolver=DnsCache(ttl=settings.dns_cache_ttl)
        )
        cookie_domains = [seed.domain for seed in seeds if seed.cookies]
        async with build_client(settings, guard, cookie_domains) as client:
            pool = WorkerPool(
                EXTRACT_TARGET,
                workers=settings.extract_workers,
                timeout=settings.extract_timeout,
                memory_mb=settings.extract_memory_mb,
                nice=settings.extract_nice,
                background=True,  # robots.txt and feeds are fetched while it starts
            )
            try:
                crawl = _build(seeds, settings, archive, writer, landing, client, pool, guard, warc)
                with reporter:
                    await crawl.run()
            finally:
                await asyncio.get_running_loop().run_in_executor(None, pool.close)
        status = _status(stats, stop.is_set(), crawl.budget_exhausted)
    finally:
        if warc is not None:
            files = await warc.close()
            reporter.log(
                f"WARC: {warc.records} exchange(s) in {len(files)} file(s) under {warc.directory}"
            )
        counts = stats.counts()
        await writer.finish_run(run_id, status=status, counts=counts)
    verdicts = await _publisher_health(seeds, stats, writer, run_id, started_at, status)
    summary = logging.getLogger(logs.SUMMARY)
    for line in stats.summary_lines():
        summary.info(line)
    if verdicts is not None:
        summary.info(health.summary_line(verdicts))
    summary.info(f"run {run_id}: {status}")
    return _exit_code(status, verdicts, stats, summary)


def _exit_code(
    status: RunStatus,
    verdicts: list[health.Verdict] | None,
    stats: RunStats,
    summary: logging.Logger,
) -> int:
    """3 exactly when a person should look (``health.attention``, or the run was stopped);
    a 404 article, a few timeouts or 5xx retried next run are a quiet night: 0."""
    if verdicts is None:
        summary.warning(f"exit {EXIT_PARTIAL}: the run was {status} before it finished")
        return EXIT_PARTIAL
    look = health.attention(verdicts, store_failures=stats.failed[Reason.STORE_FAILED])
    if look:
        summary.warning(f"exit {EXIT_PARTIAL}, needs a look: " + "; ".join(look))
        return EXIT_PARTIAL
    return EXIT_OK


async def _publisher_health(
    seeds: list,
    stats: RunStats,
    writer: ArchiveWriter,
    run_id: int,
    started_at: datetime,
    status: RunStatus,
) -> list[health.Verdict] | None:
    """Store this run's per-publisher figures and judge them; None for an unfinished run.

    An interrupted run stops early and would look like a night without articles, so only
    finished runs (ok, partial) are stored: health judges like against like.
    """
    if not status.finished:
        return None
    rows = stats.publishers.rows([s.name for s in seeds], run_id, started_at, stats.started)
    history = await writer.record_publishers(rows, health.DEFAULT_RUNS)
    return health.judge_all({s.name: history[s.name] for s in seeds if s.name in history})


def _one_malloc_arena() -> None:
    """Ask glibc for one malloc arena, not one per thread (Linux; elsewhere a no-op).

    Discovery's parsers and the archive writer run on threads; with an arena each, freed
    memory scattered over several arenas stays resident: 120 MB against 99 MB peak for
    the bench's 20,000-page crawl with the writer thread (BENCHMARKS.md). The threads
    allocate little, so sharing one arena costs no measurable speed.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_ARENA_MAX, 1)
    except (OSError, AttributeError):
        pass


def fetch_parts(
    settings: Settings,
    client: httpx.AsyncClient,
    guard: AddressGuard,
    warc: WarcRecorder | None = None,
) -> tuple[Fetcher, RobotsCache]:
    """The run's fetcher (politeness, guard, budget, WARC copy) and its robots.txt cache."""
    scheduler = HostScheduler(
        global_concurrency=settings.global_concurrency,
        per_host_concurrency=settings.per_host_concurrency,
        per_host_delay=settings.per_host_delay,
        failure_limit=settings.host_failure_limit,
    )
    fetcher = Fetcher(
        client,
        settings,
        guard=guard,
        scheduler=scheduler,
        now=utc_now,
        run_deadline=time.monotonic() + settings.run_budget,
        on_exchange=warc,
    )
    robots = RobotsCache(
        fetcher, max_bytes=settings.max_robots_bytes, max_crawl_delay=settings.max_crawl_delay
    )
    return fetcher, robots


@asynccontextmanager
async def build_fetcher(
    settings: Settings, seeds: list[Seed]
) -> AsyncIterator[tuple[Fetcher, RobotsCache]]:
    """A fetcher and robots cache built as a crawl builds them, for ``seeds``' hosts."""
    guard = AddressGuard(settings.allow_addresses)
    async with build_client(settings, guard) as client:
        fetcher, robots = fetch_parts(settings, client, guard)
        for seed in seeds:
            configure_hosts(fetcher, seed)
        yield fetcher, robots


def _build(
    seeds: list,
    settings: Settings,
    archive: Archive,
    writer: ArchiveWriter,
    landing: Landing,
    client: httpx.AsyncClient,
    pool: WorkerPool,
    guard: AddressGuard,
    warc: WarcRecorder | None = None,
) -> Crawl:
    fetcher, robots = fetch_parts(settings, client, guard, warc)
    return Crawl(
        seeds,
        settings,
        archive=archive,
        writer=writer,
        landing=landing,
        fetcher=fetcher,
        robots=robots,
        pool=pool,
        now=utc_now,
    )


def _status(stats: RunStats, stopped: bool, budget_hit: bool) -> RunStatus:
    if stopped:
        return RunStatus.INTERRUPTED
    if stats.failures or stats.deferred or budget_hit:
        return RunStatus.PARTIAL
    return RunStatus.OK
