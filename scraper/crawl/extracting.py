"""Extraction and storage: fetched pages to the extraction workers, articles to the writer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from archive import Outcome
from scraper.crawl.jobs import FetchedPage, netloc
from scraper.crawl.ledger import Ledger
from scraper.crawl.paging import PageChain
from scraper.crawl.progress import RunStats
from scraper.crawl.workers import ExtractionFailed, WorkerPool
from scraper.models import Page
from scraper.settings import Settings
from scraper.warc.articles import (  # one definition for crawl and ingest
    article_record,
    extract_options_of,
)

FIRST_PAGE_FAILED = "first_page_failed"  # a later page whose article start could not be had


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
        ledger: Ledger,
        stats: RunStats,
        on_error: Callable[[BaseException], None],
        pages: PageChain | None = None,
    ) -> None:
        self.settings = settings
        self.pages = pages  # multi-page articles: fetches the rest of an article's pages
        self.pool = pool
        self.ledger = ledger
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
            self.stats.fail(netloc(page.final_url), exc.reason, job.seed.name)
            self.ledger.record(job.url, Outcome.FAILED, reason=exc.reason, status=page.status)
            return
        later: tuple[Page, ...] = ()
        if self.pages is not None:
            whole = await self.pages.complete(fetched, extraction, fp)
            if whole is None:  # its first page failed: never stored as an article alone
                self.stats.fail(netloc(page.final_url), FIRST_PAGE_FAILED, job.seed.name)
                self.ledger.record(
                    job.url, Outcome.FAILED, reason=FIRST_PAGE_FAILED, status=page.status
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
            self.ledger.record(job.url, Outcome.NO_ARTICLE, status=page.status)
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
        self.ledger.store(record, fp, netloc(page.final_url))
