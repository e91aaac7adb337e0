"""One crawl run: stage objects joined by frozen records, writing through the archive writer.

``run`` sets a run up (lock, archive, writer, client, signals); ``pipeline`` joins the
stages: ``driver`` (robots.txt sitemaps, feeds, sitemaps, listings, per seed),
``admission`` (seen, known, gone, over the cap; queued or parked), ``hosts`` (per-host
queues in ``frontier``, their fetch workers and the fetch stage), ``processing`` (pages to
the extraction workers; a multi-page article's later pages fetched and joined); ``jobs``
holds the records they pass, ``warcout`` the optional WARC copy of every fetch,
``health`` judges each publisher against its own history, and ``doctor`` tries a seed
before it is trusted (``scraper check``).
"""
