"""Fetched pages to the extraction workers, articles to the writer; multi-page articles joined.

:class:`ExtractStage` hands each page to the worker pool (a bounded backlog) and each
article to the archive writer. A page that links its next page
(:mod:`scraper.extract.pagination`) has the rest fetched by :class:`PageChain` through the
same :class:`~scraper.crawl.hosts.FetchStage` (robots.txt, the host's delay and
concurrency, the run budget) and extracted in the same workers, as the walk of
:class:`~scraper.extract.joining.PageWalk` (shared with a WARC ingest) asks for them, up
to :data:`~scraper.extract.pagination.MAX_PAGES` pages; a page seen twice (a loop), a
fetch that fails or a page that lands outside the article's path ends the chain. A later
page found alone by discovery starts again from the first page it links, so the article
is stored once, whichever of its pages was found.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

from archive import Fingerprint, Outcome, Reason
from scraper.crawl.hosts import FetchStage
from scraper.crawl.jobs import FetchedPage, Job
from scraper.extract import PageWalk, page_key
from scraper.models import Extraction, Page
from scraper.runtime import (  # one definition for crawl and ingest
    ArchiveWriter,
    ExtractionFailed,
    RunStats,
    WorkerPool,
    article_record,
    extract_options_of,
)
from scraper.settings import Settings
from scraper.urls import host_key


class ExtractStage:
    """Extracts pages in the worker processes, a bounded backlog of them at a time.

    :meth:`submit` waits only for a backlog slot, so a host worker moves on to its next
    URL while the page is parsed. An unexpected error in a task goes to ``on_error``.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        pool: WorkerPool,
        writer: ArchiveWriter,
        stats: RunStats,
        on_error: Callable[[BaseException], None],
        pages: PageChain | None = None,
    ) -> None:
        self.settings = settings
        self.pages = pages  # multi-page articles: fetches the rest of an article's pages
        self.pool = pool
        self.writer = writer
        self.stats = stats
        self.on_error = on_error
        self._backlog = asyncio.Semaphore(max(8, settings.extract_workers * 4))
        self.tasks: set[asyncio.Task[None]] = set()

    async def submit(self, fetched: FetchedPage) -> None:
        """Start extracting ``fetched`` once the backlog has room."""
        await self._backlog.acquire()
        task = asyncio.ensure_future(self._extract(fetched))
        self.tasks.add(task)
        task.add_done_callback(self._done)

    async def join(self) -> None:
        """Wait for every extraction under way (and those they lead to)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks))

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self._backlog.release()
        if not task.cancelled() and (exc := task.exception()) is not None:
            self.on_error(exc)

    async def _extract(self, fetched: FetchedPage) -> None:
        job, page = fetched.job, fetched.page
        try:
            extraction, fp = await self.pool.run(
                page.body, page.final_url, page.content_type, **extract_options_of(job.seed)
            )
        except ExtractionFailed as exc:
            self.stats.fail(host_key(page.final_url), exc.reason, job.seed.name)
            self.writer.record(job.url, Outcome.FAILED, reason=exc.reason, status=page.status)
            return
        later: tuple[Page, ...] = ()
        if self.pages is not None:
            whole = await self.pages.complete(fetched, extraction, fp)
            if whole is None:  # its first page failed: never stored as an article alone
                self.stats.fail(host_key(page.final_url), Reason.FIRST_PAGE_FAILED, job.seed.name)
                self.writer.record(
                    job.url, Outcome.FAILED, reason=Reason.FIRST_PAGE_FAILED, status=page.status
                )
                return
            fetched, extraction, fp, later = (
                whole.fetched,
                whole.extraction,
                whole.fingerprint,
                whole.later,
            )
        if len(extraction.text.strip()) < self.settings.min_article_chars:
            self.stats.no_article += 1
            self.stats.publishers[job.seed.name].no_article += 1
            self.writer.record(job.url, Outcome.NO_ARTICLE, status=page.status)
            return
        job, page = fetched.job, fetched.page  # page 1 of a multi-page article found at page 2
        record = article_record(
            page,
            extraction,
            site=job.seed.name,
            domain=job.seed.domain,
            found_url=job.url,
            published=job.candidate.published,
            later=later,
        )
        self.writer.store(record, fp, host_key(page.final_url))


@dataclass(frozen=True)
class Paged:
    """An article's pages joined: the first page's fetch, the joined extraction, the pages."""

    fetched: FetchedPage  # the first page
    extraction: Extraction
    fingerprint: Fingerprint
    later: tuple[Page, ...] = ()  # the pages after the first, in order, as fetched

    @property
    def urls(self) -> tuple[str, ...]:
        """Every page's URL, in order; empty for a one-page article."""
        if not self.later:
            return ()
        return (self.fetched.page.final_url, *(p.final_url for p in self.later))


class PageChain:
    """Completes an extracted page into its whole article (see the module docstring)."""

    def __init__(self, fetching: FetchStage, pool: WorkerPool) -> None:
        self.fetching = fetching
        self.pool = pool

    async def complete(
        self, fetched: FetchedPage, ext: Extraction, fp: Fingerprint
    ) -> Paged | None:
        """The whole article ``fetched`` is a page of; None if its first page failed."""
        if not (ext.next_page or ext.first_page):
            return Paged(fetched, ext, fp)
        job, patterns = fetched.job, fetched.job.seed.pagination
        # a page found alone is fetched once: the walk from the first page reuses it
        have = {page_key(fetched.page.final_url): (fetched.page, ext, fp)}
        if ext.first_page:  # found alone: the article starts on another page
            first = await self._page(job, ext.first_page)
            if first is None:
                return None
            fetched, ext, fp = FetchedPage(job, first[0]), first[1], first[2]
        walk = PageWalk(
            fetched.page.final_url, ext, patterns, also_seen=(fetched.page.requested_url,)
        )
        later: list[Page] = []
        while (nxt := walk.wanted()) is not None:
            got = have.get(page_key(nxt)) or await self._page(job, nxt)
            if got is None or not walk.add(nxt, (got[0].final_url, got[1])):
                break  # failed, or redirected outside the article
            later.append(got[0])
        joined, text_fp = walk.joined(fp)
        return Paged(fetched, joined, text_fp, tuple(later))

    async def _page(self, job: Job, url: str) -> tuple[Page, Extraction, Fingerprint] | None:
        sub = Job(replace(job.candidate, url=url, found_in=job.url), job.seed)
        page = await self.fetching.article(sub)
        if page is None:  # failed or refused (FetchStage.article answers a 304 with None too)
            return None
        try:
            ext, fp = await self.pool.run(
                page.body, page.final_url, page.content_type, **extract_options_of(job.seed)
            )
        except ExtractionFailed:
            return None
        return page, ext, fp
