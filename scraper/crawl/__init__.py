"""One crawl run: stage objects joined by frozen records, and one archive writer.

``run`` sets a run up (lock, archive, writer, client, signals); ``pipeline`` joins the
stages: ``discovering`` (robots.txt sitemaps, feeds, sitemaps, listings), ``admission``
(seen, known, gone, over the cap; queued or parked), ``hosts`` (per-host queues in
``frontier`` and their fetch workers, through ``fetching``), ``extracting`` (the
``workers`` processes; ``paging`` joins a multi-page article's pages), ``writer`` (every
archive write, group commits on a thread) fed by ``ledger``; ``jobs`` holds the records
they pass, ``progress`` the live table and summary, ``lock`` one run at a time,
``warcout`` the optional WARC copy of every fetch, ``publishers`` the per-publisher counts
that ``health`` judges across runs, and ``doctor`` tries a seed before it is trusted
(``scraper check``).
"""
