"""One crawl run: stage objects joined by frozen records, and one archive writer.

``run`` sets a run up (lock, archive, client, signals); ``pipeline`` joins the stages:
``discovering`` (seeds' documents → candidates), ``admission`` (seen, archived, gone, over
the cap → host frontiers in ``frontier``), ``hosts`` and ``fetching`` (per-host workers,
one fetch each), ``extracting`` (the extraction ``workers``), ``ledger`` (outcomes as
writes) and ``writer`` (the one archive writer thread, group commits); ``jobs`` holds the
records they pass, ``progress`` the live table and summary, ``lock`` one run at a time.
"""
