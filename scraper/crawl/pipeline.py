"""One crawl run: seeds → discovery → polite fetching → extraction → archive.

Data flow (each arrow a stage module):

    seeds ─► discover (feeds, sitemaps, listings; robots.txt sitemaps)
          ─► per-host queues (a window in memory, the rest parked in the archive)
          ─► fetch (politeness, robots, guards)
          ─► extraction workers (processes) ─► archive (group commit: a transaction per
             batch of articles, see scraper.crawl.writer)

Every host gets its own small set of fetch workers (its concurrency), so a slow or
rate-limited host never holds up the others; a fetched page is handed to extraction and
the host worker moves on, with a bounded backlog in between. Expected outcomes (robots,
not modified, duplicate, no article, failure by reason) are counted in
:class:`~scraper.crawl.progress.RunStats`, never raised: one bad page never stops a run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlsplit

from archive import ArticleRecord
from archive.records import ParkedUrl, StoreResult
from archive.store import Archive
from scraper.crawl.frontier import HostFrontier
from scraper.crawl.progress import Reporter, RunStats
from scraper.crawl.workers import ExtractionFailed, WorkerPool
from scraper.crawl.writer import GroupCommit, WriterProcess
from scraper.discover.discovery import Fetch, discover
from scraper.errors import DeferredError, FetchError, RefusedError, is_permanent
from scraper.extract.extractor import EXTRACTOR_VERSION
from scraper.fetch.fetcher import HTML_TYPES, Fetcher
from scraper.fetch.robots import RobotsCache, origin_of
from scraper.models import Candidate, Extraction, Page, SourceKind
from scraper.seeds import Seed
from scraper.settings import Settings
from scraper.urls import canonicalize, host_of, pick_canonical

EXTRACT_TARGET = "scraper.extract.extractor:extract_for_archive"  # (Extraction, Fingerprint)
FEED_KINDS = ("feed", "sitemap")
GONE = (404, 410)
# A sitemap's recorded outcome says what it was when last parsed. Only a known leaf is
# asked conditionally: an index's children change while the index itself does not, so a
# 304 on the index would hide them (and "sitemap", from earlier versions, may be either).
SITEMAP_LEAF, SITEMAP_INDEX = "sitemap_leaf", "sitemap_index"


@dataclass(frozen=True)
class _Job:
    candidate: Candidate
    seed: Seed


class Crawl:
    """Runs one crawl over ``seeds`` into ``archive`` with shared fetcher and workers."""

    def __init__(self, seeds: list[Seed], settings: Settings, *, archive: Archive,
                 fetcher: Fetcher, robots: RobotsCache, pool: WorkerPool, reporter: Reporter,
                 stop: asyncio.Event | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.seeds = seeds
        self.settings = settings
        self.archive = archive
        self.fetcher = fetcher
        self.robots = robots
        self.pool = pool
        self.reporter = reporter
        self.stats = reporter.stats
        self.stop = stop or asyncio.Event()
        self._now = now
        self._run_id: int | None = None
        self._queues: dict[str, HostFrontier[_Job]] = {}
        self._parking: list[ParkedUrl] = []  # written once per discovery batch
        self._deferring: list[str] = []  # over --max-pages, written once per batch too
        self._seeds = {seed.name: seed for seed in seeds}
        self._host_workers: list[asyncio.Task[None]] = []
        self._backlog = asyncio.Semaphore(max(8, settings.extract_workers * 4))
        self._extractions: set[asyncio.Task[None]] = set()
        self._budget_hit = False
        self._fatal: BaseException | None = None  # a store that failed (disk full …)
        self._queued = 0
        self._pending_all: list[str] | None = None
        self._writer: GroupCommit | None = None
        self._parse_slots = asyncio.Semaphore(1)  # large discovery documents, one at a time

    # -- the run -----------------------------------------------------------------------
    async def run(self, run_id: int) -> RunStats:
        """Discover and fetch everything; returns when all work is done or stopped."""
        self._run_id = run_id
        self.archive.clear_frontier()  # a killed run's parked URLs are queued in ``urls``
        # Articles are stored in a process of their own, through a connection of its own.
        writer = WriterProcess(self.archive.path, nice=self.settings.extract_nice)
        self._writer = GroupCommit(self.archive, run_id=run_id, size=self.settings.store_batch,
                                   interval=self.settings.store_interval,
                                   on_stored=self._stored, on_error=self._storage_failed,
                                   writer=writer)
        try:
            return await self._run()
        finally:
            await asyncio.get_running_loop().run_in_executor(None, self._writer.close)

    async def _run(self) -> RunStats:
        assert self._writer is not None
        for seed in self.seeds:
            self._configure_hosts(seed)
        stopper = asyncio.ensure_future(self.stop.wait())
        work = asyncio.ensure_future(self._all_seeds())
        done, _ = await asyncio.wait({stopper, work}, return_when=asyncio.FIRST_COMPLETED)
        if work not in done:  # SIGTERM: stop scheduling, drop in-flight network work
            work.cancel()
        stopper.cancel()
        await asyncio.gather(work, stopper, return_exceptions=True)
        await self._cancel_all()
        await self._writer.drain()  # what was extracted is stored, after SIGTERM too
        if not work.cancelled() and work.exception() is not None:
            raise work.exception()  # type: ignore[misc]  # a bug must fail the run, loudly
        if self._fatal is not None:
            raise self._fatal
        return self.stats

    async def _all_seeds(self) -> None:
        await asyncio.gather(*(self._seed(seed) for seed in self.seeds))
        for queue in self._queues.values():
            queue.close()  # its workers end once it is empty
        await asyncio.gather(*self._host_workers)
        while self._extractions:
            await asyncio.gather(*list(self._extractions))

    async def _cancel_all(self) -> None:
        tasks = [*self._host_workers, *self._extractions]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _configure_hosts(self, seed: Seed) -> None:
        for url in (*seed.feeds, *seed.sitemaps, *seed.start_urls):
            self.fetcher.scheduler.configure(
                _netloc(url), delay=seed.per_host_delay, concurrency=seed.per_host_concurrency
            )

    # -- discovery ---------------------------------------------------------------------
    async def _seed(self, seed: Seed) -> None:
        extra: list[str] = []
        for origin in sorted({origin_of(u) for u in (*seed.feeds, *seed.sitemaps,
                                                     *seed.start_urls)}):
            policy = await self.robots.policy(origin + "/")
            extra.extend(u for u in policy.sitemaps if seed.owns(u))
            if policy.state == "unreachable":  # RFC 9309: the whole host is off this run
                self.stats.fail(_netloc(origin), f"robots_{policy.reason}")
                self.reporter.log(f"robots.txt unreachable ({policy.reason}): {origin}; "
                                  "host skipped this run")
        fetched: list[tuple[str, dict[str, object]]] = []
        report = await discover(
            seed, self._doc_fetcher(seed, fetched), now=self._now(),
            lastmod_window_days=self.settings.lastmod_window_days,
            max_sitemap_depth=self.settings.max_sitemap_depth,
            max_sitemap_urls=self.settings.max_sitemap_urls,
            max_bytes=self.settings.max_feed_bytes, extra_sitemaps=extra,
            max_sitemap_files=self.settings.max_sitemap_files,
            concurrency=self.settings.discovery_concurrency,
            parse_slots=self._parse_slots,
        )
        self.stats.malformed_urls.extend(report.malformed)
        batch: set[str] = set()  # URLs of this batch (earlier batches are in the archive)
        queued = [c.url for c in [*self._pending(seed), *report.candidates]
                  if self._enqueue(_Job(c, seed), batch)]
        report.candidates.clear()  # they now live in the queues or the archive
        # No await since the jobs were queued, so no worker has touched them yet.
        if self._parking:
            self.archive.park_frontier(self._parking)
            self._parking = []
        if self._deferring:
            self.archive.record_urls(self._deferring, fetched_at=datetime.now(UTC),
                                     outcome="deferred", reason="max_pages",
                                     run_id=self._run_id)
            self._deferring = []
        self.archive.queue_urls(queued, queued_at=self._now(), run_id=self._run_id)
        # Feed/sitemap validators only once their candidates are queued: a run killed in
        # between would otherwise get 304s next time and never see those articles again.
        for url, fields in fetched:
            if fields["outcome"] == "sitemap" and url in report.sitemap_kinds:
                fields["outcome"] = (SITEMAP_INDEX if report.sitemap_kinds[url] == "index"
                                     else SITEMAP_LEAF)
            self._record(url, **fields)  # type: ignore[arg-type]
        self.reporter.tick()

    def _pending(self, seed: Seed) -> list[Candidate]:
        """URLs an earlier run discovered but did not archive (failed, deferred, killed).

        Those whose last failure a retry cannot fix (4xx, not HTML, too large …) stay out.
        """
        if self._pending_all is None:  # one query per run, shared by the seeds
            self._pending_all = [url for url, outcome, reason in self.archive.pending()
                                 if not (outcome == "failed" and is_permanent(reason))]
        return [Candidate(u, seed.name, SourceKind.FEED, "earlier run")
                for u in self._pending_all if seed.owns(u)]

    def _doc_fetcher(self, seed: Seed, fetched: list[tuple[str, dict[str, object]]]) -> Fetch:
        async def fetch(url: str, kind: str) -> bytes | None:
            if not await self.robots.allowed(url):
                self.stats.robots += 1
                self._record(url, outcome="robots")
                return None
            conditional = kind in FEED_KINDS
            state = self.archive.url_state(url) if conditional else None
            if state is not None and kind == "sitemap" and state.outcome != SITEMAP_LEAF:
                state = None  # an index, or not known to be a leaf: ask unconditionally
            page = await self._fetch(url, etag=state.etag if state else None,
                                     last_modified=state.last_modified if state else None,
                                     max_bytes=self.settings.max_feed_bytes
                                     if conditional else None, kind=kind)
            if page is None:
                return None
            if page.not_modified:
                self.stats.not_modified += 1
                # A leaf sitemap stays a known leaf, so the next run asks conditionally too.
                leaf = kind == "sitemap" and state is not None
                outcome = SITEMAP_LEAF if leaf else "not_modified"
                self._record(url, outcome=outcome, status=304,
                             etag=state.etag if state else None,
                             last_modified=state.last_modified if state else None)
                return None
            fetched.append((url, {"outcome": kind, "status": page.status,
                                  "etag": page.headers.get("etag"),
                                  "last_modified": page.headers.get("last-modified")}))
            return page.body

        return fetch

    # -- article fetching --------------------------------------------------------------
    def _enqueue(self, job: _Job, batch: set[str]) -> bool:
        """Queue a candidate for fetching unless seen, archived, gone or over the cap.

        Seen means in this discovery batch (``batch``) or recorded by this run in the
        archive (queued or fetched): the run keeps no set of every URL it met.
        """
        url = job.candidate.url
        if url in batch:
            return False
        batch.add(url)
        state = self.archive.url_state(url)
        if state is not None and state.run_id == self._run_id and state.article_id is None:
            return False  # an earlier batch of this run queued or tried it
        self.stats.discovered += 1
        if self.archive.article_for_url(url) is not None:
            self.stats.known += 1
            return False
        if state is not None and state.outcome == "failed" and state.status in GONE:
            self.stats.gone += 1
            return False
        if self.settings.max_pages is not None and self._queued >= self.settings.max_pages:
            self.stats.deferred += 1
            self._deferring.append(url)
            return False
        self._queued += 1
        host = _netloc(url)
        queue = self._queues.get(host)
        if queue is None:
            queue = self._queues[host] = HostFrontier(
                self.settings.frontier_window, partial(self._unpark, host))
            conc = job.seed.per_host_concurrency or self.settings.per_host_concurrency
            for _ in range(conc):
                self._host_workers.append(asyncio.ensure_future(self._host_worker(queue)))
        if not queue.put(job):
            c = job.candidate
            self._parking.append(ParkedUrl(host, url, job.seed.name, c.source.value, c.published))
        return True

    def _unpark(self, host: str, limit: int) -> list[_Job]:
        return [_Job(Candidate(p.url, p.seed, SourceKind(p.source), "frontier", p.published),
                     self._seeds[p.seed])
                for p in self.archive.take_frontier(host, limit) if p.seed in self._seeds]

    async def _host_worker(self, queue: HostFrontier[_Job]) -> None:
        while (job := await queue.get()) is not None:
            if self.stop.is_set():
                return
            page = await self._fetch_article(job)
            if page is None:
                continue
            await self._backlog.acquire()
            task = asyncio.ensure_future(self._extract_and_store(job, page))
            self._extractions.add(task)
            task.add_done_callback(self._extraction_done)

    def _extraction_done(self, task: asyncio.Task[None]) -> None:
        self._extractions.discard(task)
        self._backlog.release()
        if not task.cancelled() and task.exception() is not None:
            self._storage_failed(task.exception())  # type: ignore[arg-type]

    def _storage_failed(self, exc: BaseException) -> None:
        if self._fatal is None:
            # The archive refused a write (disk full, I/O error): every later page would
            # fail the same way, so stop the run now and let the error end it, in one line.
            self._fatal = exc
            self.stop.set()

    async def _fetch_article(self, job: _Job) -> Page | None:
        url = job.candidate.url
        if not await self.robots.allowed(url):
            policy = await self.robots.policy(url)
            if policy.state == "unreachable":  # RFC 9309: off for this run only, so the
                self.stats.deferred += 1  # URL stays pending (a "robots" outcome is final)
                self._record(url, outcome="deferred", reason=f"robots_{policy.reason}")
                return None
            self.stats.robots += 1
            self._record(url, outcome="robots")
            return None
        return await self._fetch(url, accept_types=HTML_TYPES, kind="article")

    async def _fetch(self, url: str, *, kind: str, **options: object) -> Page | None:
        host = _netloc(url)
        # Feeds/sitemaps/listings that fail are "feed_failed" etc.: plain "failed" and
        # "deferred" mark article URLs, which the next run fetches again (Archive.pending).
        prefix = "" if kind == "article" else f"{kind}_"
        try:
            page = await self.fetcher.fetch(url, hop_check=self._robots_hop,
                                            urgent=kind != "article",
                                            **options)  # type: ignore[arg-type]
        except DeferredError as exc:
            self.stats.deferred += 1
            self._budget_hit |= exc.reason == "budget"
            self._record(url, outcome=prefix + "deferred", reason=exc.reason)
            return None
        except FetchError as exc:
            self.stats.fail(host, exc.reason)
            self._record(url, outcome=prefix + "failed", reason=exc.reason,
                         status=getattr(exc, "status", None))
            self.reporter.log(f"failed ({exc.reason}) {kind}: {exc}")
            return None
        finally:
            self.reporter.tick()
        if not page.not_modified:
            self.stats.fetched += 1
            self.stats.host_fetched[host] += 1
        return page

    async def _robots_hop(self, url: str) -> None:
        if not await self.robots.allowed(url):
            raise RefusedError(f"redirect target disallowed by robots.txt: {url[:200]}",
                               reason="robots")

    # -- extraction and storage --------------------------------------------------------
    async def _extract_and_store(self, job: _Job, page: Page) -> None:
        seed = job.seed
        try:
            extraction, fp = await self.pool.run(
                page.body, page.final_url, page.content_type,
                drop_selectors=seed.drop_selectors, body_selectors=seed.body_selectors)
        except ExtractionFailed as exc:
            self.stats.fail(_netloc(page.final_url), exc.reason)
            self._record(job.candidate.url, outcome="failed", reason=exc.reason,
                         status=page.status)
            return
        if len(extraction.text.strip()) < self.settings.min_article_chars:
            self.stats.no_article += 1
            self._record(job.candidate.url, outcome="no_article", status=page.status)
            return
        assert self._writer is not None
        self._writer.add(self._record_for(job, page, extraction), fp)

    def _stored(self, result: StoreResult) -> None:
        self.stats.stored[result.outcome.value] += 1
        self.reporter.tick()

    def _record_for(self, job: _Job, page: Page, ext: Extraction) -> ArticleRecord:
        final = canonicalize(page.final_url) or page.final_url
        url = pick_canonical(final, ext.canonical_url, job.seed.domain)
        aliases = dict.fromkeys((job.candidate.url, page.requested_url, *page.redirects,
                                 final, url))  # mostly one URL several times
        urls = tuple(dict.fromkeys(c for a in aliases if (c := canonicalize(a))))
        return ArticleRecord(
            url=url, urls=urls, text=ext.text, fetched_at=page.fetched_at, title=ext.title,
            authors=ext.authors, published=ext.published or job.candidate.published,
            language=ext.language, site=job.seed.name, description=ext.description,
            raw_html=page.body, http_status=page.status, content_type=page.content_type,
            etag=page.headers.get("etag"), last_modified=page.headers.get("last-modified"),
            extractor_version=EXTRACTOR_VERSION,
        )

    def _record(self, url: str, *, outcome: str, **fields: object) -> None:
        self.archive.record_urls([url], fetched_at=datetime.now(UTC), outcome=outcome,
                                 run_id=self._run_id, **fields)  # type: ignore[arg-type]

    @property
    def budget_exhausted(self) -> bool:
        return self._budget_hit


def _netloc(url: str) -> str:
    return urlsplit(url).netloc.lower() or host_of(url)


def monotonic_deadline(budget: float) -> float:
    """The monotonic time at which a run of ``budget`` seconds must stop fetching."""
    return time.monotonic() + budget
