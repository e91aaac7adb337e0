"""discover(): feeds, sitemap recursion, listings, filters and de-duplication with a fake fetch."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

from protego import Protego

from scraper.discover.discovery import DiscoveryReport, discover
from scraper.models import SourceKind
from scraper.seeds import Seed
from tests import paths

FIXTURES = paths.FIXTURES / "discovery"
NOW = datetime(2024, 5, 3, 12, 0, tzinfo=UTC)
SITE = "https://news.example.com"


class FakeFetch:
    """Serves a dict url → body; None for unknown URLs; records every call."""

    def __init__(self, docs: dict[str, bytes], delay: float = 0.0) -> None:
        self.docs, self.delay = docs, delay
        self.calls: list[tuple[str, str]] = []
        self.in_flight = self.max_in_flight = 0

    async def __call__(self, url: str, kind: str) -> bytes | None:
        self.calls.append((url, kind))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        await asyncio.sleep(self.delay)
        self.in_flight -= 1
        body = self.docs.get(url)
        if isinstance(body, Exception):
            raise body
        return body


def seed(**kw: object) -> Seed:
    defaults: dict[str, object] = {
        "name": "gazette",
        "domain": "example.com",
        "path": Path("g.toml"),
    }
    return Seed(**{**defaults, **kw})  # type: ignore[arg-type]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def urlset(*locs: str, lastmod: str | None = None) -> bytes:
    mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    rows = "".join(f"<url><loc>{loc}</loc>{mod}</url>" for loc in locs)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'.encode()


def index(*locs: str) -> bytes:
    rows = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f"<sitemapindex>{rows}</sitemapindex>".encode()


async def run(s: Seed, fetch: FakeFetch, **kw: object) -> DiscoveryReport:
    options: dict[str, object] = {
        "now": NOW,
        "lastmod_window_days": 3.0,
        "max_sitemap_depth": 3,
        "max_sitemap_urls": 50_000,
        "max_bytes": 1024 * 1024,
        "max_sitemap_files": 500,
        "concurrency": 4,
    }
    return await discover(s, fetch, **{**options, **kw})  # type: ignore[arg-type]


async def test_sitemap_index_recursion_with_lastmod_window() -> None:
    fetch = FakeFetch(
        {
            f"{SITE}/sitemap_index.xml": fixture("sitemap_index.xml"),
            f"{SITE}/sitemaps/2024-05.xml": fixture("sitemap_2024-05.xml.gz"),
            f"{SITE}/sitemaps/undated.xml": urlset(f"{SITE}/culture/undated-entry-is-kept"),
            f"{SITE}/sitemaps/2019-01.xml.gz": urlset(f"{SITE}/old/never-fetched"),
        }
    )
    report = await run(seed(sitemaps=(f"{SITE}/sitemap_index.xml",)), fetch)
    assert [c.url for c in report.candidates] == [
        f"{SITE}/economy/rates-held-steady-in-may",
        f"{SITE}/culture/undated-entry-is-kept",
    ]
    assert f"{SITE}/sitemaps/2019-01.xml.gz" not in [u for u, _ in fetch.calls]
    rates = report.candidates[0]
    assert rates.source is SourceKind.SITEMAP and rates.publisher == "gazette"
    assert rates.published == datetime(2024, 5, 1, tzinfo=UTC)  # earliest of the two variants
    assert rates.found_in == f"{SITE}/sitemaps/2024-05.xml"
    counts = report.counts
    assert counts["sitemaps_parsed"] == 3 and counts["sitemaps_too_old"] == 1
    assert counts["too_old"] == 1 and counts["duplicates"] == 1
    assert all(kind == "sitemap" for _, kind in fetch.calls)


async def test_self_including_index_fetched_once() -> None:
    me = f"{SITE}/sitemap.xml"
    fetch = FakeFetch(
        {
            me: index(me, f"{SITE}/sitemap.xml?utm_source=x", f"{SITE}/child.xml"),
            f"{SITE}/child.xml": index(me, f"{SITE}/child.xml", f"{SITE}/leaf.xml"),
            f"{SITE}/leaf.xml": urlset(f"{SITE}/a/leaf-story-is-found"),
        }
    )
    report = await run(seed(sitemaps=(me,)), fetch)
    assert [c.url for c in report.candidates] == [f"{SITE}/a/leaf-story-is-found"]
    fetched = [u for u, _ in fetch.calls]
    assert sorted(fetched) == sorted({me, f"{SITE}/child.xml", f"{SITE}/leaf.xml"})
    assert report.counts["sitemaps_revisited"] == 4


async def test_depth_limit_stops_endless_index_chain() -> None:
    docs = {f"{SITE}/s{i}.xml": index(f"{SITE}/s{i + 1}.xml") for i in range(50)}
    fetch = FakeFetch(docs)
    report = await run(seed(sitemaps=(f"{SITE}/s0.xml",)), fetch, max_sitemap_depth=2)
    assert [u for u, _ in fetch.calls] == [f"{SITE}/s0.xml", f"{SITE}/s1.xml", f"{SITE}/s2.xml"]
    assert report.counts["sitemap_depth_limited"] == 1 and report.candidates == []


async def test_sitemap_file_cap_and_concurrency_bound() -> None:
    children = [f"{SITE}/part-{i}.xml" for i in range(30)]
    docs = {f"{SITE}/index.xml": index(*children)}
    docs.update({c: urlset(f"{SITE}/a/story-number-{i}") for i, c in enumerate(children)})
    fetch = FakeFetch(docs, delay=0.01)
    report = await run(seed(sitemaps=(f"{SITE}/index.xml",)), fetch, max_sitemap_files=11)
    assert len(fetch.calls) == 11 and report.counts["sitemap_files_capped"] == 20
    assert len(report.candidates) == 10
    assert 1 < fetch.max_in_flight <= 4


async def test_discovery_concurrency_is_the_callers() -> None:
    children = [f"{SITE}/part-{i}.xml" for i in range(12)]
    docs = {f"{SITE}/index.xml": index(*children)}
    docs.update({c: urlset(f"{SITE}/a/story-number-{i}") for i, c in enumerate(children)})
    one, eight = FakeFetch(docs, delay=0.01), FakeFetch(docs, delay=0.01)
    await run(seed(sitemaps=(f"{SITE}/index.xml",)), one, concurrency=1)
    await run(seed(sitemaps=(f"{SITE}/index.xml",)), eight, concurrency=8)
    assert one.max_in_flight == 1 and 4 < eight.max_in_flight <= 8


async def test_total_url_cap() -> None:
    locs = [f"{SITE}/a/story-{i}" for i in range(100)]
    fetch = FakeFetch({f"{SITE}/big.xml": urlset(*locs), f"{SITE}/more.xml": urlset(*locs)})
    s = seed(sitemaps=(f"{SITE}/big.xml", f"{SITE}/more.xml"))
    report = await run(s, fetch, max_sitemap_urls=1000, max_candidates=25)
    assert [c.url for c in report.candidates] == locs[:25]
    assert report.counts["capped"] >= 75
    per_file = await run(s, FakeFetch(fetch.docs), max_sitemap_urls=40)
    assert len(per_file.candidates) == 40 and per_file.counts["sitemap_urls_truncated"] == 2


async def test_off_site_excluded_and_canonical_dedup() -> None:
    feed = (
        f"<rss><channel>"
        f"<item><link>{SITE}/news/vote-count-live?utm_source=rss</link>"
        f"<pubDate>Fri, 03 May 2024 08:00:00 GMT</pubDate></item>"
        f"<item><link>https://evil.example.net/news/phishing-story</link></item>"
        f"<item><link>{SITE}/video/clip-of-the-day</link></item>"
        f"<item><link>{SITE}/about</link></item>"
        f"</channel></rss>"
    ).encode()
    fetch = FakeFetch(
        {
            f"{SITE}/feed.xml": feed,
            f"{SITE}/news.xml": urlset(
                "HTTPS://NEWS.example.com/news/vote-count-live#top",
                f"{SITE}/news/vote-count-live?fbclid=1",
                lastmod="2024-05-02",
            ),
        }
    )
    s = seed(
        feeds=(f"{SITE}/feed.xml",),
        sitemaps=(f"{SITE}/news.xml",),
        include=(re.compile(r"^/news/"),),
        exclude=(re.compile(r"/video/"),),
    )
    report = await run(s, fetch)
    assert len(report.candidates) == 1
    only = report.candidates[0]
    assert only.url == f"{SITE}/news/vote-count-live"
    assert only.source is SourceKind.FEED  # first seen wins the provenance …
    assert only.published == datetime(2024, 5, 2, tzinfo=UTC)  # … the earliest date wins
    assert report.counts["off_site"] == 1 and report.counts["excluded"] == 2
    assert report.counts["duplicates"] == 2 and report.counts["feeds_parsed"] == 1


async def test_malformed_documents_counted_never_raised() -> None:
    fetch = FakeFetch(
        {
            f"{SITE}/xxe.xml": fixture("xxe_feed.xml"),
            f"{SITE}/good.xml": fixture("rss20.xml"),
            f"{SITE}/lol.xml": fixture("billion_laughs.xml"),
            f"{SITE}/garbage.xml": b"\x00\x01<<<>>>",
            f"{SITE}/boom.xml": RuntimeError("fetcher bug"),  # type: ignore[dict-item]
        }
    )
    s = seed(
        feeds=(f"{SITE}/xxe.xml", f"{SITE}/good.xml", f"{SITE}/missing.xml", f"{SITE}/boom.xml"),
        sitemaps=(f"{SITE}/lol.xml", f"{SITE}/garbage.xml"),
    )
    report = await run(s, fetch, lastmod_window_days=0)
    assert report.counts["malformed"] == 3
    assert report.counts["not_fetched"] == 1 and report.counts["fetch_errors"] == 1
    assert report.counts["feeds_parsed"] == 1 and len(report.candidates) == 4
    everything = repr(report)
    assert "root:" not in everything and "/bin/" not in everything
    assert "xxe-probe" not in everything
    assert all("\n" not in line for line in report.errors) and len(report.errors) == 4


async def test_listing_pages_one_level() -> None:
    fetch = FakeFetch({f"{SITE}/world/": fixture("listing.html")})
    report = await run(seed(start_urls=(f"{SITE}/world/",)), fetch)
    assert [c.url for c in report.candidates] == [
        f"{SITE}/world/2024/05/02/summit-ends",
        f"{SITE}/world/elections-called-in-the-north",
        f"{SITE}/world/world/floods-hit-the-river-delta-again",
        f"{SITE}/world/story/1234567",
        "https://live.example.com/world/live-blog-the-vote-count-as-it-happens",
    ]
    assert fetch.calls == [(f"{SITE}/world/", "listing")]  # articles are not fetched here
    assert all(c.source is SourceKind.LISTING and c.published is None for c in report.candidates)
    assert report.counts["not_article"] > 0


async def test_listing_with_seed_include_uses_it_instead_of_the_guess() -> None:
    fetch = FakeFetch({f"{SITE}/world/": fixture("listing.html")})
    s = seed(start_urls=(f"{SITE}/world/",), include=(re.compile(r"^/author/"),))
    report = await run(s, fetch)
    assert [c.url for c in report.candidates] == [f"{SITE}/author/jane-doe-smith-jones"]


async def test_extra_sitemaps_from_robots_and_window_disabled() -> None:
    fetch = FakeFetch(
        {f"{SITE}/robots-map.xml": urlset(f"{SITE}/a/old-but-wanted", lastmod="2001-01-01")}
    )
    report = await run(
        seed(feeds=(f"{SITE}/none.xml",)),
        fetch,
        lastmod_window_days=0,
        extra_sitemaps=[f"{SITE}/robots-map.xml"],
    )
    assert [c.url for c in report.candidates] == [f"{SITE}/a/old-but-wanted"]
    old = await run(
        seed(feeds=(f"{SITE}/none.xml",)),
        FakeFetch(fetch.docs),
        extra_sitemaps=[f"{SITE}/robots-map.xml"],
    )
    assert old.candidates == [] and old.counts["too_old"] == 1


async def test_off_site_child_sitemap_not_followed() -> None:
    fetch = FakeFetch(
        {
            f"{SITE}/index.xml": index(
                "http://127.0.0.1:8080/internal.xml", "https://evil.example.net/s.xml"
            )
        }
    )
    report = await run(seed(sitemaps=(f"{SITE}/index.xml",)), fetch)
    assert [u for u, _ in fetch.calls] == [f"{SITE}/index.xml"]
    assert report.counts["off_site"] == 2


async def test_robots_txt_sitemaps_as_the_crawl_passes_them() -> None:
    # The crawl hands Protego's Sitemap lines to discover() as extra_sitemaps: duplicates,
    # relative and non-HTTP URLs, and commented-out lines never reach the fetcher.
    robots = Protego.parse(
        "User-agent: *\nDisallow: /private/\n"
        "Sitemap: https://news.example.com/sitemap_index.xml\n"
        "sitemap:https://news.example.com/news.xml # news only\n"
        "SITEMAP : https://News.Example.com/news.xml\n"
        "Sitemap: /relative.xml\nSitemap: ftp://news.example.com/x.xml\nSitemap:\n"
        "# Sitemap: https://news.example.com/commented.xml\n"
    )
    fetch = FakeFetch({})
    await run(seed(), fetch, extra_sitemaps=list(robots.sitemaps))
    assert fetch.calls == [
        (f"{SITE}/sitemap_index.xml", "sitemap"),
        (f"{SITE}/news.xml", "sitemap"),
    ]
