"""Ingest throughput from one WARC: local process pool vs a 2-worker Dask LocalCluster.

Writes ``--pages`` simulator pages (60 distinct pages under new URLs) with our WarcWriter,
then ingests them into a Store that only counts (storing is the archive's cost, measured
elsewhere), and times bare ``trafilatura.extract`` on the same records in one process.

    .venv/bin/python -m bench.warc_ingest --pages 600
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

from archive import StoreOutcome, StoreResult
from bench.warc_libs import pages
from scraper.fetch.exchange import Exchange
from scraper.runtime.workerpool import WorkerPool
from scraper.warc.ingest import IngestOptions, Item, Progress, ingest
from scraper.warc.reader import read_pages
from scraper.warc.writer import WarcWriter

EXTRACT = "scraper.extract.extractor:extract_for_archive"


class CountingStore:
    """A Store that keeps nothing: extraction throughput without the archive."""

    def __init__(self) -> None:
        self.count = 0

    def store(self, items: Sequence[Item]) -> list[StoreResult]:
        self.count += len(items)
        return [StoreResult(StoreOutcome.NEW, i) for i in range(len(items))]

    def progress(self, file: str) -> Progress | None:
        return None

    def save_progress(self, progress: Progress) -> None:
        pass


def write(folder: Path, count: int, files: int) -> None:
    """``count`` pages in ``files`` files (Dask spreads work by file)."""
    items = pages(count)
    per_file = -(-count // files)
    for start in range(0, count, per_file):
        writer = WarcWriter(folder, prefix=f"bench{start:06d}")
        for url, body in items[start : start + per_file]:
            writer.write(
                Exchange(
                    "GET",
                    url,
                    (),
                    200,
                    "OK",
                    (("Content-Type", "text/html; charset=utf-8"),),
                    body,
                    datetime.now(UTC),
                    "127.0.0.2",
                )
            )
        writer.close()


def local(folder: Path, workers: int) -> float:
    async def run() -> float:
        pool = WorkerPool(EXTRACT, workers=workers, timeout=60, memory_mb=0)
        try:  # warm every worker first, as the Dask run below does
            await asyncio.gather(
                *(pool.run(b"<p>warm</p>", "http://x.test/") for _ in range(workers))
            )
            start = time.perf_counter()
            await ingest([folder], CountingStore(), pool, IngestOptions(batch_size=32))
            return time.perf_counter() - start
        finally:
            pool.close()

    return asyncio.run(run())


def dask(folder: Path, workers: int) -> float:
    from dask.distributed import Client, LocalCluster

    from scraper.warc.dask_engine import _drive

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: __import__("scraper.extract.extractor"))  # warm, as the pool is
        start = time.perf_counter()
        _drive(
            client,
            [folder],
            CountingStore(),
            IngestOptions(batch_size=32),
            lambda line: None,
            lambda stats: None,
        )
        return time.perf_counter() - start


def bare(folder: Path) -> float:
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    start = time.perf_counter()
    for page in read_pages([folder]):
        trafilatura.extract(page.body, url=page.url, include_comments=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = {
        "bare trafilatura, 1 process": bare,
        f"ingest, local pool of {args.workers}": lambda f: local(f, args.workers),
        f"ingest, Dask LocalCluster of {args.workers}": lambda f: dask(f, args.workers),
    }
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write(folder, args.pages, args.files)
        for _ in range(args.repeat):  # interleaved, so machine noise hits all alike
            for name, run in runs.items():
                took = run(folder)
                best[name] = min(best.get(name, took), took)
    for name, took in best.items():
        print(f"{name:34s} {args.pages / took:7.1f} pages/s (best of {args.repeat})")


if __name__ == "__main__":
    main()
