"""A multi-page article's pages, already extracted, walked from its first page and joined.

One walk for every source of pages: the crawl (:mod:`scraper.crawl.processing`) fetches each
page the walk asks for, a WARC ingest (:mod:`scraper.warc.multipage`) looks it up among the
pages its input holds. From the first page the walk follows each page's ``next_page``
link, up to :data:`~scraper.extract.pagination.MAX_PAGES` pages; a page seen twice (a
loop), a page that could not be had or one outside the article's path ends it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from archive import ArticleImage, Fingerprint, fingerprint
from scraper.extract.pagination import MAX_PAGES, page_of
from scraper.models import Extraction
from scraper.urls import canonicalize


def page_key(url: str) -> str:
    """The key two spellings of one page's URL share."""
    return canonicalize(url) or url


class PageWalk:
    """The walk along an article's pages from its first one (see the module docstring).

    ``while (url := walk.wanted()): walk.add(url, page)`` until :meth:`add` says no, then
    :meth:`joined`.
    """

    def __init__(
        self,
        url: str,
        extraction: Extraction,
        patterns: tuple[re.Pattern[str], ...] = (),
        *,
        also_seen: Iterable[str] = (),
    ) -> None:
        self.pages: list[tuple[str, Extraction]] = [(url, extraction)]
        self.patterns = patterns
        self.base = page_of(url, patterns).base
        # also_seen: other spellings of the first page (the URL asked for before a redirect)
        self.seen = {page_key(u) for u in (url, *also_seen)}

    @property
    def urls(self) -> tuple[str, ...]:
        """Every page's URL so far, in order."""
        return tuple(u for u, _ in self.pages)

    def wanted(self) -> str | None:
        """The next page's URL, or None when the walk is over (last page, loop, cap)."""
        nxt = self.pages[-1][1].next_page
        if not nxt or len(self.pages) >= MAX_PAGES or page_key(nxt) in self.seen:
            return None
        return nxt

    def add(self, wanted: str, page: tuple[str, Extraction] | None) -> bool:
        """Add the page had for ``wanted`` (its final URL, its extraction); False, and the
        walk is over, when there is none or it lies outside the article.
        """
        if page is None or page_of(page[0], self.patterns).base != self.base:
            return False
        self.seen.update((page_key(wanted), page_key(page[0])))
        self.pages.append(page)
        return True

    def joined(self, first: Fingerprint) -> tuple[Extraction, Fingerprint]:
        """The joined extraction and its dedup fingerprint (``first``: the first page's)."""
        return joined_with_fingerprint([e for _, e in self.pages], first)


def joined_with_fingerprint(
    exts: list[Extraction], first: Fingerprint
) -> tuple[Extraction, Fingerprint]:
    """:func:`joined` and its text's dedup fingerprint; ``first`` (the first page's own)
    stands when there is one page, so a one-page article is not fingerprinted twice."""
    ext = joined(exts)
    return ext, first if len(exts) == 1 else fingerprint(ext.text)


def joined(exts: list[Extraction]) -> Extraction:
    """The first page's metadata with every page's text and figures, in page order."""
    text = "\n\n".join(e.text.strip() for e in exts if e.text.strip())
    images: dict[str, ArticleImage] = {}
    for e in exts:
        for image in e.images:
            images.setdefault(image.url, image)
    return replace(
        exts[0], text=text, images=tuple(images.values()), next_page=None, first_page=None
    )
