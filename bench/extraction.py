"""Extraction throughput over real publisher pages (``../shared/eval``).

Three timings over the same pages (raw bytes, as fetched), in one run, interleaved per
repeat so machine noise hits all three alike:

- bare ``trafilatura.extract(body, url=…, include_comments=False)``, one process;
- ours (``scraper.extract.extractor.extract_page``: decode, pre-clean, trafilatura, post-clean,
  metadata), one process;
- ours through the crawl's own ``scraper.runtime.workerpool.WorkerPool`` on every core.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from scraper.extract.extractor import extract_page
from scraper.runtime.workerpool import EXTRACT_TARGET, WorkerPool

DATASETS = ("fundus", "trafilatura")


@dataclass(frozen=True)
class Sample:
    """One evaluation page: raw bytes and the URL it was fetched from."""

    body: bytes
    url: str


@dataclass(frozen=True)
class ExtractTimes:
    """Pages per second of each path over one pass."""

    pages: int
    bare_one_core: float
    ours_one_core: float
    ours_all_cores: float
    workers: int
    bare_cpu: float = 0.0  # pages per CPU second (time.process_time): robust to other load
    ours_cpu: float = 0.0


def load_samples(eval_dir: Path, limit: int = 0) -> list[Sample]:
    """Pages of every dataset in ``eval_dir``; ``limit`` > 0 keeps that many, evenly spread."""
    samples = []
    for name in DATASETS:
        folder = eval_dir / name
        truth_file = folder / "ground-truth.json"
        if not truth_file.exists():
            continue
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        for page_id in sorted(truth):
            path = folder / "html" / f"{page_id}.html.gz"
            if path.exists():
                samples.append(
                    Sample(gzip.decompress(path.read_bytes()), truth[page_id].get("url") or "")
                )
    if 0 < limit < len(samples):
        step = len(samples) / limit
        samples = [samples[int(i * step)] for i in range(limit)]
    return samples


def bare_trafilatura(samples: list[Sample]) -> tuple[float, float]:
    """Pages per wall second and per CPU second of bare trafilatura, one process."""
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    began, cpu = time.perf_counter(), time.process_time()
    for s in samples:
        trafilatura.extract(s.body, url=s.url or None, include_comments=False)
    return _rates(len(samples), began, cpu)


def ours_one_core(samples: list[Sample]) -> tuple[float, float]:
    """Pages per wall second and per CPU second of our extract+clean path, one process."""
    began, cpu = time.perf_counter(), time.process_time()
    for s in samples:
        extract_page(s.body, s.url)
    return _rates(len(samples), began, cpu)


def _rates(pages: int, began: float, cpu: float) -> tuple[float, float]:
    return (pages / (time.perf_counter() - began), pages / (time.process_time() - cpu))


def ours_all_cores(samples: list[Sample], workers: int) -> float:
    """Pages/s of our path through the crawl's worker pool (pool start-up not counted)."""
    return asyncio.run(_pool_rate(samples, workers))


async def _pool_rate(samples: list[Sample], workers: int) -> float:
    pool = WorkerPool(EXTRACT_TARGET, workers=workers, timeout=60.0, memory_mb=1024)
    try:
        await asyncio.gather(*(pool.run(s.body, s.url) for s in samples[:workers]))  # warm
        began = time.perf_counter()
        await asyncio.gather(*(pool.run(s.body, s.url) for s in samples))
        return len(samples) / (time.perf_counter() - began)
    finally:
        pool.close()


def measure(samples: list[Sample], workers: int | None = None) -> ExtractTimes:
    """One interleaved pass of the three paths."""
    workers = workers or os.cpu_count() or 1
    extract_page(samples[0].body, samples[0].url)  # imports and caches warm
    trafilatura.extract(samples[0].body, include_comments=False)
    bare, ours = bare_trafilatura(samples), ours_one_core(samples)
    return ExtractTimes(
        len(samples), bare[0], ours[0], ours_all_cores(samples, workers), workers, bare[1], ours[1]
    )
