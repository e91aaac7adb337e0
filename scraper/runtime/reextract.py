"""``scraper reextract``: every stored raw page through today's extraction, no network.

Each article's pages (a multi-page article's later pages too, archive v9 on) go through the
crawl's worker pool and are joined as the crawl joins them; the record is built by the one
builder the crawl and ingest use (:func:`~scraper.runtime.assemble.article_record`), and the
archive decides whether anything changed (a new version, or fields filled in place).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from archive import Archive, ArchiveError, RawPage
from scraper.extract import joined_with_fingerprint
from scraper.runtime.assemble import StoredPage, article_record, extract_options_of
from scraper.runtime.workerpool import EXTRACT_TARGET, ExtractionFailed, WorkerPool
from scraper.seeds import Seed
from scraper.settings import Settings
from scraper.urls import host_of


@dataclass
class Tally:
    """What a re-extraction did, for its summary line."""

    total: int = 0  # articles re-extracted
    changed: int = 0
    failed: int = 0
    skipped: int = 0  # multi-page articles whose later pages the archive does not hold

    def summary_line(self) -> str:
        skipped = (
            f"; {self.skipped} multi-page article(s) archived before v9 skipped (only "
            "their first page is stored)"
            if self.skipped
            else ""
        )
        unchanged = self.total - self.changed - self.failed
        return (
            f"reextracted {self.total} article(s): {self.changed} changed, "
            f"{unchanged} unchanged, {self.failed} failed" + skipped
        )


async def reextract_archive(archive: Archive, seeds: dict[str, Seed], settings: Settings) -> Tally:
    """Re-extract every stored article of ``archive``; ``seeds`` by name give its options."""
    pool = WorkerPool(
        EXTRACT_TARGET,
        workers=settings.extract_workers,
        timeout=settings.extract_timeout,
        memory_mb=settings.extract_memory_mb,
    )
    tally = Tally()
    try:
        for raw in archive.articles.raw_pages():
            if len(raw.parts) != raw.pages - 1:  # archived before v9: page 1 alone
                tally.skipped += 1
                continue
            tally.total += 1
            changed = await _reextract_one(
                archive, pool, raw, seeds.get(raw.site or ""), settings.min_article_chars
            )
            tally.changed += changed is True
            tally.failed += changed is None
    finally:
        pool.close()
    return tally


async def _reextract_one(
    archive: Archive, pool: WorkerPool, raw: RawPage, seed: Seed | None, min_chars: int
) -> bool | None:
    """Re-extract one article, every page of it, joined as the crawl joins them; whether
    anything changed, None if it failed (its stored text is kept)."""
    options = extract_options_of(seed)
    pages = [StoredPage.of(raw), *(StoredPage.of(part) for part in raw.parts)]
    # every page's outcome awaited, so a second failure is not left unretrieved
    outcomes = await asyncio.gather(
        *(pool.run(p.body, p.url, p.content_type, **options) for p in pages), return_exceptions=True
    )
    done = [o for o in outcomes if not isinstance(o, BaseException)]
    if len(done) < len(outcomes):
        if any(isinstance(o, ExtractionFailed) for o in outcomes):
            return None
        raise next(o for o in outcomes if isinstance(o, BaseException))  # a fault of ours
    ext, fp = (
        done[0] if len(done) == 1 else joined_with_fingerprint([e for e, _ in done], done[0][1])
    )
    if len(ext.text.strip()) < min_chars:
        return None  # keep the stored text rather than replace it with nothing
    domain = seed.domain if seed is not None else host_of(raw.url)
    record = article_record(pages[0], ext, site=raw.site or domain, domain=domain, later=pages[1:])
    try:
        return archive.articles.reextract(raw.article_id, record, fingerprint=fp)
    except ArchiveError:
        return None
