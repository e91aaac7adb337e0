"""Hostile numbers and pages against the crawl's workers: host fetch workers, extraction.

- a seed's ``per_host_concurrency`` of 10^17 must not make the crawl start that many tasks;
- ``scraper extract FILE`` runs in the crawl's capped extraction worker (time, memory);
- extraction workers whose crawl was SIGKILLed exit quietly, without tracebacks.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, cast

from scraper.crawl.hosts import HostWorkers
from scraper.crawl.jobs import FetchedPage, Job
from scraper.models import Candidate, Page, SourceKind
from scraper.seeds import Seed
from scraper.settings import Settings
from tests.faultkit import kill_group, start_script
from tests.test_e2e import run_cli


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
    seed = Seed(
        name="Huge", domain="huge.example", path=Path("huge.toml"), per_host_concurrency=concurrency
    )
    fetch = _GatedFetch()

    async def extract(page: FetchedPage) -> None:
        raise AssertionError("no page is fetched here")

    workers = HostWorkers(
        Settings(global_concurrency=global_concurrency),
        [seed],
        fetching=cast(Any, fetch),
        writer=cast(Any, None),
        extract=extract,
        stop=asyncio.Event(),
    )
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


def _deep_page(path: Path, depth: int) -> Path:
    path.write_text(
        "<html><body>" + "<div>" * depth + "<p>deep</p>" + "</div>" * depth + "</body></html>",
        encoding="utf-8",
    )
    return path


def test_extract_of_a_100000_deep_page_ends_with_the_crawls_failure(tmp_path: Path) -> None:
    page = _deep_page(tmp_path / "deep.html", 100_000)
    started = time.monotonic()
    # In the CLI's own process this parse ran for over ten minutes; run_cli gives up at 90 s.
    result = run_cli("extract", str(page), env={"SCRAPER_EXTRACT_TIMEOUT": "2"}, timeout=90)
    took = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""  # no half an article
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "failed (extract_timeout)" in lines[0] and str(page) in lines[0]
    assert took < 60, took


def test_extract_settings_are_checked_like_the_crawls(tmp_path: Path) -> None:
    page = _deep_page(tmp_path / "small.html", 3)
    result = run_cli("extract", str(page), env={"SCRAPER_EXTRACT_TIMEOUT": "-1"})
    assert result.returncode == 2 and "SCRAPER_EXTRACT_TIMEOUT" in result.stderr


# The crawl's own process, reduced to its extraction pool: it prints its worker's pid and
# hands it a job that outlives the crawl (killed by the test meanwhile).
_CRAWL_WITH_A_WORKER = """
import asyncio, sys
from scraper.runtime.workerpool import WorkerPool
pool = WorkerPool("tests.workerfuncs:job", workers=1, timeout=60, memory_mb=512)
print(pool._all[0].process.pid, flush=True)
asyncio.run(pool.run("sleep", int(sys.argv[1])))
"""


def test_workers_of_a_sigkilled_crawl_exit_quietly() -> None:
    proc = start_script(_CRAWL_WITH_A_WORKER, "3")
    try:
        assert proc.stdout is not None
        worker = int(proc.stdout.readline())
        time.sleep(0.5)  # the job is in the worker
        proc.kill()
        # stderr ends when every process holding it has: crawl, forkserver and worker
        _, err = proc.communicate(timeout=20)
    finally:
        kill_group(proc)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert (
        not Path(f"/proc/{worker}").exists()
        or "zombie" in Path(f"/proc/{worker}/status").read_text().lower()
    )
