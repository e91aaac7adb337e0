"""``scraper check``, the seed doctor: does each seed work, before a night relies on it?

For each seed: robots.txt, each feed and sitemap (reachable, parsed, entries, how many
match include/exclude, newest date), the listing pages (links that match), then up to
:data:`SAMPLES` sample articles extracted. Everything goes through the crawl's
:class:`~scraper.fetch.fetcher.Fetcher` and :class:`~scraper.fetch.robots.RobotsCache`, so
the address guard, robots.txt and the per-host delay apply as in a crawl. A feed, sitemap
or sample that fails fails the seed; thin or chrome-like text is only a warning.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from scraper.discover import (
    FeedEntry,
    XMLError,
    listing_links,
    looks_like_article,
    parse_feed,
    parse_sitemap,
)
from scraper.errors import FetchError
from scraper.extract import extract_page
from scraper.fetch import Fetcher, RobotsCache, RobotsState, origin_of
from scraper.models import HTML_TYPES
from scraper.seeds import Seed
from scraper.settings import Settings
from scraper.urls import canonicalize

SAMPLES = 3  # sample articles per seed
CHILD_SITEMAPS = 5  # children of a sitemap index checked
SHORT_WORDS = 80  # fewer words than this: "very short"
CHROME_LINE_WORDS = 6  # a line this short is a menu item, a teaser or a label …
CHROME_SHARE = 0.5  # … and text mostly made of them looks like chrome


@dataclass(frozen=True)
class Line:
    """One finding: ``ok`` False fails the seed; ``warning`` is worth a look."""

    text: str
    ok: bool = True
    warning: bool = False
    failure: str = ""  # what failed, for the verdict (a feed's URL and why)


@dataclass
class SeedReport:
    """The block printed for one seed, and what failed."""

    seed: Seed
    lines: list[Line] = field(default_factory=list)

    def add(self, text: str, *, failure: str = "", warning: bool = False) -> None:
        self.lines.append(Line(text, not failure, warning, failure))

    @property
    def failures(self) -> list[str]:
        return [line.failure for line in self.lines if line.failure]

    def verdict(self) -> str:
        """One line: the seed works, or what failed."""
        if self.failures:
            return f"{self.seed.name}: FAILED: " + "; ".join(self.failures)
        warned = sum(line.warning for line in self.lines)
        return f"{self.seed.name}: ok" + (f" ({warned} warning(s))" if warned else "")


class Doctor:
    """Checks seeds through one fetcher and robots cache, as a crawl would fetch."""

    def __init__(self, settings: Settings, fetcher: Fetcher, robots: RobotsCache) -> None:
        self.settings = settings
        self.fetcher = fetcher
        self.robots = robots

    async def check(self, seed: Seed) -> SeedReport:
        """The report of one seed."""
        report = SeedReport(seed)
        sitemaps = await self._robots(seed, report)
        found: list[FeedEntry] = []
        for url in seed.feeds:
            found += await self._document(seed, report, url, "feed")
        for url in dict.fromkeys([*seed.sitemaps, *sitemaps]):
            found += await self._document(seed, report, url, "sitemap")
        for url in seed.start_urls:
            found += await self._listing(seed, report, url)
        await self._samples(seed, report, found)
        return report

    async def _robots(self, seed: Seed, report: SeedReport) -> list[str]:
        listed: list[str] = []
        for origin in sorted(
            {origin_of(u) for u in (*seed.feeds, *seed.sitemaps, *seed.start_urls)}
        ):
            policy = await self.robots.policy(origin + "/")
            where = f"robots.txt {origin}/robots.txt"
            if policy.state == RobotsState.UNREACHABLE:
                report.add(
                    f"{where}: UNREACHABLE ({policy.reason}); a crawl skips this host",
                    failure=f"robots.txt of {origin} ({policy.reason})",
                )
                continue
            if policy.state == RobotsState.UNAVAILABLE:
                report.add(f"{where}: none ({policy.reason}); everything allowed")
                continue
            own = [u for u in policy.sitemaps if seed.owns(u)]
            delay = f"{policy.crawl_delay:g} s" if policy.crawl_delay is not None else "none"
            report.add(
                f"{where}: ok, crawl delay {delay}, sitemaps listed {len(own)}"
                + "".join(f"\n      {u}" for u in own)
            )
            listed += own
        return listed

    async def _get(
        self, report: SeedReport, url: str, what: str, **options: object
    ) -> bytes | None:
        if not await self.robots.allowed(url):
            if (await self.robots.policy(url)).state == RobotsState.UNREACHABLE:  # failed above
                report.add(f"{what} {url}: not tried (robots.txt unreachable)", warning=True)
            else:
                report.add(
                    f"{what} {url}: disallowed by robots.txt",
                    failure=f"{what} {url} (disallowed by robots.txt)",
                )
            return None
        try:
            page = await self.fetcher.fetch(url, urgent=what != "sample", **options)  # type: ignore[arg-type]
        except FetchError as exc:
            report.add(
                f"{what} {url}: FAILED ({exc.reason})", failure=f"{what} {url} ({exc.reason})"
            )
            return None
        return page.body

    async def _document(
        self, seed: Seed, report: SeedReport, url: str, kind: str, depth: int = 0
    ) -> list[FeedEntry]:
        body = await self._get(report, url, kind, max_bytes=self.settings.max_feed_bytes)
        if body is None:
            return []
        cap = self.settings.max_feed_bytes
        try:
            if kind == "feed":
                entries, children = parse_feed(body, url, max_bytes=cap), []
            else:
                doc = parse_sitemap(
                    body, url, max_bytes=cap, max_urls=self.settings.max_sitemap_urls
                )
                entries, children = doc.urls, doc.sitemaps
        except (XMLError, ValueError) as exc:
            reason = " ".join(str(exc).split())[:160]
            report.add(
                f"{kind} {url}: did not parse ({reason})", failure=f"{kind} {url} (did not parse)"
            )
            return []
        indent = "  " * depth
        if children:
            report.add(f"{indent}{kind} {url}: index of {len(children)} sitemap(s)")
            found: list[FeedEntry] = []
            for child in [c for c in children if seed.owns(c)][:CHILD_SITEMAPS]:
                found += await self._document(seed, report, child, kind, depth + 1)
            return found
        matching = _matching(seed, entries)
        newest = max((e.published for e in entries if e.published), default=None)
        report.add(
            f"{indent}{kind} {url}: ok, {len(entries)} entries, {len(matching)} match "
            f"include/exclude, newest {_day(newest)}",
            warning=not matching,
            failure="",
        )
        return matching

    async def _listing(self, seed: Seed, report: SeedReport, url: str) -> list[FeedEntry]:
        body = await self._get(report, url, "listing", accept_types=HTML_TYPES)
        if body is None:
            return []
        links = listing_links(body[: self.settings.max_feed_bytes], url, seed.domain)
        keep: Callable[[str], bool] = seed.is_article_url if seed.include else looks_like_article
        matching = _matching(seed, [FeedEntry(u) for u in links if keep(u)])
        report.add(
            f"listing {url}: ok, {len(links)} links, {len(matching)} match", warning=not matching
        )
        return matching

    async def _samples(self, seed: Seed, report: SeedReport, found: list[FeedEntry]) -> None:
        unique: dict[str, FeedEntry] = {}
        for entry in found:  # a dated entry wins over the same URL undated (a listing's)
            if entry.url not in unique or unique[entry.url].published is None:
                unique[entry.url] = entry
        newest_first = sorted(
            unique.values(),
            key=lambda e: (e.published is None, -(e.published or _EPOCH).timestamp()),
        )
        if not newest_first:
            # After a failure that explains it, this is no news; alone, it fails the seed.
            report.add(
                "samples: no article URL found to try",
                warning=True,
                failure="" if report.failures else "no article URL found",
            )
            return
        for entry in newest_first[:SAMPLES]:
            body = await self._get(report, entry.url, "sample", accept_types=HTML_TYPES)
            if body is not None:
                self._sample(seed, report, entry.url, body)

    def _sample(self, seed: Seed, report: SeedReport, url: str, body: bytes) -> None:
        ext = extract_page(
            body, url, drop_selectors=seed.drop_selectors, body_selectors=seed.body_selectors
        )
        words = len(ext.text.split())
        authors = ", ".join(ext.authors) or "none"
        head = (
            f"sample {url}\n      title: {ext.title or '(none)'}\n      date: "
            f"{ext.published.isoformat() if ext.published else '(none)'}; authors: "
            f"{authors}; {words} words; language {ext.language or '?'}"
        )
        if len(ext.text.strip()) < self.settings.min_article_chars:
            report.add(
                head + "\n      FAILED: no article text (empty or chrome only)",
                failure=f"sample {url} (no article text)",
            )
        elif words < SHORT_WORDS:
            report.add(head + f"\n      warning: very short ({words} words)", warning=True)
        elif _looks_like_chrome(ext.text):
            report.add(
                head + "\n      warning: looks like chrome (most lines are a few words:"
                " menus, teasers, labels)",
                warning=True,
            )
        else:
            report.add(head)


_EPOCH = datetime(1970, 1, 1).astimezone()


def _matching(seed: Seed, entries: list[FeedEntry]) -> list[FeedEntry]:
    out = []
    for entry in entries:
        url = canonicalize(entry.url)
        if url and seed.owns(url) and seed.is_article_url(url):
            out.append(FeedEntry(url, entry.published, entry.title))
    return out


def _day(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment else "(undated)"


def _looks_like_chrome(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    short = sum(len(line.split()) < CHROME_LINE_WORDS for line in lines)
    return len(lines) >= 5 and short / len(lines) >= CHROME_SHARE


async def check_seeds(seeds: list[Seed], settings: Settings) -> list[SeedReport]:
    """Check ``seeds`` at once with a crawl's fetcher (politeness is per host); reports."""
    from scraper.crawl.run import build_fetcher  # the crawl's own construction

    async with build_fetcher(settings, seeds) as (fetcher, robots):
        doctor = Doctor(settings, fetcher, robots)
        return list(await asyncio.gather(*(doctor.check(seed) for seed in seeds)))


def run_check(seeds: list[Seed], settings: Settings) -> tuple[list[str], bool]:
    """The printed lines (a block per seed, then a verdict each) and whether all work."""
    reports = asyncio.run(check_seeds(seeds, settings))
    lines: list[str] = []
    for report in reports:
        lines.append(f"== {report.seed.name} ({report.seed.path.name})")
        for line in report.lines:
            mark = "FAIL" if not line.ok else "warn" if line.warning else "ok  "
            lines.append(f"  {mark} {line.text}")
        lines.append("")
    lines += [report.verdict() for report in reports]
    return lines, all(not report.failures for report in reports)
