"""``scraper ingest``, one run: check the files, take the lock, ingest, report; exit code.

Set up like a crawl (:mod:`scraper.crawl.run`): the run lock, a run record, the crawl's
one :class:`~scraper.runtime.archive_writer.ArchiveWriter` (so dedup stays exact whichever engine
extracts), the crawl's worker pool for ``--engine local``, the live table on a terminal
and the summary on the ``scraper.summary`` logger.
"""

from __future__ import annotations

import asyncio
import gzip
import importlib.util
import logging
import time
import zlib
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from archive import IngestMark, RunStatus, StoreResult
from scraper import logs
from scraper.errors import ConfigError
from scraper.models import utc_now
from scraper.runtime import EXTRACT_TARGET, ArchiveWriter, Reporter, RunStats, WorkerPool
from scraper.seeds import Seed, load_seeds
from scraper.settings import Settings
from scraper.warc.ingest import ingest
from scraper.warc.pages import (
    IngestOptions,
    IngestStats,
    Item,
    Progress,
    WarcError,
)
from scraper.warc.reader import warc_files

EXIT_OK, EXIT_PARTIAL = 0, 3
_T = TypeVar("_T")


@dataclass(frozen=True)
class IngestRequest:
    """What the command line asked for, besides the settings."""

    paths: tuple[Path, ...]
    seeds_path: Path | None = None
    only_seeds: bool = False
    engine: str = "local"
    scheduler: str | None = None
    workers: int = 2


class WriterStore:
    """The ingest's Store: the crawl's ArchiveWriter, asked from a thread beside the loop.

    A batch and, separately, its progress mark are each one transaction on the writer's
    thread, in the order asked: the mark always follows the articles it covers.
    """

    def __init__(self, writer: ArchiveWriter, loop: asyncio.AbstractEventLoop) -> None:
        self.writer = writer
        self.loop = loop

    def store(self, items: Sequence[Item]) -> list[StoreResult]:
        return self._wait(self.writer.store_batch(items))

    def progress(self, file: str) -> Progress | None:
        mark = self._wait(self.writer.ingest_mark(file))
        return None if mark is None else Progress(mark.file, mark.offset, mark.finished)

    def save_progress(self, progress: Progress) -> None:
        mark = IngestMark(progress.file, progress.offset, progress.finished)
        self._wait(self.writer.save_ingest_mark(mark))

    def _wait(self, call: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run_coroutine_threadsafe(call, self.loop).result()


def run_ingest(settings: Settings, request: IngestRequest, *, quiet: bool = False) -> int:
    """Validate the request, take the lock, ingest, write the run record; exit code."""
    from scraper.runtime import RunLock

    seeds = _seeds(request)
    files = check_files(request.paths)  # WarcError (exit 2) before anything is written
    if request.engine == "dask" and importlib.util.find_spec("distributed") is None:
        raise ConfigError("--engine dask needs Dask: pip install -e '.[dask]'")
    options = IngestOptions(
        seeds=tuple(seeds),
        only_seeds=request.only_seeds,
        min_article_chars=settings.min_article_chars,
        max_bytes=settings.max_body_bytes,
        batch_size=settings.store_batch,
    )
    with RunLock(settings.db_path):
        return asyncio.run(_ingest(files, settings, request, options, quiet))


def _seeds(request: IngestRequest) -> list[Seed]:
    if request.seeds_path is None:
        if request.only_seeds:
            raise ConfigError("--only-seeds needs --seeds PATH")
        return []
    return load_seeds(request.seeds_path)


def check_files(paths: Sequence[Path]) -> list[Path]:
    """Every WARC file named or in the folders named; WarcError naming one that is not."""
    files = warc_files(paths)
    for path in files:
        if not _looks_like_warc(path):
            raise WarcError(f"{path}: not a WARC file (no WARC/1.x record at its start)")
    return files


def _looks_like_warc(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
        if head[:2] == b"\x1f\x8b":  # gzip: look at the first record's start
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
    except (OSError, zlib.error, gzip.BadGzipFile):
        return False
    return head.startswith(b"WARC/")


async def _ingest(
    files: list[Path],
    settings: Settings,
    request: IngestRequest,
    options: IngestOptions,
    quiet: bool,
) -> int:
    writer = ArchiveWriter(
        settings.db_path,
        size=settings.store_batch,
        interval=settings.store_interval,
        timeout=settings.writer_timeout,
    )
    await writer.start()
    try:
        run_id = await writer.begin_run(utc_now())
        run = RunStats()
        reporter = Reporter(run, live=False if quiet else None)
        reporter.log(
            f"ingest run {run_id}: {len(files)} WARC file(s) into {settings.db_path}"
            f" ({request.engine})"
        )
        status = RunStatus.FAILED
        stats = IngestStats()
        try:
            with reporter:
                stats = await _engine(files, settings, request, options, writer, reporter)
            status = RunStatus.PARTIAL if stats.failed or stats.read.failed_files else RunStatus.OK
        finally:
            _mirror(stats, run)
            counts = run.counts()
            await writer.finish_run(run_id, status=status, counts=counts)
    finally:
        await writer.close()
    summary = logging.getLogger(logs.SUMMARY)
    for line in summary_lines(stats, run):
        summary.info(line)
    summary.info(f"run {run_id}: {status}")
    return EXIT_OK if status == RunStatus.OK else EXIT_PARTIAL


async def _engine(
    files: list[Path],
    settings: Settings,
    request: IngestRequest,
    options: IngestOptions,
    writer: ArchiveWriter,
    reporter: Reporter,
) -> IngestStats:
    loop = asyncio.get_running_loop()
    store = WriterStore(writer, loop)

    def on_batch(stats: IngestStats) -> None:
        _mirror(stats, reporter.stats)
        reporter.tick()

    if request.engine == "dask":
        from scraper.warc.dask_engine import ingest_dask

        def threadsafe(stats: IngestStats) -> None:
            loop.call_soon_threadsafe(on_batch, stats)

        return await asyncio.to_thread(
            ingest_dask,
            files,
            store,
            options,
            scheduler=request.scheduler,
            workers=request.workers,
            log=reporter.warn,
            on_batch=threadsafe,
        )
    return await _local(files, settings, options, store, reporter, on_batch)


async def _local(
    files: list[Path],
    settings: Settings,
    options: IngestOptions,
    store: WriterStore,
    reporter: Reporter,
    on_batch: Callable[[IngestStats], None],
) -> IngestStats:
    pool = WorkerPool(
        EXTRACT_TARGET,
        workers=settings.extract_workers,
        timeout=settings.extract_timeout,
        memory_mb=settings.extract_memory_mb,
        nice=settings.extract_nice,
    )
    try:
        return await ingest(files, store, pool, options, log=reporter.warn, on_batch=on_batch)
    finally:
        await asyncio.get_running_loop().run_in_executor(None, pool.close)


def _mirror(stats: IngestStats, run: RunStats) -> None:
    """Show an ingest's counts in the crawl's table and run record (pages as fetched)."""
    run.fetched = stats.pages
    run.no_article = stats.no_article
    run.stored = Counter(stats.stored)
    run.failed = Counter(stats.failed)
    if stats.read.failed_files:
        run.failed["unreadable_file"] = len(stats.read.failed_files)


def summary_lines(stats: IngestStats, run: RunStats) -> list[str]:
    """The end-of-ingest summary, one fact per line."""
    stored = ", ".join(f"{k} {v}" for k, v in sorted(stats.stored.items())) or "none"
    skipped = ", ".join(f"{k} {v}" for k, v in stats.read.skipped.most_common()) or "none"
    failed = sum(stats.failed.values())
    lines = [
        f"files: {stats.files_done} ingested, {stats.files_skipped} already done, "
        f"{len(stats.read.failed_files)} unreadable",
        f"HTML pages {stats.pages}; other records skipped: {skipped}",
        f"articles: {stored}; no article in page {stats.no_article}; "
        f"outside the seeds {stats.outside_seeds}; not article URLs {stats.not_articles}",
        f"failed {failed}"
        + (": " + ", ".join(f"{k} {v}" for k, v in stats.failed.most_common()) if failed else ""),
    ]
    if stats.joined or stats.pages_unjoined or stats.pages_late:
        lines.append(
            f"multi-page articles joined {stats.joined}; pages left out: no first "
            f"page {stats.pages_unjoined}, article already stored {stats.pages_late}"
        )
    lines.extend(f"  {line}" for line in stats.read.failed_files)
    took = max(1e-9, time.monotonic() - run.started)
    lines.append(f"duration {took:.1f}s ({stats.pages / took:.1f} pages/s)")
    return lines
