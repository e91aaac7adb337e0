"""One crawl run: stage objects joined by frozen records, writing through the archive writer.

``run`` sets a run up (lock, archive, writer, client, signals); ``pipeline`` joins the
stages: ``driver`` (robots.txt sitemaps, feeds, sitemaps, listings, per seed),
``admission`` (seen, known, gone, over the cap; queued or parked), ``hosts`` (per-host
queues in ``frontier``, their fetch workers and the fetch stage), ``processing`` (pages to
the extraction workers; a multi-page article's later pages fetched and joined); ``jobs``
holds the records they pass, ``warcout`` the optional WARC copy of every fetch,
``health`` judges each publisher against its own history (``health_page``: the same as
one dashboard page), and ``doctor`` tries a seed before it is trusted (``scraper check``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scraper.lazy import front_door

if TYPE_CHECKING:
    from scraper.crawl.doctor import run_check
    from scraper.crawl.health import MIN_HISTORY, Health, attention, health_table, judge_all
    from scraper.crawl.health_page import render_health_page, write_health_page
    from scraper.crawl.run import build_fetcher, run_crawl


# What other packages use, by the module that defines it. Loaded on first use, so importing
# one module of the package (a worker process, `scraper --help`) does not import them all.
_HOMES = {
    "run_check": "doctor",
    "MIN_HISTORY": "health",
    "Health": "health",
    "attention": "health",
    "health_table": "health",
    "judge_all": "health",
    "render_health_page": "health_page",
    "write_health_page": "health_page",
    "build_fetcher": "run",
    "run_crawl": "run",
}
__all__ = [
    "Health",
    "MIN_HISTORY",
    "attention",
    "build_fetcher",
    "health_table",
    "judge_all",
    "render_health_page",
    "run_check",
    "run_crawl",
    "write_health_page",
]


__getattr__ = front_door(__name__, _HOMES)
