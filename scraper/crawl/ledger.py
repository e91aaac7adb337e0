"""Run bookkeeping: what the crawl learns of each URL, handed to the archive writer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from archive import ArticleRecord, Fingerprint, Outcome, ParkedUrl
from scraper.crawl.writer import ArchiveWriter, ParkedUrls, QueuedUrls, StoreArticle, UrlOutcome


class Ledger:
    """Turns the stages' findings into writes; stamps them with the injected clock."""

    def __init__(self, writer: ArchiveWriter, now: Callable[[], datetime]) -> None:
        self.writer = writer
        self.now = now

    def record(
        self,
        url: str,
        outcome: Outcome,
        *,
        status: int | None = None,
        reason: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Note one fetch of ``url`` and its outcome."""
        self.writer.submit(
            UrlOutcome(
                (url,),
                outcome,
                self.now(),
                status=status,
                reason=reason,
                etag=etag,
                last_modified=last_modified,
            )
        )

    def defer(self, urls: Sequence[str], reason: str) -> None:
        """Leave ``urls`` for a later run (all at once: a cap defers thousands)."""
        if urls:
            self.writer.submit(UrlOutcome(tuple(urls), Outcome.DEFERRED, self.now(), reason=reason))

    def queue(self, urls: Sequence[str]) -> None:
        """Note article URLs admitted for fetching (before any of them is fetched)."""
        if urls:
            self.writer.submit(QueuedUrls(tuple(urls), self.now()))

    def park(self, parked: Sequence[ParkedUrl]) -> None:
        """Keep queued URLs in the archive's frontier rather than in memory."""
        if parked:
            self.writer.submit(ParkedUrls(tuple(parked)))

    def store(self, record: ArticleRecord, fingerprint: Fingerprint, host: str) -> None:
        """Store an extracted article (in the writer's next group commit)."""
        self.writer.submit(StoreArticle(record, fingerprint, host))
