"""``scraper extract FILE``: one saved page through the crawl's capped extraction worker.

The crawl extracts every page in a worker process with a wall-clock limit and an
address-space limit (``extract_timeout``, ``extract_memory_mb``): a page of 100,000
nested ``div``s costs the crawl 30 s, while parsed in the CLI's own process it ran for
more than ten minutes. The command uses the same :class:`~scraper.runtime.workerpool.WorkerPool`
with the same settings (``SCRAPER_EXTRACT_TIMEOUT``, ``SCRAPER_EXTRACT_MEMORY_MB``), so it
ends with the crawl's one-line failure (``extract_timeout``, ``extract_memory``,
``extract_error``) and exit code 1.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from scraper.models import Extraction
from scraper.runtime import ExtractionFailed, WorkerPool
from scraper.settings import Settings

TARGET = "scraper.extract.extractor:extract_page"
EXIT_FAILED = 1


def extract_file_capped(path: Path, url: str | None, settings: Settings) -> int:
    """Print ``path``'s extraction as JSON (exit 0), or one failure line (exit 1)."""
    from scraper.extract import extract_file_cli

    pools: list[WorkerPool] = []  # started once the file is read

    def capped(body: bytes, page_url: str) -> Extraction:
        pools.append(
            WorkerPool(
                TARGET,
                workers=1,
                timeout=settings.extract_timeout,
                memory_mb=settings.extract_memory_mb,
            )
        )
        result: Extraction = asyncio.run(pools[0].run(body, page_url))
        return result

    try:
        return extract_file_cli(path, url, capped)
    except ExtractionFailed as exc:
        logging.getLogger("scraper.cli").error(
            f"scraper extract: {path}: failed ({exc.reason}): {exc}"
        )
        return EXIT_FAILED
    finally:
        for pool in pools:
            pool.close()
