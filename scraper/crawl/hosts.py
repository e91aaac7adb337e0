"""Host workers: one queue per host (a window in memory, the rest parked) and its fetchers.

Every host gets its own small set of fetch workers (its concurrency), so a slow or
rate-limited host never holds up the others; a fetched page is handed to extraction and
the worker moves on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from archive import ParkedUrl
from scraper.crawl.fetching import FetchStage
from scraper.crawl.frontier import HostFrontier
from scraper.crawl.jobs import FetchedPage, Job, netloc
from scraper.crawl.writer import ArchiveWriter
from scraper.models import Candidate, SourceKind
from scraper.seeds import Seed
from scraper.settings import Settings


class HostWorkers:
    """The host queues and their fetch workers; pages go to ``extract`` (which may wait)."""

    def __init__(self, settings: Settings, seeds: list[Seed], *, fetching: FetchStage,
                 writer: ArchiveWriter, extract: Callable[[FetchedPage], Awaitable[None]],
                 stop: asyncio.Event) -> None:
        self.settings = settings
        self.fetching = fetching
        self.writer = writer
        self.extract = extract
        self.stop = stop
        self._seeds = {seed.name: seed for seed in seeds}
        self._queues: dict[str, HostFrontier[Job]] = {}
        self._workers: dict[str, int] = {}  # fetch workers started per host
        self.tasks: list[asyncio.Task[None]] = []

    def offer(self, job: Job) -> bool:
        """Queue ``job`` with its host (starting a worker for it); False: park it.

        A host gets one worker per job offered, up to its concurrency and never more than
        the run's global slots: a seed's ``per_host_concurrency`` of 10^17 costs as many
        workers as the host has URLs (at most ``global_concurrency``), not 10^17 tasks.
        """
        host = netloc(job.url)
        queue = self._queues.get(host)
        if queue is None:
            queue = self._queues[host] = HostFrontier(
                self.settings.frontier_window, lambda limit: self._unpark(host, limit))
        conc = job.seed.per_host_concurrency or self.settings.per_host_concurrency
        if self._workers.get(host, 0) < min(conc, self.settings.global_concurrency):
            self._workers[host] = self._workers.get(host, 0) + 1
            self.tasks.append(asyncio.ensure_future(self._work(queue)))
        return queue.put(job)

    async def join(self) -> None:
        """No more jobs come: wait until every queue is done."""
        for queue in self._queues.values():
            queue.close()  # its workers end once it is empty
        await asyncio.gather(*self.tasks)

    async def _unpark(self, host: str, limit: int) -> list[Job]:
        # Read and delete on the writer's thread, after the parking writes it has yet to land.
        parked: list[ParkedUrl] = await self.writer.call(
            lambda archive: archive.frontier.take(host, limit))
        return [Job(Candidate(p.url, p.seed, SourceKind(p.source), "frontier", p.published),
                    self._seeds[p.seed])
                for p in parked if p.seed in self._seeds]

    async def _work(self, queue: HostFrontier[Job]) -> None:
        while (job := await queue.get()) is not None:
            if self.stop.is_set():
                return
            page = await self.fetching.article(job)
            if page is not None:
                await self.extract(FetchedPage(job, page))
