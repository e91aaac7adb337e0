"""One crawl run: the stage objects of ARCHITECTURE.md's numbered data flow, joined.

1. :class:`~scraper.crawl.driver.DiscoveryDriver` reads robots.txt sitemaps and each
   seed's feeds, sitemaps and listings (conditionally where it can) into jobs;
2. :class:`~scraper.crawl.admission.Admission` keeps the new ones (not seen, archived,
   gone or over the cap) and queues them with their host, or parks them;
3. :class:`~scraper.crawl.hosts.HostWorkers` fetch each host's queue politely through
   :class:`~scraper.crawl.hosts.FetchStage`;
4. :class:`~scraper.crawl.processing.ExtractStage` extracts pages in worker processes;
5. :class:`~scraper.runtime.archive_writer.ArchiveWriter` writes everything (articles, URL outcomes,
   queued and parked URLs) on its own thread in group commits; the loop only reads.

The stages hand each other frozen records (:mod:`scraper.crawl.jobs`, the writer's writes)
and record outcomes as :class:`archive.Outcome` values. Expected outcomes (robots, not
modified, duplicate, no article, failure by reason) are counted in
:class:`~scraper.runtime.progress.RunStats`, never raised: one bad page never stops a run.
A failed archive write does: every later one would fail the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from archive import Archive, Reason
from scraper.crawl.admission import Admission
from scraper.crawl.driver import DiscoveryDriver
from scraper.crawl.hosts import FetchStage, HostWorkers
from scraper.crawl.processing import ExtractStage, PageChain
from scraper.fetch import Fetcher, RobotsCache
from scraper.models import utc_now
from scraper.runtime import ArchiveWriter, Landed, Reporter, RunStats, StoreArticle, WorkerPool
from scraper.seeds import Seed
from scraper.settings import Settings
from scraper.urls import host_key


def configure_hosts(fetcher: Fetcher, seed: Seed) -> None:
    """Give ``seed``'s hosts its own delay and concurrency, if it sets them."""
    for url in (*seed.feeds, *seed.sitemaps, *seed.start_urls):
        fetcher.scheduler.configure(
            host_key(url), delay=seed.per_host_delay, concurrency=seed.per_host_concurrency
        )


class Crawl:
    """Runs one crawl over ``seeds``: reads from ``archive``, writes through ``writer``."""

    def __init__(
        self,
        seeds: list[Seed],
        settings: Settings,
        *,
        archive: Archive,
        writer: ArchiveWriter,
        landing: Landing,
        fetcher: Fetcher,
        robots: RobotsCache,
        pool: WorkerPool,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.seeds = seeds
        self.fetcher = fetcher
        self.writer = writer
        self.landing = landing
        self.reporter = landing.reporter
        self.stats = landing.reporter.stats
        self.stop = landing.stop
        reporter = self.reporter
        self.fetching = FetchStage(fetcher, robots, writer, reporter)
        self.discovery = DiscoveryDriver(
            settings,
            archive=archive,
            fetching=self.fetching,
            robots=robots,
            writer=writer,
            reporter=reporter,
            now=now,
        )
        self.extraction = ExtractStage(
            settings,
            pool=pool,
            writer=writer,
            stats=self.stats,
            on_error=landing.failed,
            pages=PageChain(self.fetching, pool),
        )
        self.hosts = HostWorkers(
            settings,
            seeds,
            fetching=self.fetching,
            writer=writer,
            extract=self.extraction.submit,
            stop=self.stop,
        )
        self.admission = Admission(
            settings, archive=archive, writer=writer, stats=self.stats, offer=self.hosts.offer
        )

    async def run(self) -> RunStats:
        """Discover and fetch everything; returns when all work is done or stopped."""
        # A killed run's parked URLs are still queued in ``urls``: pending() finds them.
        await self.writer.clear_frontier()
        for seed in self.seeds:
            configure_hosts(self.fetcher, seed)
        stopper = asyncio.ensure_future(self.stop.wait())
        work = asyncio.ensure_future(self._all_seeds())
        done, _ = await asyncio.wait({stopper, work}, return_when=asyncio.FIRST_COMPLETED)
        if work not in done:  # SIGTERM: stop scheduling, drop in-flight network work
            work.cancel()
        stopper.cancel()
        await asyncio.gather(work, stopper, return_exceptions=True)
        await self._cancel_all()
        await self.writer.drain()  # what was extracted is stored, after SIGTERM too
        if not work.cancelled() and (error := work.exception()) is not None:
            raise error  # a bug must fail the run, loudly
        if self.landing.fatal is not None:
            raise self.landing.fatal
        return self.stats

    @property
    def budget_exhausted(self) -> bool:
        """True if the run budget left fetches for a later run."""
        return self.fetching.budget_hit

    async def _all_seeds(self) -> None:
        await asyncio.gather(*(self._seed(seed) for seed in self.seeds))
        await self.hosts.join()
        await self.extraction.join()

    async def _seed(self, seed: Seed) -> None:
        discovered = await self.discovery.discover(seed)
        self.admission.admit(discovered.jobs)
        self.discovery.record(discovered)  # after the queue writes: the writer keeps order

    async def _cancel_all(self) -> None:
        tasks = [*self.hosts.tasks, *self.extraction.tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class Landing:
    """What the archive writer reports back to a run: counts of what landed, the first failure.

    Built before the writer, whose ``on_landed`` and ``on_failed`` are its methods, so the
    writer gets its callbacks when it is built.
    """

    def __init__(self, reporter: Reporter, stop: asyncio.Event) -> None:
        self.reporter = reporter
        self.stats = reporter.stats
        self.stop = stop
        self.fatal: BaseException | None = None  # a store that failed (disk full …)

    def landed(self, landed: Landed) -> None:
        # The results answer the first articles of the batch, in order; the rest are lost.
        stored = [w for w in landed.writes if isinstance(w, StoreArticle)]
        for write, result in zip(stored, landed.results, strict=False):
            self.stats.stored[result.outcome.value] += 1
            self.stats.publishers.stored(write.record, result.outcome)
        for lost in landed.lost:
            self.stats.fail(lost.host, Reason.STORE_FAILED, lost.record.site)
        if landed.results:
            self.reporter.tick()

    def failed(self, exc: BaseException) -> None:
        if self.fatal is None:
            # The archive refused a write (disk full, I/O error) or a task failed: every
            # later page would fail the same way, so stop the run now, in one line.
            self.fatal = exc
            self.stop.set()
