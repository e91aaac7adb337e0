"""Multi-page articles: fetch an article's continuation pages and join them into one.

A page that links its next page (:mod:`scraper.extract.pagination`) has the rest fetched
through the same :class:`~scraper.crawl.fetching.FetchStage` (robots.txt, the host's delay
and concurrency, the run budget) and extracted in the same workers, up to
:data:`~scraper.extract.pagination.MAX_PAGES` pages; a page seen twice (a loop), a fetch
that fails or a page that lands outside the article's path ends the chain. A later page
found alone by discovery starts again from the first page it links, so the article is
stored once, whichever of its pages was found.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from archive import Fingerprint, fingerprint
from scraper.crawl.fetching import FetchStage
from scraper.crawl.jobs import FetchedPage, Job
from scraper.crawl.workers import ExtractionFailed, WorkerPool
from scraper.extract.pagination import MAX_PAGES, page_of
from scraper.models import Extraction, Image, Page
from scraper.urls import canonicalize


@dataclass(frozen=True)
class Paged:
    """An article's pages joined: the first page's fetch, the joined extraction, the pages."""

    fetched: FetchedPage  # the first page (its HTML is the one archived)
    extraction: Extraction
    fingerprint: Fingerprint
    urls: tuple[str, ...] = ()  # every page's URL, in order; empty for a one-page article


def extract_options(job: Job) -> dict[str, tuple[str, ...]]:
    """The seed's extraction options, as the worker target takes them."""
    seed = job.seed
    return {"drop_selectors": seed.drop_selectors, "body_selectors": seed.body_selectors,
            "page_patterns": tuple(p.pattern for p in seed.pagination)}


class PageChain:
    """Completes an extracted page into its whole article (see the module docstring)."""

    def __init__(self, fetching: FetchStage, pool: WorkerPool) -> None:
        self.fetching = fetching
        self.pool = pool

    async def complete(self, fetched: FetchedPage, ext: Extraction,
                       fp: Fingerprint) -> Paged | None:
        """The whole article ``fetched`` is a page of; None if its first page failed."""
        if not (ext.next_page or ext.first_page):
            return Paged(fetched, ext, fp)
        job, patterns = fetched.job, fetched.job.seed.pagination
        # a page found alone is fetched once: the walk from the first page reuses it
        have = {canonicalize(fetched.page.final_url): (fetched.page, ext, fp)}
        if ext.first_page:  # found alone: the article starts on another page
            first = await self._page(job, ext.first_page)
            if first is None:
                return None
            fetched, ext, fp = FetchedPage(job, first[0]), first[1], first[2]
        pages = [(fetched.page.final_url, ext)]
        seen = {canonicalize(fetched.page.final_url), canonicalize(fetched.page.requested_url)}
        base = page_of(fetched.page.final_url, patterns).base
        while (nxt := pages[-1][1].next_page) and len(pages) < MAX_PAGES:
            if canonicalize(nxt) in seen:
                break  # a loop: page 3 links back to page 2
            got = have.get(canonicalize(nxt)) or await self._page(job, nxt)
            if got is None or page_of(got[0].final_url, patterns).base != base:
                break  # failed, or redirected outside the article
            seen.update((canonicalize(nxt), canonicalize(got[0].final_url)))
            pages.append((got[0].final_url, got[1]))
        joined = _joined([e for _, e in pages])
        text_fp = fp if len(pages) == 1 else fingerprint(joined.text)
        return Paged(fetched, joined, text_fp, tuple(u for u, _ in pages))

    async def _page(self, job: Job, url: str) -> tuple[Page, Extraction, Fingerprint] | None:
        sub = Job(replace(job.candidate, url=url, found_in=job.url), job.seed)
        page = await self.fetching.article(sub)
        if page is None or page.not_modified:
            return None
        try:
            ext, fp = await self.pool.run(page.body, page.final_url, page.content_type,
                                          **extract_options(job))
        except ExtractionFailed:
            return None
        return page, ext, fp


def _joined(exts: list[Extraction]) -> Extraction:
    """The first page's metadata with every page's text and figures, in page order."""
    text = "\n\n".join(e.text.strip() for e in exts if e.text.strip())
    images: dict[str, Image] = {}
    for e in exts:
        for image in e.images:
            images.setdefault(image.url, image)
    return replace(exts[0], text=text, images=tuple(images.values()), next_page=None,
                   first_page=None)
