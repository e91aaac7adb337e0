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
