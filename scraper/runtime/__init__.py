"""What every run shares: crawl, ``scraper ingest`` and ``scraper reextract``.

``lock`` (one run per archive, exit 75 otherwise), ``archive_writer`` (the one door to
the archive's writes: a thread with its own connection, group commits, typed methods),
``workerpool`` (extraction in capped worker processes: one bad page costs one page),
``assemble`` (the one record builder: a fetched or stored page and its extraction → the
archive's ``ArticleRecord``), ``progress`` (run statistics, the live table and the
summary), ``publishers`` (per-publisher counts that health judges across runs) and
``reextract`` (stored raw pages through today's extraction).
"""
