"""WARC in and out: write what the crawl fetches, read WARC/CC-NEWS, ingest it (local or Dask).

pages.py        the frozen records of an ingest (WarcPage, Progress, options, stats)
writer.py       Exchange → WARC/1.1 files (warcio), rotated, crash-safe per record
reader.py       .warc/.warc.gz files or folders → HTML WarcPages (FastWARC), resumable
ingest.py       WarcPages → the crawl's extraction → ArticleRecord → a Store
multipage.py    a multi-page article's pages held until it is whole, then joined
dask_engine.py  the same extraction on a Dask cluster; storing stays in the client
loader.py       ``scraper ingest``: lock, run record, the archive writer as Store
warc_export.py  ``scraper export --format warc``: stored raw pages → response records
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scraper.lazy import front_door

if TYPE_CHECKING:
    from scraper.warc.loader import IngestRequest, run_ingest
    from scraper.warc.pages import ENGINES, WARC_SUFFIXES, WarcError
    from scraper.warc.warc_export import SINGLE_FILE_SUFFIX, export_warc, export_warc_file
    from scraper.warc.writer import OPEN_SUFFIX, AsyncWarcWriter, WarcWriter


# What other packages use, by the module that defines it. Loaded on first use, so importing
# one module of the package (a worker process, `scraper --help`) does not import them all.
_HOMES = {
    "IngestRequest": "loader",
    "run_ingest": "loader",
    "ENGINES": "pages",
    "WARC_SUFFIXES": "pages",
    "WarcError": "pages",
    "SINGLE_FILE_SUFFIX": "warc_export",
    "export_warc": "warc_export",
    "export_warc_file": "warc_export",
    "OPEN_SUFFIX": "writer",
    "AsyncWarcWriter": "writer",
    "WarcWriter": "writer",
}
__all__ = [
    "AsyncWarcWriter",
    "ENGINES",
    "IngestRequest",
    "OPEN_SUFFIX",
    "SINGLE_FILE_SUFFIX",
    "WARC_SUFFIXES",
    "WarcError",
    "WarcWriter",
    "export_warc",
    "export_warc_file",
    "run_ingest",
]


__getattr__ = front_door(__name__, _HOMES)
