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

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scraper.crawl.doctor import run_check as run_check
    from scraper.crawl.health import (
        MIN_HISTORY as MIN_HISTORY,
    )
    from scraper.crawl.health import (
        Health as Health,
    )
    from scraper.crawl.health import (
        health_table as health_table,
    )
    from scraper.crawl.health import (
        judge_all as judge_all,
    )
    from scraper.crawl.run import run_crawl as run_crawl

# What other packages use, by the module that defines it. Loaded on first use, so importing
# one module of the package (a worker process, `scraper --help`) does not import them all.
_HOMES = {
    "run_check": "doctor",
    "MIN_HISTORY": "health",
    "Health": "health",
    "health_table": "health",
    "judge_all": "health",
    "run_crawl": "run",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
