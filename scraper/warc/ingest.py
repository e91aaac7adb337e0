"""WARC pages → the crawl's extraction → ArticleRecords → one Store, resumably.

The same steps as a crawled page takes: ``extract_for_archive`` (run in the crawl's
:class:`~scraper.runtime.workerpool.WorkerPool`), the ``min_article_chars`` check, then
:func:`~scraper.runtime.assemble.article_record`. Storing, dedup included, is the Store's:
one writer, so dedup is exact whichever engine extracted.

Files are read in order, pages in batches; after each batch is stored the Store records
(file, offset of the batch's last record), and at the end of a file that it is finished.
A killed ingest therefore repeats at most one batch, which dedup turns into ``unchanged``
results, and skips finished files; a second ingest of the same files adds nothing.

The pages of a multi-page article are held until the article is whole and stored joined
(:mod:`scraper.warc.multipage`); a file's recorded progress never passes a held page, and
the file is finished only once none of its pages is held.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archive import Fingerprint
from scraper.models import Extraction
from scraper.runtime import ExtractionFailed, WorkerPool, site_of
from scraper.seeds import Seed
from scraper.urls import canonicalize
from scraper.warc.multipage import HeldPage, PageJoiner, hold, to_item
from scraper.warc.pages import (
    IngestOptions,
    IngestStats,
    Item,
    Progress,
    Store,
    Target,
    WarcError,
    WarcPage,
)
from scraper.warc.reader import iter_pages, warc_files


def target_of(page: WarcPage, options: IngestOptions, stats: IngestStats) -> Target | None:
    """The page's site, or None (counted) when ``only_seeds`` and no seed owns it."""
    site, domain, seed = site_of(page.url, options.seeds)
    if seed is None and options.only_seeds:
        stats.outside_seeds += 1
        return None
    if seed is not None and not _is_article(page.url, seed):
        stats.not_articles += 1  # the crawl would not have stored it either
        return None
    return Target(site, domain, seed)


def _is_article(url: str, seed: Seed) -> bool:
    """The crawl's rule: an article URL by the seed's patterns, not one of its documents."""
    key = canonicalize(url) or url
    documents = (*seed.feeds, *seed.sitemaps, *seed.start_urls)
    return seed.is_article_url(url) and all((canonicalize(doc) or doc) != key for doc in documents)


@dataclass
class Extracted:
    """A batch's pages once extracted: articles to store now, pages held for joining."""

    items: list[Item] = field(default_factory=list)
    held: list[HeldPage] = field(default_factory=list)

    def take(
        self,
        page: WarcPage,
        target: Target,
        result: tuple[Extraction, Fingerprint],
        resume_at: int | None,
        options: IngestOptions,
        stats: IngestStats,
    ) -> None:
        """Sort one extracted page; ``resume_at``: the record read before it (or None)."""
        ext, fp = result
        if (held := hold(page, target, ext, fp, resume_at)) is not None:
            self.held.append(held)
        elif (item := to_item(page, target, ext, fp, options, stats)) is not None:
            self.items.append(item)


def pending_files(
    paths: Iterable[Path], store: Store, stats: IngestStats
) -> Iterator[tuple[Path, int | None]]:
    """(file, offset already done) for every file an earlier ingest has not finished."""
    for path in warc_files(paths):
        done = store.progress(str(path.resolve()))
        if done is not None and done.finished:
            stats.files_skipped += 1
            continue
        yield path, done.offset if done is not None else None


def batches(
    path: Path, after: int | None, options: IngestOptions, stats: IngestStats
) -> Iterator[list[WarcPage]]:
    """The file's HTML pages in lists of ``batch_size``; WarcError as the reader raises."""
    batch: list[WarcPage] = []
    try:
        for page in iter_pages(path, after=after, stats=stats.read, max_bytes=options.max_bytes):
            batch.append(page)
            if len(batch) >= options.batch_size:
                yield batch
                batch = []
    except (WarcError, OSError, ValueError):
        if batch:  # the pages read before a damaged record are still stored
            yield batch
        raise
    if batch:
        yield batch


def commit(
    store: Store, items: Sequence[Item], marks: Sequence[Progress], stats: IngestStats
) -> None:
    """Store a batch, then record the progress it makes (never the other way round)."""
    for result in store.store(items) if items else []:
        stats.stored[result.outcome.value] += 1
    for mark in marks:
        store.save_progress(mark)


async def ingest(
    paths: Iterable[Path],
    store: Store,
    pool: WorkerPool,
    options: IngestOptions,
    *,
    log: Callable[[str], None] = lambda line: None,
    on_batch: Callable[[IngestStats], None] = lambda stats: None,
) -> IngestStats:
    """Ingest every page of ``paths`` with the local process pool (the crawl's engine)."""
    stats = IngestStats()
    joiner = PageJoiner(options, stats)
    pending = await asyncio.to_thread(lambda: list(pending_files(paths, store, stats)))
    for path, after in pending:
        try:
            for batch in batches(path, after, options, stats):
                done = await _extract_all(batch, after, pool, options, stats)
                after = batch[-1].offset
                items = done.items + joiner.add(done.held)
                joiner.read(path, after)
                await asyncio.to_thread(commit, store, items, joiner.marks(), stats)
                on_batch(stats)
        except (WarcError, OSError, ValueError) as exc:
            _file_failed(path, exc, stats, log)
            continue
        joiner.read(path, None, ended=True)
        await asyncio.to_thread(commit, store, (), joiner.marks(), stats)
        stats.files_done += 1
    items = joiner.finish()  # articles whose pages the input did not all hold
    await asyncio.to_thread(commit, store, items, joiner.marks(), stats)
    return stats


async def _extract_all(
    batch: list[WarcPage],
    after: int | None,
    pool: WorkerPool,
    options: IngestOptions,
    stats: IngestStats,
) -> Extracted:
    before = dict(
        zip((p.offset for p in batch), (after, *(p.offset for p in batch)), strict=False)
    )  # each page's resume_at: the page read before it
    wanted = [
        (page, target) for page in batch if (target := target_of(page, options, stats)) is not None
    ]
    results = await asyncio.gather(*(_extract(page, target, pool) for page, target in wanted))
    done = Extracted()
    for (page, target), result in zip(wanted, results, strict=True):
        if isinstance(result, ExtractionFailed):
            stats.failed[result.reason] += 1
        else:
            done.take(page, target, result, before[page.offset], options, stats)
    return done


async def _extract(
    page: WarcPage, target: Target, pool: WorkerPool
) -> tuple[Extraction, Fingerprint] | ExtractionFailed:
    try:
        result: tuple[Extraction, Fingerprint] = await pool.run(
            page.body, page.url, page.content_type, **target.selectors
        )
        return result
    except ExtractionFailed as exc:  # one page's failure is an outcome, counted
        return exc


def _file_failed(
    path: Path, exc: Exception, stats: IngestStats, log: Callable[[str], None]
) -> None:
    line = failure_line(path, exc)
    stats.read.failed_files.append(line)
    log(line)


def failure_line(path: Path, exc: Exception) -> str:
    """One line for a file that could not be read: ``path: reason``."""
    return str(exc) if isinstance(exc, WarcError) else f"{path}: {exc}"
