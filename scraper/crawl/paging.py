"""Multi-page articles: fetch an article's continuation pages and join them into one.

A page that links its next page (:mod:`scraper.extract.pagination`) has the rest fetched
through the same :class:`~scraper.crawl.fetching.FetchStage` (robots.txt, the host's delay
and concurrency, the run budget) and extracted in the same workers, as the walk of
:class:`~scraper.extract.joining.PageWalk` (shared with a WARC ingest) asks for them, up
to :data:`~scraper.extract.pagination.MAX_PAGES` pages; a page seen twice (a loop), a
fetch that fails or a page that lands outside the article's path ends the chain. A later page
found alone by discovery starts again from the first page it links, so the article is
stored once, whichever of its pages was found.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from archive import Fingerprint
from scraper.crawl.fetching import FetchStage
from scraper.crawl.jobs import FetchedPage, Job
from scraper.crawl.workers import ExtractionFailed, WorkerPool
from scraper.extract.joining import PageWalk, url_key
from scraper.models import Extraction, Page
from scraper.warc.articles import extract_options_of


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
        have = {url_key(fetched.page.final_url): (fetched.page, ext, fp)}
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
            got = have.get(url_key(nxt)) or await self._page(job, nxt)
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
