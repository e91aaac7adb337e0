"""One crawl run: admission, host frontiers and workers, extraction pool, archive writer.

``run`` sets a run up (lock, archive, client, signals); ``pipeline`` joins the stages;
``frontier`` (per-host queues), ``workers`` (extraction processes), ``writer`` (group
commits to the archive), ``progress`` (live table and summary), ``lock`` (one run at a time).
"""
