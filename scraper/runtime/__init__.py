"""What every run shares: crawl, ``scraper ingest`` and ``scraper reextract``.

``lock`` (one run per archive, exit 75 otherwise), ``archive_writer`` (the one door to
the archive's writes: a thread with its own connection, group commits, typed methods),
``workerpool`` (extraction in capped worker processes: one bad page costs one page),
``assemble`` (the one record builder: a fetched or stored page and its extraction → the
archive's ``ArticleRecord``), ``progress`` (run statistics, the live table and the
summary), ``publishers`` (per-publisher counts that health judges across runs) and
``reextract`` (stored raw pages through today's extraction).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scraper.lazy import front_door

if TYPE_CHECKING:
    from scraper.runtime.archive_writer import ArchiveWriter, Landed, StoreArticle
    from scraper.runtime.assemble import article_record, extract_options_of, site_of
    from scraper.runtime.lock import RunLock
    from scraper.runtime.progress import Reporter, RunStats
    from scraper.runtime.reextract import reextract_archive
    from scraper.runtime.workerpool import EXTRACT_TARGET, ExtractionFailed, WorkerPool


# What other packages use, by the module that defines it. Loaded on first use, so importing
# one module of the package (a worker process, `scraper --help`) does not import them all.
_HOMES = {
    "ArchiveWriter": "archive_writer",
    "Landed": "archive_writer",
    "StoreArticle": "archive_writer",
    "article_record": "assemble",
    "extract_options_of": "assemble",
    "site_of": "assemble",
    "RunLock": "lock",
    "Reporter": "progress",
    "RunStats": "progress",
    "reextract_archive": "reextract",
    "EXTRACT_TARGET": "workerpool",
    "ExtractionFailed": "workerpool",
    "WorkerPool": "workerpool",
}
__all__ = [
    "ArchiveWriter",
    "EXTRACT_TARGET",
    "ExtractionFailed",
    "Landed",
    "Reporter",
    "RunLock",
    "RunStats",
    "StoreArticle",
    "WorkerPool",
    "article_record",
    "extract_options_of",
    "reextract_archive",
    "site_of",
]


__getattr__ = front_door(__name__, _HOMES)
