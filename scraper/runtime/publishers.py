"""Per-publisher counters of one run, kept by the stages and stored once at its end.

Each event costs a dict lookup and an addition; the text lengths of new articles are the
only list kept (one int per article), for their median.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from archive import ArticleRecord, PublisherRun, StoreOutcome

FAILED_DOCUMENTS_KEPT = 10  # URLs of failed discovery documents stored per run


@dataclass
class Tally:
    """Counters of one publisher in one run."""

    discovered: int = 0
    fetched: int = 0
    stored: Counter[str] = field(default_factory=Counter)
    no_article: int = 0
    gone: int = 0  # article pages that answered 404/410
    failures: Counter[str] = field(default_factory=Counter)
    new_chars: list[int] = field(default_factory=list)
    new_undated: int = 0
    new_anonymous: int = 0
    documents: int = 0
    failed_documents: list[str] = field(default_factory=list)
    not_modified: int = 0
    bytes: int = 0
    last: float | None = None  # monotonic time of the last fetch

    def row(self, name: str, run_id: int, started_at: datetime, t0: float) -> PublisherRun:
        """This tally as the archive's row."""
        new = self.stored["new"]
        return PublisherRun(
            publisher=name,
            run_id=run_id,
            started_at=started_at.isoformat(),
            discovered=self.discovered,
            fetched=self.fetched,
            new=new,
            updated=self.stored["updated"],
            unchanged=self.stored["unchanged"],
            duplicate=self.stored["duplicate"],
            no_article=self.no_article,
            failed=sum(self.failures.values()),
            failures=dict(self.failures),
            median_chars=int(statistics.median(self.new_chars)) if self.new_chars else None,
            missing_date=round(self.new_undated / new, 3) if new else None,
            missing_author=round(self.new_anonymous / new, 3) if new else None,
            documents=self.documents,
            documents_failed=len(self.failed_documents),
            failed_documents=tuple(self.failed_documents[:FAILED_DOCUMENTS_KEPT]),
            not_modified=self.not_modified,
            bytes=self.bytes,
            duration=round(self.last - t0, 3) if self.last is not None else 0.0,
            gone=self.gone,
        )


class Publishers:
    """The run's tallies by publisher (seed name); a name not met before gets a new one."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = {}

    def __getitem__(self, name: str) -> Tally:
        tally = self.tallies.get(name)
        if tally is None:
            tally = self.tallies[name] = Tally()
        return tally

    def fetched(self, name: str, size: int) -> None:
        """One document or page received (not a 304)."""
        tally = self[name]
        tally.fetched += 1
        tally.bytes += size
        tally.last = time.monotonic()

    def document_failed(self, name: str, url: str) -> None:
        """A discovery document (robots.txt, feed, sitemap, listing) failed or did not parse."""
        self[name].failed_documents.append(url)

    def stored(self, record: ArticleRecord, outcome: StoreOutcome) -> None:
        """An article landed in the archive."""
        tally = self[record.site or ""]
        tally.stored[outcome.value] += 1
        if outcome is StoreOutcome.NEW:
            tally.new_chars.append(len(record.text))
            tally.new_undated += record.published is None
            tally.new_anonymous += not record.authors

    def rows(
        self, names: Iterable[str], run_id: int, started_at: datetime, t0: float
    ) -> list[PublisherRun]:
        """A row for each of ``names`` (every seed of the run, even one that did nothing)."""
        return [self[name].row(name, run_id, started_at, t0) for name in names]
