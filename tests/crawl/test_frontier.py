"""The crawl's frontier: a window per host in memory, the rest parked in the archive."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from archive import Archive, ParkedUrl
from scraper.crawl.frontier import HostFrontier
from tests.simulator import HostConfig, Simulator, SiteConfig
from tests.test_e2e import articles, crawl

T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)


def test_jobs_beyond_the_window_are_parked_and_come_back_in_order() -> None:
    parked: list[str] = []

    async def take(limit: int) -> list[str]:  # the crawl's runs on the archive writer
        out = parked[:limit]
        del parked[:limit]
        return out

    async def main() -> list[str]:
        queue: HostFrontier[str] = HostFrontier(3, take)
        for i in range(10):
            if not queue.put(f"u{i}"):
                parked.append(f"u{i}")
        assert len(queue) == 3 and queue.parked == 7 and parked == [f"u{i}" for i in range(3, 10)]
        got = [await queue.get() for _ in range(4)]
        assert len(queue) <= 3  # a refill brings back one window at most
        queue.close()
        while (job := await queue.get()) is not None:
            got.append(job)
        return got

    assert asyncio.run(main()) == [f"u{i}" for i in range(10)]


def test_a_waiting_worker_wakes_for_a_new_job_and_ends_on_close() -> None:
    async def main() -> list[str | None]:
        async def nothing(limit: int) -> list[str]:
            return []

        queue: HostFrontier[str] = HostFrontier(2, nothing)
        waiter = asyncio.ensure_future(queue.get())
        await asyncio.sleep(0.01)
        assert not waiter.done()
        queue.put("late")
        first = await asyncio.wait_for(waiter, 1)
        closing = asyncio.ensure_future(queue.get())
        await asyncio.sleep(0.01)
        queue.close()
        return [first, await asyncio.wait_for(closing, 1)]

    assert asyncio.run(main()) == ["late", None]


def test_the_archive_parks_per_host_in_order_and_a_new_run_clears_leftovers(
    tmp_path: Path,
) -> None:
    with Archive.open(tmp_path / "a.db") as archive:
        archive.frontier.park([
            ParkedUrl("a.example", "https://a.example/1", "A", "sitemap", T0),
            ParkedUrl("b.example", "https://b.example/1", "B", "feed"),
            ParkedUrl("a.example", "https://a.example/2", "A", "listing"),
            ParkedUrl("a.example", "https://a.example/3", "A", "feed"),
        ])  # fmt: skip
        first = archive.frontier.take("a.example", 2)
        assert [p.url for p in first] == ["https://a.example/1", "https://a.example/2"]
        assert first[0].published == T0 and first[1].source == "listing"
        assert [p.url for p in archive.frontier.take("a.example", 5)] == ["https://a.example/3"]
        assert archive.frontier.take("a.example", 5) == []
        assert archive.frontier.clear() == 1  # b.example's, left as a killed run would


def test_a_crawl_with_a_tiny_window_archives_everything_and_leaves_no_parked_url(
    tmp_path: Path,
) -> None:
    hosts = tuple(HostConfig(articles=9, crawl_delay=None) for _ in range(2))
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        seeds = tmp_path / "seeds"
        sim.write_seeds(seeds, per_host_delay=0)
        db = tmp_path / "archive.db"
        result = crawl(seeds, db, env={"SCRAPER_FRONTIER_WINDOW": "2"})
        expected = {a.path for a in sim.site.articles}
        served = [e.path for e in sim.log if e.path in expected and e.status == 200]
    assert result.returncode == 0, result.stderr  # the simulated 404 link is gone, not failed
    stored = {"/" + url.split("/", 3)[3] for url, _ in articles(db)}
    assert stored == expected
    assert sorted(served) == sorted(expected)  # each fetched once (a 503 is retried)
    with Database(db) as reader:
        assert reader.table("frontier").count == 0


def test_urls_over_the_page_cap_are_deferred_in_one_go_and_pending_next_run(
    tmp_path: Path,
) -> None:
    urls = [f"https://a.example/news/{i}" for i in range(2_000)]
    with Archive.open(tmp_path / "a.db") as archive:
        archive.urls.record(urls, fetched_at=T0, outcome="deferred", reason="max_pages")
        state = archive.urls.state(urls[7])
        assert state is not None and (state.outcome, state.reason) == ("deferred", "max_pages")
        assert [url for url, _, _ in archive.urls.pending()] == sorted(urls)
