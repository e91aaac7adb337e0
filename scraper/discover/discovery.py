"""Discovery stage: a seed's feeds, sitemaps and listing pages → canonical candidate URLs.

The parsers live in :mod:`scraper.discover.feeds`, :mod:`scraper.discover.sitemaps` and
:mod:`scraper.discover.listing`; this module fetches through the pipeline's :class:`Fetch`, walks
sitemap indexes (depth limit, visited set, lastmod window), filters and de-duplicates.
A bad document is counted (``malformed``) and skipped; :func:`discover` never raises.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

from scraper.discover.feeds import FeedEntry, parse_feed, parse_feed_date
from scraper.discover.listing import listing_links, looks_like_article, parse_listing
from scraper.discover.sitemaps import SitemapDoc, parse_sitemap
from scraper.discover.xmlsafe import XMLError
from scraper.models import Candidate, SourceKind
from scraper.seeds import Seed
from scraper.urls import canonicalize

__all__ = [
    "DiscoveryReport",
    "FeedEntry",
    "Fetch",
    "SitemapDoc",
    "discover",
    "parse_feed_date",
    "parse_feed",
    "parse_listing",
    "parse_sitemap",
]

_INLINE_PARSE_BYTES = 256 * 1024  # smaller documents are parsed on the event loop itself
_T = TypeVar("_T")


class Fetch(Protocol):
    """Fetches one discovery document; None when not modified, failed or disallowed."""

    async def __call__(self, url: str, kind: str) -> bytes | None: ...


@dataclass(frozen=True)
class DiscoveryReport:
    """Candidates found for one seed, with counts of everything skipped and why."""

    candidates: list[Candidate]
    counts: dict[str, int]
    errors: list[str] = field(default_factory=list)  # one line per malformed/failed document
    # Every sitemap parsed this run: "index" (it lists child sitemaps) or "leaf". A caller
    # that sends conditional requests must not for an index: a 304 there would hide its
    # children, which change while the index stays the same.
    sitemap_kinds: dict[str, str] = field(default_factory=dict)
    malformed: list[str] = field(default_factory=list)  # URLs of documents that did not parse


async def discover(
    seed: Seed,
    fetch: Fetch,
    *,
    now: datetime,
    lastmod_window_days: float,
    max_sitemap_depth: int,
    max_sitemap_urls: int,
    max_bytes: int,
    max_sitemap_files: int,
    concurrency: int,
    extra_sitemaps: Sequence[str] = (),
    max_candidates: int | None = None,
    parse_slots: asyncio.Semaphore | None = None,
) -> DiscoveryReport:
    """Discover candidate article URLs for ``seed``.

    Sitemaps listed at depth 0 (the seed's and ``extra_sitemaps`` from robots.txt) may point
    to children down to ``max_sitemap_depth``. Entries dated before ``now`` minus
    ``lastmod_window_days`` are skipped (a window ≤ 0 disables that); undated ones are kept.
    ``max_candidates`` (default ``max_sitemap_urls``) caps the URLs returned, and
    ``max_sitemap_files`` the sitemap documents fetched. At most ``concurrency`` documents
    are fetched at once (the fetcher's politeness still applies on top).
    ``parse_slots``, shared by the seeds of a run, caps how many large documents are parsed
    at once across all of them (each parse tree can be several times its document's size).
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    cutoff = now - timedelta(days=lastmod_window_days) if lastmod_window_days > 0 else None
    run = _Run(seed, fetch, cutoff, max_bytes, max_sitemap_urls, concurrency)
    if parse_slots is not None:
        run.parse_slots = parse_slots
    run.cap = max_sitemap_urls if max_candidates is None else max_candidates
    await run.feeds()
    roots = [*seed.sitemaps, *extra_sitemaps]
    await run.sitemaps(roots, max_depth=max_sitemap_depth, max_files=max_sitemap_files)
    await run.listings()
    run.counts["candidates"] = len(run.found)
    return DiscoveryReport(
        list(run.found.values()), dict(run.counts), run.errors, run.sitemap_kinds, run.malformed
    )


class _Run:
    """Mutable state of one seed's discovery; never leaves this module."""

    def __init__(
        self,
        seed: Seed,
        fetch: Fetch,
        cutoff: datetime | None,
        max_bytes: int,
        max_urls: int,
        concurrency: int,
    ) -> None:
        self.seed, self.fetch, self.cutoff = seed, fetch, cutoff
        self.max_bytes, self.max_urls, self.cap = max_bytes, max_urls, max_urls
        self.found: dict[str, Candidate] = {}
        self.counts: Counter[str] = Counter({k: 0 for k in _COUNT_KEYS})
        self.errors: list[str] = []
        self.sitemap_kinds: dict[str, str] = {}
        self.malformed: list[str] = []
        self.limit = asyncio.Semaphore(concurrency)
        self.parse_slots = asyncio.Semaphore(1)

    async def feeds(self) -> None:
        urls = _unique(self.seed.feeds)
        docs = await asyncio.gather(*(self._load(u, "feed", self._parse_feed) for u in urls))
        for url, entries in zip(urls, docs, strict=True):
            for entry in entries or ():
                self.add(entry.url, entry.published, SourceKind.FEED, url)

    async def sitemaps(self, roots: Sequence[str], *, max_depth: int, max_files: int) -> None:
        level = _unique(roots)
        visited = set(level)
        depth = fetched = 0
        while level and not self.full:
            allowed = max(0, max_files - fetched)
            self.counts["sitemap_files_capped"] += max(0, len(level) - allowed)
            level = level[:allowed]
            fetched += len(level)
            docs = await asyncio.gather(
                *(self._load(u, "sitemap", self._parse_sitemap) for u in level)
            )
            children: list[str] = []
            for url, doc in zip(level, docs, strict=True):
                if doc is not None:
                    self._take_sitemap(url, doc, depth + 1 > max_depth, visited, children)
            level, depth = children, depth + 1

    def _take_sitemap(
        self, url: str, doc: SitemapDoc, too_deep: bool, visited: set[str], out: list[str]
    ) -> None:
        self.counts["sitemap_urls_truncated"] += int(doc.truncated)
        self.sitemap_kinds[url] = "index" if doc.children or doc.sitemaps else "leaf"
        for entry in doc.urls:
            self.add(entry.url, entry.published, SourceKind.SITEMAP, url)
        for child in doc.children or [FeedEntry(u) for u in doc.sitemaps]:
            if child.url in visited:
                self.counts["sitemaps_revisited"] += 1  # an index listing itself or a sibling
            elif too_deep:
                self.counts["sitemap_depth_limited"] += 1
            elif not self.seed.owns(child.url):
                self.counts["off_site"] += 1
            elif self._too_old(child.published):
                self.counts["sitemaps_too_old"] += 1
            else:
                visited.add(child.url)
                out.append(child.url)

    async def listings(self) -> None:
        urls = _unique(self.seed.start_urls)
        pages = await asyncio.gather(*(self._load(u, "listing", self._parse_listing) for u in urls))
        for url, links in zip(urls, pages, strict=True):
            for link in links or ():
                self.add(link, None, SourceKind.LISTING, url)

    def _parse_feed(self, body: bytes, url: str) -> list[FeedEntry]:
        return parse_feed(body, url, max_bytes=self.max_bytes)

    def _parse_sitemap(self, body: bytes, url: str) -> SitemapDoc:
        return parse_sitemap(body, url, max_bytes=self.max_bytes, max_urls=self.max_urls)

    def _parse_listing(self, body: bytes, url: str) -> list[str]:
        links = listing_links(body[: self.max_bytes], url, self.seed.domain)
        if self.seed.include:  # the seed knows its article URLs better than our guess
            return links
        articles = [u for u in links if looks_like_article(u)]
        self.counts["not_article"] += len(links) - len(articles)
        return articles

    async def _load(self, url: str, kind: str, parse: Callable[[bytes, str], _T]) -> _T | None:
        async with self.limit:
            try:
                body = await self.fetch(url, kind)
            except Exception as exc:  # a bug in the caller's fetch must not stop discovery
                self._fail("fetch_errors", url, f"{type(exc).__name__}: {exc}")
                return None
            if body is None:
                self.counts["not_fetched"] += 1  # 304, failure or robots: caller recorded it
                return None
            try:
                parsed = await _in_thread(parse, body, url, self.parse_slots)
            except (XMLError, ValueError) as exc:
                self._fail("malformed", url, str(exc))
                return None
        self.counts[f"{kind}s_parsed"] += 1
        return parsed

    def _fail(self, key: str, url: str, message: str) -> None:
        self.counts[key] += 1
        if key == "malformed":
            self.malformed.append(url)
        self.errors.append(f"{url}: {' '.join(message.split())[:300]}")

    def add(self, url: str, published: datetime | None, source: SourceKind, where: str) -> None:
        """Filter one discovered URL and record it (earliest known date wins on duplicates)."""
        canonical = canonicalize(url)
        if canonical is None:
            self.counts["bad_url"] += 1
        elif not self.seed.owns(canonical):
            self.counts["off_site"] += 1
        elif not self.seed.is_article_url(canonical):
            self.counts["excluded"] += 1
        elif self._too_old(published):
            self.counts["too_old"] += 1
        elif canonical in self.found:
            self.counts["duplicates"] += 1
            known = self.found[canonical]
            if published is not None and (known.published is None or published < known.published):
                self.found[canonical] = replace(known, published=published)
        elif self.full:
            self.counts["capped"] += 1
        else:
            self.found[canonical] = Candidate(canonical, self.seed.name, source, where, published)

    @property
    def full(self) -> bool:
        return len(self.found) >= self.cap

    def _too_old(self, published: datetime | None) -> bool:
        return self.cutoff is not None and published is not None and published < self.cutoff


_COUNT_KEYS = (
    "feeds_parsed",
    "sitemaps_parsed",
    "listings_parsed",
    "malformed",
    "not_fetched",
    "fetch_errors",
    "too_old",
    "off_site",
    "excluded",
    "not_article",
    "duplicates",
    "capped",
    "bad_url",
    "sitemaps_revisited",
    "sitemap_depth_limited",
    "sitemaps_too_old",
    "sitemap_urls_truncated",
    "sitemap_files_capped",
)


def _unique(urls: Sequence[str]) -> list[str]:
    out: dict[str, None] = {}
    for url in urls:
        canonical = canonicalize(url)
        if canonical is not None:
            out[canonical] = None
    return list(out)


async def _in_thread(
    parse: Callable[[bytes, str], _T], body: bytes, url: str, slots: asyncio.Semaphore
) -> _T:
    # Parsing a 50 MB sitemap takes seconds; keep the event loop (other fetches) moving.
    # Large documents wait for one of ``slots``: parsing holds the GIL, so parsing several
    # at once gains no speed, while each live parse tree costs memory.
    if len(body) < _INLINE_PARSE_BYTES:
        return parse(body, url)
    async with slots:
        return await asyncio.to_thread(parse, body, url)
