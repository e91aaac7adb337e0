"""Multi-page articles in a WARC ingest: their pages held until the article is whole, then
joined exactly as the crawl joins them.

A page that links its article's next or first page is held, with the other pages of its
article (the same article URL by :func:`~scraper.extract.pagination.page_of`), whatever
file of the ingest and in whatever order they come. Once the walk from the article's
first page (:class:`~scraper.extract.joining.PageWalk`, the crawl's) ends without asking
for a page the input has not given yet, the article is stored: the pages' texts in order,
figures merged, every page URL an alias, ``pages`` their count, the first page's metadata
and every page's HTML.

An article still open when the ingest ends, or the oldest one when more than
``IngestOptions.open_articles`` are open (the cap on held pages), is joined with what it
has: from its first page as far as the walk gets. A page of it the walk cannot reach (a
page between is missing) is an alias of it, its text left out, as the crawl leaves it when
a page's fetch fails. Without its first page in the input an article is not stored: its
pages are counted (``IngestStats.pages_unjoined``), as the crawl counts a page whose first
page failed, and never stored as articles of their own. A page that comes after its
article was stored (a second capture, or its article was pushed out by the cap) is left
out too (``IngestStats.pages_late``), and so is a second capture of a page still held.
A later page that links neither its first nor its previous page cannot be told from a
one-page article: it is stored as one.

Held pages keep an ingest resumable: the progress recorded for a file stays before its
earliest held page (re-reading is safe: dedup makes a stored page ``unchanged``), and a
file is finished only once none of its pages is held. Held pages keep their bodies (every
page of an article is archived), so the cap bounds memory at ``open_articles`` articles of
up to :data:`~scraper.extract.pagination.MAX_PAGES` pages each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from archive import Fingerprint
from scraper.extract import PageWalk, page_key, page_of
from scraper.models import Extraction
from scraper.runtime import article_record
from scraper.warc.pages import IngestOptions, IngestStats, Item, Progress, Target, WarcPage

CLOSED_PER_OPEN = 64  # how many stored articles' keys are remembered, per open one


@dataclass(frozen=True)
class HeldPage:
    """A page that may be one of a multi-page article's, extracted, kept for joining."""

    page: WarcPage  # body kept: every page of a multi-page article is archived
    target: Target
    extraction: Extraction
    fingerprint: Fingerprint
    resume_at: int | None  # the progress after which a resumed ingest reads it again

    @property
    def file(self) -> str:
        return file_key(self.page.path)

    @property
    def number(self) -> int:
        return page_of(self.page.url, _patterns(self.target)).number


@cache
def file_key(path: Path) -> str:
    """The name progress is recorded under: the resolved path."""
    return str(path.resolve())


def _patterns(target: Target) -> tuple[re.Pattern[str], ...]:
    return target.seed.pagination if target.seed is not None else ()


def hold(
    page: WarcPage, target: Target, ext: Extraction, fp: Fingerprint, resume_at: int | None
) -> HeldPage | None:
    """The page, held, if it links another page of its article; None otherwise."""
    if not (ext.next_page or ext.first_page):
        return None
    return HeldPage(page, target, ext, fp, resume_at)


def to_item(
    page: WarcPage,
    target: Target,
    ext: Extraction,
    fp: Fingerprint,
    options: IngestOptions,
    stats: IngestStats,
    later: tuple[WarcPage, ...] = (),
) -> Item | None:
    """The article to store, or None (counted) when the page holds too little text.

    ``later``: a multi-page article's pages after ``page``, in order.
    """
    if len(ext.text.strip()) < options.min_article_chars:
        stats.no_article += 1
        return None
    record = article_record(page, ext, site=target.site, domain=target.domain, later=later)
    return record, fp


@dataclass
class _File:
    read_to: int | None = None  # the last record read (its pages stored or held)
    ended: bool = False


@dataclass
class PageJoiner:
    """Holds the pages of multi-page articles and joins them (see the module docstring)."""

    options: IngestOptions
    stats: IngestStats
    # article → its held pages by URL; oldest article first
    open: dict[str, dict[str, HeldPage]] = field(default_factory=dict)
    # articles stored or given up, the latest CLOSED_PER_OPEN × open_articles of them
    closed: dict[str, None] = field(default_factory=dict)
    files: dict[str, _File] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)  # files whose mark may have moved

    def add(self, pages: list[HeldPage]) -> list[Item]:
        """Hold ``pages``; the articles they complete (or push past the cap), to store."""
        items: list[Item] = []
        for held in pages:
            key = page_of(held.page.url, _patterns(held.target)).base
            if key in self.closed:
                self.stats.pages_late += 1  # a second capture, or one past the cap
                continue
            group = self.open.setdefault(key, {})
            group.setdefault(page_key(held.page.url), held)  # a page twice: the first kept
            items += self._close(key, force=False)
            while len(self.open) > self.options.open_articles:
                items += self._close(next(iter(self.open)), force=True)
        return items

    def finish(self) -> list[Item]:
        """The end of the input: every open article joined with what it has."""
        items: list[Item] = []
        for key in list(self.open):
            items += self._close(key, force=True)
        return items

    def read(self, path: Path, offset: int | None, *, ended: bool = False) -> None:
        """The file has been read past ``offset``, to its end if ``ended``."""
        key = file_key(path)
        state = self.files.setdefault(key, _File())
        state.read_to = offset if offset is not None else state.read_to
        state.ended = state.ended or ended
        self.touched.add(key)

    def marks(self) -> list[Progress]:
        """The progress to record for each file whose mark has moved since last asked."""
        held: dict[str, int] = {}  # file → its earliest held page's resume_at (-1: none)
        for group in self.open.values():
            for page in group.values():
                if page.file in self.touched:
                    at = -1 if page.resume_at is None else page.resume_at
                    held[page.file] = min(held.get(page.file, at), at)
        out = []
        for key in sorted(self.touched):
            state = self.files.get(key, _File())
            if key in held:
                if held[key] >= 0:
                    out.append(Progress(key, held[key]))
            elif state.ended:
                out.append(Progress(key, None, finished=True))
            elif state.read_to is not None:
                out.append(Progress(key, state.read_to))
        self.touched.clear()
        return out

    def _close(self, key: str, *, force: bool) -> list[Item]:
        group = self.open[key]
        first = min(
            (p for p in group.values() if p.extraction.first_page is None),
            key=lambda p: p.number,
            default=None,
        )
        if not force and (first is None or first.number > 1):
            return []  # page 1 may come later in the input
        walk = (
            None
            if first is None
            else PageWalk(first.page.url, first.extraction, _patterns(first.target))
        )
        while walk is not None and (nxt := walk.wanted()) is not None:
            got = group.get(page_key(nxt))
            if got is None and not force:
                return []  # the next page may come later in the input
            if not walk.add(nxt, None if got is None else (got.page.url, got.extraction)):
                break
        del self.open[key]
        self.closed[key] = None
        if len(self.closed) > CLOSED_PER_OPEN * self.options.open_articles:
            del self.closed[next(iter(self.closed))]  # a page of it later: no first page
        self.touched.update(page.file for page in group.values())
        if first is None or walk is None:
            self.stats.pages_unjoined += len(group)  # its first page is not in the input
            return []
        return self._item(first, walk, group)

    def _item(self, first: HeldPage, walk: PageWalk, group: dict[str, HeldPage]) -> list[Item]:
        ext, fp = walk.joined(first.fingerprint)
        later = tuple(group[page_key(u)].page for u in walk.urls[1:])
        item = to_item(first.page, first.target, ext, fp, self.options, self.stats, later)
        if item is None:
            return []
        self.stats.joined += int(len(walk.urls) > 1)
        record = item[0]
        walked = {page_key(u) for u in walk.urls}
        cut_off = tuple(u for u in group if u not in walked and u not in record.urls)
        return [(replace(record, urls=record.urls + cut_off), item[1])]
