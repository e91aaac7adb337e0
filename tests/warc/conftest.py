"""Fixtures of the WARC tests: the crawl's extraction worker pool."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scraper.runtime.workerpool import WorkerPool

EXTRACT = "scraper.extract.extractor:extract_for_archive"


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    """Two extraction worker processes, as the local ingest engine runs them."""
    workers = WorkerPool(EXTRACT, workers=2, timeout=60, memory_mb=0)
    yield workers
    workers.close()
