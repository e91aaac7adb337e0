"""The ingest's extraction on Dask distributed; storing stays in the client, one writer.

Each task reads one file from an offset for up to ``batch_size`` pages, extracts them with
the crawl's ``extract_for_archive`` and returns the ArticleRecords with their dedup
fingerprints, and the pages of multi-page articles, which the client holds and joins
(:mod:`scraper.warc.multipage`) since an article's pages may be in different files
(:class:`Chunk`). The client stores each chunk through the Store, records the
progress, and submits the file's next chunk; files run in parallel, so a cluster is kept
busy by as many files as it has worker threads (split by file: the offsets of the records
inside a gzip WARC are only known by reading it). Dedup is exact because only the client
stores, in arrival order.

Workers extract in their own process with no per-page time or memory cap (the local
engine's WorkerPool has both): size the Dask workers' memory limit accordingly.
``dask[distributed]`` is an optional extra, imported only when this engine runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.extract import extract_for_archive
from scraper.warc.ingest import (
    Extracted,
    IngestOptions,
    IngestStats,
    Item,
    Store,
    commit,
    failure_line,
    pending_files,
    target_of,
)
from scraper.warc.multipage import HeldPage, PageJoiner
from scraper.warc.pages import WarcError
from scraper.warc.reader import iter_pages


@dataclass(frozen=True)
class Chunk:
    """What one task returns: the items of up to ``batch_size`` pages of one file, and
    the pages held for joining into multi-page articles (the client joins them)."""

    path: str
    items: list[Item]
    offset: int | None  # the last record read (None: none)
    done: bool  # the file is read to its end
    error: str | None = None  # the file could not be read further: one line
    stats: IngestStats = field(default_factory=IngestStats)
    held: list[HeldPage] = field(default_factory=list)


def extract_chunk(path: str, after: int | None, options: IngestOptions) -> Chunk:
    """Worker side: read and extract up to ``options.batch_size`` pages past ``after``."""
    stats = IngestStats()
    done = Extracted()
    offset = after
    pages = iter_pages(Path(path), after=after, stats=stats.read, max_bytes=options.max_bytes)
    try:
        for page in pages:
            before, offset = offset, page.offset
            target = target_of(page, options, stats)
            if target is not None:
                result = extract_for_archive(
                    page.body, page.url, page.content_type, **target.selectors
                )
                done.take(page, target, result, before, options, stats)
            if stats.pages >= options.batch_size:
                return Chunk(path, done.items, offset, False, stats=stats, held=done.held)
    except (WarcError, OSError, ValueError) as exc:
        return Chunk(
            path,
            done.items,
            offset,
            False,
            failure_line(Path(path), exc),
            stats=stats,
            held=done.held,
        )
    finally:
        pages.close()
    return Chunk(path, done.items, offset, True, stats=stats, held=done.held)


def ingest_dask(
    paths: Iterable[Path],
    store: Store,
    options: IngestOptions,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    processes: bool = True,
    log: Callable[[str], None] = lambda line: None,
    on_batch: Callable[[IngestStats], None] = lambda stats: None,
) -> IngestStats:
    """Ingest on a Dask cluster: ``scheduler`` address, else a LocalCluster of ``workers``."""
    from dask.distributed import Client, LocalCluster  # optional extra: imported here

    # ":0": a free port for its HTTP server (status routes even without a dashboard),
    # not the fixed 8787 another cluster on the machine may hold.
    cluster = (
        None
        if scheduler
        else LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=":0"
        )
    )
    try:
        with Client(scheduler or cluster) as client:
            return _drive(client, paths, store, options, log, on_batch)
    finally:
        if cluster is not None:
            cluster.close()


def _drive(
    client: Any,
    paths: Iterable[Path],
    store: Store,
    options: IngestOptions,
    log: Callable[[str], None],
    on_batch: Callable[[IngestStats], None],
) -> IngestStats:
    from dask.distributed import as_completed

    stats = IngestStats()
    joiner = PageJoiner(options, stats)  # pages of one article may be in different files
    submit = _submitter(client, options)
    running = as_completed(
        [submit(str(path), after) for path, after in pending_files(paths, store, stats)]
    )
    for future in running:
        chunk: Chunk = future.result()
        stats.add(chunk.stats)
        items = chunk.items + joiner.add(chunk.held)
        joiner.read(Path(chunk.path), chunk.offset, ended=chunk.done)
        commit(store, items, joiner.marks(), stats)
        on_batch(stats)
        if chunk.error is not None:
            stats.read.failed_files.append(chunk.error)
            log(chunk.error)
        elif chunk.done:
            stats.files_done += 1
        else:
            running.add(submit(chunk.path, chunk.offset))
    commit(store, joiner.finish(), joiner.marks(), stats)  # articles the input left open
    return stats


def _submitter(client: Any, options: IngestOptions) -> Callable[[str, int | None], Any]:
    def submit(path: str, after: int | None) -> Any:
        return client.submit(extract_chunk, path, after, options, pure=False)

    return submit
