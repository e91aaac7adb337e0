"""Hostile numbers and pages against the crawl's workers: host fetch workers, extraction.

- a seed's ``per_host_concurrency`` of 10^17 must not make the crawl start that many tasks;
- ``scraper extract FILE`` runs in the crawl's capped extraction worker (time, memory);
- extraction workers whose crawl was SIGKILLed exit quietly, without tracebacks.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

from scraper.crawl.hosts import HostWorkers
from scraper.crawl.jobs import FetchedPage, Job
from scraper.models import Candidate, Page, SourceKind
from scraper.seeds import Seed
from scraper.settings import Settings


class _GatedFetch:
    """A FetchStage stand-in: each article fetch waits at the gate; counts those in flight."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.in_flight = 0
        self.most = 0
        self.fetched: list[str] = []

    async def article(self, job: Job) -> Page | None:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await self.gate.wait()
        self.in_flight -= 1
        self.fetched.append(job.url)
        return None


async def _offer_three(concurrency: int, global_concurrency: int = 16) -> tuple[int, int, int]:
    """(tasks started, most fetches at once, URLs fetched) for three URLs on one host."""
    seed = Seed(name="Huge", domain="huge.example", path=Path("huge.toml"),
                per_host_concurrency=concurrency)
    fetch = _GatedFetch()

    async def extract(page: FetchedPage) -> None:
        raise AssertionError("no page is fetched here")

    workers = HostWorkers(Settings(global_concurrency=global_concurrency), [seed],
                          fetching=cast(Any, fetch), writer=cast(Any, None), extract=extract,
                          stop=asyncio.Event())
    for i in range(3):
        url = f"https://huge.example/news/{i}.html"
        workers.offer(Job(Candidate(url, seed.name, SourceKind.FEED, "test"), seed))
    started = len(workers.tasks)
    while fetch.in_flight < min(3, concurrency, global_concurrency):
        await asyncio.sleep(0)  # the workers reach the gate
    fetch.gate.set()
    await asyncio.wait_for(workers.join(), 10)
    return started, fetch.most, len(fetch.fetched)


async def test_huge_per_host_concurrency_starts_workers_for_the_work_there_is() -> None:
    # Before the fix, 100,000 tasks were started for three URLs (and 10^17 never ended).
    assert await _offer_three(100_000) == (3, 3, 3)
    assert await _offer_three(99999999999999999) == (3, 3, 3)
    # never more workers than the run has global slots, whatever the seed says
    assert await _offer_three(99999999999999999, global_concurrency=2) == (2, 2, 3)
    # the seed's own small concurrency still holds
    assert await _offer_three(1) == (1, 1, 3)
