"""docs/hardening.md scenarios 23-24: monster pages and pages with no article.

A 20 MB page, 100k nested divs and 200k links go through the real crawl: extraction runs in
worker processes under a wall-clock limit and an address-space limit, so each monster ends
as a recorded outcome while the crawl goes on to store the ordinary article. Peak memory
is measured for the crawler (VmHWM) and for its workers (VmHWM polled in /proc).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scraper.extract.extractor import extract_page
from scraper.settings import Settings
from tests.faultkit import (
    MIB,
    CrawlResult,
    UrlRow,
    archived,
    baseline_peak_mib,
    consistency_problems,
    crawl,
    crawl_env,
    fast_site,
    links_seed,
    runs,
    url_rows,
)
from tests.simulator import Simulator
from tests.simulator.content import monster

MONSTERS = ("big", "nested", "links")
BODY_CAP = 32 * MIB  # so the 20 MB page reaches extraction
EXTRACT_TIMEOUT = 2.5
WORKER_MB = 640
# What a monster may end as: extracted (an article or no article), or cut in its worker.
ENDINGS = {
    ("new", None),
    ("no_article", None),
    ("failed", "extract_timeout"),
    ("failed", "extract_memory"),
}


@dataclass
class ExtractRun:
    sim: Simulator
    db: Path
    result: CrawlResult
    rows: dict[str, UrlRow]
    baseline_mib: float


@pytest.fixture(scope="module")
def extract_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExtractRun]:
    tmp = tmp_path_factory.mktemp("extract")
    baseline = baseline_peak_mib(str(tmp / "baseline"))
    for kind in MONSTERS:
        monster(kind)  # built before the crawl (cached), not while its request waits
    with Simulator(fast_site()) as sim:
        paths = [f"/fault/monster/{k}" for k in MONSTERS] + ["/fault/empty", "/fault/article"]
        links_seed(tmp / "seeds", sim, sim.hosts[0], paths, concurrency=1)
        db = tmp / "x.db"
        env = crawl_env(
            max_body_bytes=BODY_CAP,
            extract_timeout=EXTRACT_TIMEOUT,
            extract_memory_mb=WORKER_MB,
            request_deadline=30,
        )
        result = crawl(tmp / "seeds", db, env=env)
        yield ExtractRun(sim, db, result, url_rows(db), baseline)


@pytest.mark.parametrize("kind", MONSTERS)
def test_s23_monster_page_ends_recorded_in_its_worker(extract_run: ExtractRun, kind: str) -> None:
    row = extract_run.rows[f"/fault/monster/{kind}"]
    assert (row.outcome, row.reason) in ENDINGS, row
    print(f"\nS23 {kind}: {row.outcome} {row.reason or ''}".rstrip())


def test_s23_run_continues_and_memory_stays_bounded(extract_run: ExtractRun) -> None:
    result = extract_run.result
    assert result.returncode in (0, 3), result.output
    assert "Traceback" not in result.output
    assert "/fault/article" in archived(extract_run.db)  # the crawl went on past the monsters
    assert runs(extract_run.db)[-1][0] in ("ok", "partial")
    assert consistency_problems(extract_run.db) == []
    # 3 pages × 2.5 s at most, plus worker restarts: the wall-clock limit held
    assert result.seconds < len(MONSTERS) * (EXTRACT_TIMEOUT + 3) + 15
    grown = result.peak_mib - extract_run.baseline_mib
    biggest = len(monster("big")) / MIB
    print(
        f"\nS23 crawler: peak {result.peak_mib:.1f} MiB = baseline "
        f"{extract_run.baseline_mib:.1f} + {grown:.1f} MiB (cap: 4 x the {biggest:.0f} MiB "
        f"page); workers: peak {result.worker_peak_kib / 1024:.0f} MiB (cap {WORKER_MB} MiB)"
    )
    assert grown < 4 * biggest  # body, its copy to the worker, the stored raw page
    assert 0 < result.worker_peak_kib / 1024 < WORKER_MB


def test_s24_page_without_article_is_recorded_not_stored(extract_run: ExtractRun) -> None:
    row = extract_run.rows["/fault/empty"]
    assert (row.outcome, row.article_id) == ("no_article", None)
    assert "/fault/empty" not in archived(extract_run.db)
    assert runs(extract_run.db)[-1][1]["no_article"] >= 1


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"   ",
        b"<html><body></body></html>",
        b"<html><body><nav><a href='/'>Home</a></nav><p>Coming soon.</p></body></html>",
    ],
)
def test_s24_extraction_of_nothing_is_below_the_article_minimum(html: bytes) -> None:
    extraction = extract_page(html, "http://127.0.0.2/empty")
    assert len(extraction.text.strip()) < Settings().min_article_chars
