"""WARC out for a crawl: the fetcher's exchanges to an AsyncWarcWriter, off the event loop."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path

from scraper.fetch import Exchange
from scraper.settings import Settings
from scraper.warc import OPEN_SUFFIX, AsyncWarcWriter, WarcWriter

LOG = logging.getLogger("scraper.crawl")


class WarcRecorder:
    """The Fetcher's ``on_exchange`` hook: queue each exchange for the WARC writer thread.

    A write that fails (disk full) is logged once and WARC output stops; the crawl goes
    on, since the archive, not the WARC, is what the run is for.
    """

    def __init__(self, settings: Settings, *, run_id: int | None = None) -> None:
        assert settings.warc_dir is not None
        self.directory = settings.warc_dir
        self.writer = AsyncWarcWriter(
            WarcWriter(
                settings.warc_dir,
                max_bytes=settings.warc_max_bytes,
                info={
                    "operator-agent": settings.user_agent,
                    **({"run": str(run_id)} if run_id is not None else {}),
                },
            )
        )
        self.records = 0
        self.failed: str | None = None
        _report_leftovers(settings.warc_dir)

    def __call__(self, exchange: Exchange) -> None:
        if self.failed is None:
            self.writer.submit(exchange).add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        error = future.exception()
        if error is None:
            self.records += 1
        elif self.failed is None:
            self.failed = str(error)
            LOG.warning(f"WARC output stopped: {error}")

    async def close(self) -> list[Path]:
        """Write what is queued, close the current file; the files this run finished."""
        await self.writer.close()
        return list(self.writer.writer.closed_files)


def _report_leftovers(directory: Path) -> None:
    """Name the files a killed run left open: every record in them but the last is whole."""
    if not directory.is_dir():
        return
    left = sorted(p.name for p in directory.glob(f"*{OPEN_SUFFIX}"))
    if left:
        LOG.warning(
            f"{directory}: {len(left)} WARC file(s) left open by a killed run "
            f"(readable up to their last record; `scraper ingest` takes them by "
            f"name): {', '.join(left[:3])}{' …' if len(left) > 3 else ''}"
        )
