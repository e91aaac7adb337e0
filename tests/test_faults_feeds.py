"""docs/hardening.md scenarios 20-22: hostile feeds and sitemaps, in one crawl and on the parsers.

Each hostile document sits on its own simulator host whose robots.txt lists no sitemap,
with a seed naming only that feed (or only that sitemap), so what reaches the archive can
be traced to the document under test.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import Archive
from scraper.discover.discovery import discover
from scraper.discover.feeds import parse_feed
from scraper.discover.xmlsafe import EntitiesRefused, XMLError
from scraper.seeds import load_seed
from tests.faultkit import (
    MIB,
    CrawlResult,
    UrlRow,
    baseline_peak_mib,
    consistency_problems,
    crawl,
    crawl_env,
    raw_seed,
    real_fetcher,
    requests_to,
    runs,
    target,
    url_rows_by_url,
)
from tests.logtext import messages
from tests.simulator import HostConfig, Simulator, SiteConfig, bombs, feeds

FEED_MODES = ("xxe", "billion-laughs", "quadratic", "truncated", "garbage")
SITEMAP_MODES = ("self-index", "huge-count", "huge-size", "gz-bomb")
FEED_CAP = 5 * MIB
DEPTH = 3


@dataclass
class FeedRun:
    sim: Simulator
    db: Path
    result: CrawlResult
    rows: dict[str, UrlRow]
    host: dict[str, str]

    def requested(self, mode: str) -> set[str]:
        return {e.target for e in self.sim.requests_for(self.host[mode])}

    def stored(self, mode: str) -> set[str]:
        prefix = self.sim.base_url(self.host[mode]) + "/"
        return {
            target(u)
            for u, r in self.rows.items()
            if u.startswith(prefix) and r.article_id is not None
        }


@pytest.fixture(scope="module")
def feed_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedRun]:
    tmp = tmp_path_factory.mktemp("feeds")
    hosts = tuple(
        HostConfig(articles=6, feed=m, crawl_delay=None, robots_sitemap=False) for m in FEED_MODES
    )
    hosts += tuple(
        HostConfig(articles=2, sitemap=m, crawl_delay=None, robots_sitemap=False)
        for m in SITEMAP_MODES
    )
    bombs.sitemap_bomb()  # built before the crawl, not while its request waits
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        host = dict(zip(FEED_MODES + SITEMAP_MODES, sim.hosts, strict=True))
        seeds = tmp / "seeds"
        for mode in FEED_MODES:
            raw_seed(seeds, f"feed-{mode}", host[mode], feeds=[sim.url("/feed.rss", host[mode])])
        for mode in SITEMAP_MODES:
            maps = [sim.url("/sitemap_index.xml", host[mode])]
            if mode == "self-index":
                maps.append(sim.url("/fault/sitemap/chain/0", host[mode]))
            raw_seed(seeds, f"sitemap-{mode}", host[mode], sitemaps=maps, exclude=["filler-"])
        db = tmp / "feeds.db"
        env = crawl_env(max_feed_bytes=FEED_CAP, max_sitemap_depth=DEPTH)
        result = crawl(seeds, db, env=env)
        yield FeedRun(sim, db, result, url_rows_by_url(db), host)


def test_feed_crawl_finishes_whole(
    feed_run: FeedRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert feed_run.result.returncode in (0, 3), feed_run.result.output
    assert "Traceback" not in feed_run.result.output
    assert consistency_problems(feed_run.db) == []
    baseline = baseline_peak_mib(str(tmp_path_factory.mktemp("baseline")))
    grown = feed_run.result.peak_mib - baseline
    print(
        f"\nS20-22 hostile feeds and sitemaps: peak {feed_run.result.peak_mib:.1f} MiB = "
        f"baseline {baseline:.1f} + {grown:.1f} MiB (feed cap {FEED_CAP // MIB} MiB)"
    )
    assert grown < 20 * FEED_CAP / MIB  # a parsed 5 MiB sitemap tree, never 1 GiB


# -- 20 -----------------------------------------------------------------------------------


def test_s20_xxe_secret_never_reaches_the_archive(feed_run: FeedRun) -> None:
    secret = feed_run.sim.xxe_secret
    for suffix in ("", "-wal"):
        path = Path(str(feed_run.db) + suffix)
        if path.exists():
            assert secret.encode() not in path.read_bytes()
    with Archive.open(feed_run.db) as archive:
        assert all(secret.encode() not in page.html for page in archive.articles.raw_pages())
    assert "/news/leak.html" not in feed_run.requested("xxe")
    assert feed_run.stored("xxe") == set()  # the whole document was refused


@pytest.mark.parametrize("kind", ["billion-laughs", "quadratic"])
def test_s20_entity_bombs_fail_fast_in_bounded_memory(feed_run: FeedRun, kind: str) -> None:
    data = feeds.hostile_feed(kind, "http://127.0.0.2", "/nonexistent")
    tracemalloc.start()
    began = time.monotonic()
    with pytest.raises(EntitiesRefused):
        parse_feed(data, "http://127.0.0.2/feed.rss", max_bytes=FEED_CAP)
    took = time.monotonic() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert took < 1.0 and peak < 4 * len(data) + MIB  # refused, never expanded (~1 GB)
    assert feed_run.stored(kind) == set()
    assert set(feed_run.requested(kind)) == {"/robots.txt", "/feed.rss"}


def test_s20_hostile_feeds_recorded_malformed(feed_run: FeedRun) -> None:
    # xxe, billion-laughs, quadratic, garbage and the gzip-bomb sitemap: five refused
    assert runs(feed_run.db)[-1][1]["malformed"] == 5
    # ... and the run's summary names each of them, so the operator knows which to look at
    summary = messages(feed_run.result.stdout)
    assert "discovery documents that did not parse: 5" in summary
    for mode in ("xxe", "billion-laughs", "quadratic", "garbage"):
        assert f"  {feed_run.sim.url('/feed.rss', feed_run.host[mode])}" in summary


# -- 21 -----------------------------------------------------------------------------------


def test_s21_truncated_feed_keeps_its_complete_items(feed_run: FeedRun) -> None:
    sim, host = feed_run.sim, feed_run.host["truncated"]
    pub = sim.site.publisher(host)
    assert pub is not None
    cut = feeds.truncated(feeds.rss_feed(pub, sim.base_url(host), sim.site.articles_of(host)))
    complete = cut[: cut.rfind(b"</item>")]
    expected = {a.path for a in sim.site.articles_of(host) if a.path.encode() in complete}
    assert 0 < len(expected) < len(sim.site.articles_of(host))
    assert {p.split("?")[0] for p in feed_run.stored("truncated")} == expected


def test_s21_garbage_feed_is_no_crash(feed_run: FeedRun) -> None:
    assert feed_run.stored("garbage") == set()
    assert feed_run.rows[feed_run.sim.url("/feed.rss", feed_run.host["garbage"])].outcome == "feed"
    with pytest.raises(XMLError):
        parse_feed(feeds.hostile_feed("garbage", "http://x", ""), "http://x/", max_bytes=MIB)


# -- 22 -----------------------------------------------------------------------------------


def test_s22_self_including_index_and_endless_chain(feed_run: FeedRun) -> None:
    host = feed_run.host["self-index"]
    assert requests_to(feed_run.sim, "/sitemap_index.xml", host) == 1  # visited set
    chain = [requests_to(feed_run.sim, f"/fault/sitemap/chain/{n}", host) for n in range(6)]
    assert chain == [1] * (DEPTH + 1) + [0, 0]  # depth 0 … 3, then the depth limit
    expected = {a.path for a in feed_run.sim.site.articles_of(host)}
    assert expected <= feed_run.stored("self-index")


def test_s22_sitemap_over_50_mb_cut_at_the_size_cap(feed_run: FeedRun) -> None:
    host = feed_run.host["huge-size"]
    row = feed_run.rows[feed_run.sim.url("/sitemap-news.xml", host)]
    assert (row.outcome, row.reason) == ("sitemap_failed", "too_large")
    # the gzipped archive sitemap of the same index still brought the articles in
    assert {a.path for a in feed_run.sim.site.articles_of(host)} <= feed_run.stored("huge-size")


def test_s22_gzip_bomb_sitemap_refused_at_the_cap(feed_run: FeedRun) -> None:
    host = feed_run.host["gz-bomb"]
    hits = feed_run.sim.requests_for(host, "/sitemap-archive.xml.gz")
    assert [e.status for e in hits] == [200]  # fetched once (1 MiB), refused when inflating
    row = feed_run.rows[feed_run.sim.url("/sitemap-archive.xml.gz", host)]
    assert row.outcome == "sitemap" and row.article_id is None
    assert {a.path for a in feed_run.sim.site.articles_of(host)} <= feed_run.stored("gz-bomb")


def test_s22_huge_count_crawl_completes(feed_run: FeedRun) -> None:
    host = feed_run.host["huge-count"]
    assert {a.path for a in feed_run.sim.site.articles_of(host)} <= feed_run.stored("huge-count")
    assert not any("filler" in t for t in feed_run.requested("huge-count"))


async def test_s22_sitemap_over_50000_urls_capped(make_simulator, tmp_path: Path) -> None:
    sim = make_simulator(SiteConfig(hosts=(HostConfig(articles=2, sitemap="huge-count"),)))
    seed = load_seed(
        raw_seed(tmp_path, "huge", sim.hosts[0], sitemaps=[sim.url("/sitemap-news.xml")])
    )
    async with real_fetcher(max_tries=1, request_deadline=30.0) as fetcher:

        async def fetch(url: str, kind: str) -> bytes | None:
            return (await fetcher.fetch(url, max_bytes=50 * MIB)).body

        report = await discover(
            seed,
            fetch,
            now=datetime.now(UTC),
            lastmod_window_days=3.0,
            max_sitemap_depth=DEPTH,
            max_sitemap_urls=50_000,
            max_bytes=50 * MIB,
            max_sitemap_files=500,
            concurrency=4,
        )
    assert len(report.candidates) == 50_000  # of the 60,000 listed
    assert report.counts["sitemap_urls_truncated"] == 1


@pytest.mark.long
def test_s22_huge_count_through_the_cli_discovers_at_most_50000(tmp_path: Path) -> None:
    hosts = (HostConfig(articles=2, sitemap="huge-count", crawl_delay=None, robots_sitemap=False),)
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        seeds = tmp_path / "seeds"
        raw_seed(seeds, "huge", sim.hosts[0], sitemaps=[sim.url("/sitemap_index.xml")])
        result = crawl(seeds, tmp_path / "h.db", env=crawl_env(), extra=["--max-pages", "3"])
    assert result.returncode == 3, result.output
    assert "discovered 50000 " in result.stdout
    assert len([e for e in sim.log if "filler" in e.path]) <= 3
