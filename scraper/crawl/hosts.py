"""Host workers: one queue per host (a window in memory, the rest parked) and its fetchers.

Every host gets its own small set of fetch workers (its concurrency), so a slow or
rate-limited host never holds up the others; a fetched page is handed to extraction and
the worker moves on. :class:`FetchStage` is the fetch itself for the crawl: robots.txt
first, and every failure an outcome recorded through the writer, never an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from archive import Outcome, Reason
from scraper.crawl.admission import GONE
from scraper.crawl.frontier import HostFrontier
from scraper.crawl.jobs import FetchedPage, Job
from scraper.errors import DeferredError, FetchError, RefusedError
from scraper.fetch import Fetcher, RobotsCache, RobotsState
from scraper.models import HTML_TYPES, Candidate, Page, SourceKind
from scraper.runtime import ArchiveWriter, Reporter
from scraper.seeds import Seed
from scraper.settings import Settings
from scraper.urls import host_key


class HostWorkers:
    """The host queues and their fetch workers; pages go to ``extract`` (which may wait)."""

    def __init__(
        self,
        settings: Settings,
        seeds: list[Seed],
        *,
        fetching: FetchStage,
        writer: ArchiveWriter,
        extract: Callable[[FetchedPage], Awaitable[None]],
        stop: asyncio.Event,
    ) -> None:
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
        host = host_key(job.url)
        queue = self._queues.get(host)
        if queue is None:
            queue = self._queues[host] = HostFrontier(
                self.settings.frontier_window, lambda limit: self._unpark(host, limit)
            )
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
        parked = await self.writer.take_parked(host, limit)
        return [
            Job(
                Candidate(p.url, p.seed, SourceKind(p.source), "frontier", p.published),
                self._seeds[p.seed],
            )
            for p in parked
            if p.seed in self._seeds
        ]

    async def _work(self, queue: HostFrontier[Job]) -> None:
        while (job := await queue.get()) is not None:
            if self.stop.is_set():
                return
            page = await self.fetching.article(job)
            if page is not None:
                await self.extract(FetchedPage(job, page))


class FetchStage:
    """Fetches documents and articles through the shared :class:`Fetcher`.

    A fetch that fails or is deferred (budget, rate limit) is counted and recorded with
    its reason and the caller gets None: one bad URL never stops a run.
    """

    def __init__(
        self, fetcher: Fetcher, robots: RobotsCache, writer: ArchiveWriter, reporter: Reporter
    ) -> None:
        self.fetcher = fetcher
        self.robots = robots
        self.writer = writer
        self.reporter = reporter
        self.stats = reporter.stats
        self.budget_hit = False  # the run budget deferred a fetch

    async def article(self, job: Job) -> Page | None:
        """The article page of ``job``, unless robots.txt or the fetch says otherwise (or a
        revisit's conditional request says it has not changed)."""
        url = job.url
        # A suspended host's URLs go straight to fetch(), which defers them (no robots.txt
        # request, whose failure would name robots instead of the host as the reason).
        suspended = self.fetcher.scheduler.suspended(host_key(url))
        if not suspended and not await self.robots.allowed(url):
            policy = await self.robots.policy(url)
            if policy.state == RobotsState.UNREACHABLE:  # RFC 9309: off for this run only, so the
                reason = Reason.of_robots(policy.reason)  # URL stays pending ("robots" is final)
                self.stats.defer(reason)
                self.writer.record(url, Outcome.DEFERRED, reason=reason)
                return None
            self.stats.robots += 1
            self.writer.record(url, Outcome.ROBOTS)
            return None
        page = await self.fetch(
            url,
            kind="article",
            accept_types=HTML_TYPES,
            publisher=job.seed.name,
            etag=job.etag,
            last_modified=job.last_modified,
        )
        if page is not None and page.not_modified:  # a revisit: the archived text stands
            self.writer.record(url, Outcome.NOT_MODIFIED, status=page.status)
            return None
        return page

    async def fetch(
        self,
        url: str,
        *,
        kind: str,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        accept_types: tuple[str, ...] | None = None,
        publisher: str | None = None,
    ) -> Page | None:
        """Fetch ``url`` (``kind``: article, feed, sitemap or listing) for ``publisher``
        (a seed name, for its health figures); None if it failed."""
        host = host_key(url)
        document = kind != "article"
        if publisher is not None and document:
            self.stats.publishers[publisher].documents += 1
        try:
            page = await self.fetcher.fetch(
                url,
                etag=etag,
                last_modified=last_modified,
                max_bytes=max_bytes,
                accept_types=accept_types,
                hop_check=self._robots_hop,
                urgent=kind != "article",
            )
        except DeferredError as exc:
            self.stats.defer(exc.reason)
            self.budget_hit |= exc.reason == Reason.BUDGET
            # Documents that fail are "feed_deferred" etc.: plain "failed" and "deferred"
            # mark article URLs, which the next run fetches again (Archive.pending).
            self.writer.record(url, Outcome.of_document(kind, "deferred"), reason=exc.reason)
            return None
        except FetchError as exc:
            status = getattr(exc, "status", None)
            if not document and status in GONE:
                self._gone(url, exc, status, publisher)
                return None
            self.stats.fail(host, exc.reason, publisher)
            if publisher is not None and document:
                self.stats.publishers.document_failed(publisher, url)
            self.writer.record(
                url, Outcome.of_document(kind, "failed"), reason=exc.reason, status=status
            )
            self.reporter.warn(f"failed ({exc.reason}) {kind}: {exc}")
            return None
        finally:
            self.reporter.tick()
        if not page.not_modified:
            self.stats.fetched += 1
            self.stats.host_fetched[host] += 1
            if publisher is not None:
                self.stats.publishers.fetched(publisher, len(page.body))
        elif publisher is not None:
            self.stats.publishers[publisher].not_modified += 1
        return page

    def _gone(self, url: str, exc: FetchError, status: int, publisher: str | None) -> None:
        # A removed article (404/410) is the site's decision, not a fault: counted as gone,
        # not failed, and never asked again (Admission reads the status it is recorded with).
        self.stats.newly_gone += 1
        if publisher is not None:
            self.stats.publishers[publisher].gone += 1
        self.writer.record(url, Outcome.FAILED, reason=exc.reason, status=status)
        self.reporter.log(f"gone (HTTP {status}) article: {url[:200]}")

    async def _robots_hop(self, url: str) -> None:
        if not await self.robots.allowed(url):
            raise RefusedError(
                f"redirect target disallowed by robots.txt: {url[:200]}", reason=Reason.ROBOTS
            )
