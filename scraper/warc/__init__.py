"""WARC in and out: write what the crawl fetches, read WARC/CC-NEWS, ingest it (local or Dask).

records.py      the frozen records crossing the seams (Exchange in, WarcPage out)
writer.py       Exchange → WARC/1.1 files (warcio), rotated, crash-safe per record
reader.py       .warc/.warc.gz files or folders → HTML WarcPages (FastWARC), resumable
articles.py     a fetched page + its extraction → ArticleRecord (crawl and ingest alike)
ingest.py       WarcPages → the crawl's extraction → ArticleRecord → a Store
dask_engine.py  the same extraction on a Dask cluster; storing stays in the client
run.py          ``scraper ingest``: lock, run record, the crawl's ArchiveWriter as Store
export.py       ``scraper export --format warc``: stored raw pages → response records
"""
