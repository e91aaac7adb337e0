"""The archive-facing commands: export, search, reextract."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

from archive import Archive, ArchiveError, ArticleRecord, export, parse_since, plain_query
from scraper import logs
from scraper.errors import ConfigError
from scraper.seeds import Seed, load_seeds
from scraper.settings import Settings

LOG = logging.getLogger("scraper.cli")


def _open_existing(db: Path) -> Archive:
    if not db.exists():
        raise ConfigError(f"--db: no archive at {db} (run `scraper crawl` first)")
    return Archive.open(db)


def export_cmd(db: Path, fmt: str, since: str | None, include_duplicates: bool,
               output: Path | None) -> int:
    """Stream articles to ``output`` (written whole or not at all) or standard output."""
    try:
        since_time = parse_since(since) if since else None
    except ValueError as exc:
        raise ConfigError(f"--since: {exc}") from None
    if fmt == "parquet" and output is None:
        raise ConfigError("--format parquet needs -o FILE")
    with _open_existing(db) as archive:
        if output is None:
            count = export(archive, sys.stdout, fmt=fmt, since=since_time,
                           include_duplicates=include_duplicates)
        else:
            count = _export_atomically(archive, output, fmt, since_time, include_duplicates)
    LOG.info(f"exported {count} article(s)")
    return 0


def _export_atomically(archive: Archive, output: Path, fmt: str, since: object,
                       include_duplicates: bool) -> int:
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        count = export(archive, tmp, fmt=fmt, since=since,  # type: ignore[arg-type]
                       include_duplicates=include_duplicates)
        tmp.replace(output)  # a reader never sees a half-written export
    finally:
        tmp.unlink(missing_ok=True)
    return count


def search_cmd(db: Path, query: str, limit: int, as_json: bool) -> int:
    """Print the best hits, one per article."""
    with _open_existing(db) as archive:
        try:
            hits = archive.articles.search(query, limit=limit)
        except ArchiveError:
            # Not valid FTS5 syntax (a stray quote, a hyphen): search the words instead.
            words = plain_query(query)
            if not words:
                raise ConfigError(f"nothing to search for in {query!r}") from None
            hits = archive.articles.search(words, limit=limit)
    for hit in hits:
        if as_json:
            print(json.dumps({"id": hit.article_id, "url": hit.url, "title": hit.title,
                              "site": hit.site, "published": hit.published,
                              "snippet": hit.snippet}, ensure_ascii=False))
        else:
            print(f"{hit.title or '(no title)'}\n  {hit.url}\n  {hit.snippet}\n")
    if not as_json:
        LOG.info(f"{len(hits)} hit(s)")
    return 0


def reextract_cmd(settings: Settings) -> int:
    """Re-run extraction over every stored raw page; update what changed; no network.

    ``settings`` (``SCRAPER_*`` as for a crawl) give the workers, their limits and the
    shortest article kept.
    """
    seeds = _seeds_by_name(settings.seeds_path)
    with _open_existing(settings.db_path) as archive:
        changed, total, failed = asyncio.run(_reextract(archive, seeds, settings))
    logging.getLogger(logs.SUMMARY).info(
        f"reextracted {total} page(s): {changed} changed, {total - changed - failed} "
        f"unchanged, {failed} failed")
    return 3 if failed else 0


def _seeds_by_name(path: Path | None) -> dict[str, Seed]:
    if path is None or not path.exists():
        return {}
    return {s.name: s for s in load_seeds(path)}


async def _reextract(archive: Archive, seeds: dict[str, Seed],
                     settings: Settings) -> tuple[int, int, int]:
    from scraper.crawl.pipeline import EXTRACT_TARGET
    from scraper.crawl.workers import ExtractionFailed, WorkerPool
    from scraper.extract.extractor import EXTRACTOR_VERSION
    from scraper.warc.articles import extraction_fields

    pool = WorkerPool(EXTRACT_TARGET, workers=settings.extract_workers,
                      timeout=settings.extract_timeout, memory_mb=settings.extract_memory_mb)
    changed = total = failed = 0
    try:
        for raw in archive.articles.raw_pages():
            total += 1
            if raw.pages > 1:
                continue  # only its first page is stored: its joined text stays as it is
            seed = seeds.get(raw.site or "")
            try:
                ext, fp = await pool.run(raw.html, raw.url, raw.content_type,
                                         drop_selectors=seed.drop_selectors if seed else (),
                                         body_selectors=seed.body_selectors if seed else ())
            except ExtractionFailed:
                failed += 1
                continue
            record = ArticleRecord(
                url=raw.url, urls=(raw.url,), text=ext.text, fetched_at=raw.fetched_at,
                title=ext.title, authors=ext.authors, site=raw.site,
                description=ext.description, extractor_version=EXTRACTOR_VERSION,
                **extraction_fields(ext))
            if len(ext.text.strip()) < settings.min_article_chars:
                failed += 1  # keep the stored text rather than replace it with nothing
                continue
            try:
                changed += archive.articles.reextract(raw.article_id, record, fingerprint=fp)
            except ArchiveError:
                failed += 1
    finally:
        pool.close()
    return changed, total, failed
