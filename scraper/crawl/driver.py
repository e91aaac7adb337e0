"""Discovery for the crawl: robots.txt sitemaps, then the seed's feeds, sitemaps and listings.

Feeds and known leaf sitemaps are asked conditionally (ETag, Last-Modified from the
archive), so an unchanged feed costs a 304. The documents' own outcomes are recorded by
:meth:`DiscoveryDriver.record` once their candidates are queued.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from archive import Archive, Outcome, Reason, UrlState
from scraper.crawl.hosts import FetchStage
from scraper.crawl.jobs import FetchedDocument, Job
from scraper.discover import Fetch, discover
from scraper.errors import is_permanent
from scraper.fetch import RobotsCache, RobotsState, origin_of
from scraper.models import Candidate, SourceKind
from scraper.runtime import ArchiveWriter, Reporter
from scraper.seeds import Seed
from scraper.settings import Settings
from scraper.urls import host_key

CONDITIONAL_KINDS = ("feed", "sitemap")


@dataclass(frozen=True)
class Discovered:
    """What discovery found for one seed: article candidates and the documents read."""

    seed: Seed
    jobs: tuple[Job, ...]  # earlier runs' pending URLs first, then this run's finds
    documents: tuple[FetchedDocument, ...]


class DiscoveryDriver:
    """Finds one seed's article URLs; reads the archive, writes only through the ledger."""

    def __init__(
        self,
        settings: Settings,
        *,
        archive: Archive,
        fetching: FetchStage,
        robots: RobotsCache,
        writer: ArchiveWriter,
        reporter: Reporter,
        now: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.archive = archive  # the loop's connection: reads only
        self.fetching = fetching
        self.robots = robots
        self.writer = writer
        self.reporter = reporter
        self.stats = reporter.stats
        self.now = now
        self._pending_all: list[str] | None = None
        self._parse_slots = asyncio.Semaphore(1)  # large documents, one at a time per run

    async def discover(self, seed: Seed) -> Discovered:
        """Candidates of ``seed``: its pending URLs, then what its documents list."""
        extra = await self._robots_sitemaps(seed)
        documents: list[FetchedDocument] = []
        report = await discover(
            seed,
            self._doc_fetcher(seed, documents),
            now=self.now(),
            lastmod_window_days=self.settings.lastmod_window_days,
            max_sitemap_depth=self.settings.max_sitemap_depth,
            max_sitemap_urls=self.settings.max_sitemap_urls,
            max_sitemap_files=self.settings.max_sitemap_files,
            concurrency=self.settings.discovery_concurrency,
            max_bytes=self.settings.max_feed_bytes,
            extra_sitemaps=extra,
            parse_slots=self._parse_slots,
        )
        self.stats.malformed_urls.extend(report.malformed)
        for url in report.malformed:
            self.stats.publishers.document_failed(seed.name, url)
        jobs = tuple(Job(c, seed) for c in [*self._pending(seed), *report.candidates])
        report.candidates.clear()  # they live in the jobs now
        kinds = report.sitemap_kinds
        return Discovered(seed, jobs, tuple(_known_kind(d, kinds) for d in documents))

    def record(self, discovered: Discovered) -> None:
        """Record the documents' outcomes and validators (after their candidates queued)."""
        for doc in discovered.documents:
            self.writer.record(
                doc.url,
                doc.outcome,
                status=doc.status,
                etag=doc.etag,
                last_modified=doc.last_modified,
            )
        self.reporter.tick()

    async def _robots_sitemaps(self, seed: Seed) -> list[str]:
        extra: list[str] = []
        for origin in sorted(
            {origin_of(u) for u in (*seed.feeds, *seed.sitemaps, *seed.start_urls)}
        ):
            policy = await self.robots.policy(origin + "/")
            extra.extend(u for u in policy.sitemaps if seed.owns(u))
            if policy.state == RobotsState.UNREACHABLE:  # RFC 9309: the whole host is off this run
                self.stats.fail(host_key(origin), Reason.of_robots(policy.reason), seed.name)
                self.stats.publishers[seed.name].documents += 1
                self.stats.publishers.document_failed(seed.name, origin + "/robots.txt")
                self.reporter.warn(
                    f"robots.txt unreachable ({policy.reason}): {origin}; host skipped this run"
                )
        return extra

    def _pending(self, seed: Seed) -> list[Candidate]:
        """URLs an earlier run discovered but did not archive (failed, deferred, killed).

        Those whose last failure a retry cannot fix (4xx, not HTML, too large …) stay out.
        """
        if self._pending_all is None:  # one query per run, shared by the seeds
            self._pending_all = [
                url
                for url, outcome, reason in self.archive.urls.pending()
                if not (outcome == Outcome.FAILED and is_permanent(reason))
            ]
        return [
            Candidate(u, seed.name, SourceKind.FEED, "earlier run")
            for u in self._pending_all
            if seed.owns(u)
        ]

    def _doc_fetcher(self, seed: Seed, documents: list[FetchedDocument]) -> Fetch:
        async def fetch(url: str, kind: str) -> bytes | None:
            if not await self.robots.allowed(url):
                self.stats.robots += 1
                self.writer.record(url, Outcome.ROBOTS)
                return None
            state = self._validators(url, kind)
            page = await self.fetching.fetch(
                url,
                kind=kind,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
                max_bytes=self.settings.max_feed_bytes if kind in CONDITIONAL_KINDS else None,
                publisher=seed.name,
            )
            if page is None:
                return None
            if page.not_modified:
                self.stats.not_modified += 1
                # A leaf sitemap stays a known leaf, so the next run asks conditionally too.
                leaf = kind == "sitemap" and state is not None
                self.writer.record(
                    url,
                    Outcome.SITEMAP_LEAF if leaf else Outcome.NOT_MODIFIED,
                    status=304,
                    etag=state.etag if state else None,
                    last_modified=state.last_modified if state else None,
                )
                return None
            documents.append(
                FetchedDocument(
                    url,
                    Outcome(kind),
                    page.status,
                    page.headers.get("etag"),
                    page.headers.get("last-modified"),
                )
            )
            return page.body

        return fetch

    def _validators(self, url: str, kind: str) -> UrlState | None:
        """The archive's state of a document asked conditionally, else None."""
        if kind not in CONDITIONAL_KINDS:
            return None
        state = self.archive.urls.state(url)
        if state is not None and kind == "sitemap" and state.outcome != Outcome.SITEMAP_LEAF:
            return None  # an index, or not known to be a leaf: ask unconditionally
        return state


def _known_kind(doc: FetchedDocument, kinds: dict[str, str]) -> FetchedDocument:
    """A parsed sitemap recorded as what it turned out to be: index or leaf."""
    if doc.outcome != Outcome.SITEMAP or doc.url not in kinds:
        return doc
    kind = Outcome.SITEMAP_INDEX if kinds[doc.url] == "index" else Outcome.SITEMAP_LEAF
    return FetchedDocument(doc.url, kind, doc.status, doc.etag, doc.last_modified)
