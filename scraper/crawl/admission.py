"""Admission: which discovered URLs this run fetches, which it leaves, and where they wait."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum

from archive import Archive, Outcome, ParkedUrl
from scraper.crawl.jobs import Job, netloc
from scraper.crawl.ledger import Ledger
from scraper.crawl.progress import RunStats
from scraper.crawl.writer import ArchiveWriter
from scraper.settings import Settings

GONE = (404, 410)


class Verdict(Enum):
    """What admission decides for one candidate."""

    SEEN = "seen"  # met earlier in this run: nothing to do
    KNOWN = "known"  # already archived
    GONE = "gone"  # its last fetch said 404/410
    DEFERRED = "deferred"  # over --max-pages: left for a later run
    ADMITTED = "admitted"


class Admission:
    """Admits one discovery batch at a time into the host queues (or parks it).

    Seen means in this batch or recorded by this run (landed in the archive or still on its
    way through the writer): the run keeps no set of every URL it met.
    """

    def __init__(self, settings: Settings, *, archive: Archive, writer: ArchiveWriter,
                 ledger: Ledger, stats: RunStats, offer: Callable[[Job], bool]) -> None:
        self.settings = settings
        self.archive = archive  # the loop's connection: reads only
        self.writer = writer
        self.ledger = ledger
        self.stats = stats
        self.offer = offer  # puts a job in its host's queue; False: park it instead
        self.queued = 0

    def admit(self, jobs: Iterable[Job]) -> None:
        """Queue the new jobs of one batch; park, defer and queue writes go to the ledger."""
        batch: set[str] = set()
        queued: list[str] = []
        parked: list[ParkedUrl] = []
        deferred: list[str] = []
        for job in jobs:
            if job.url in batch:
                continue
            batch.add(job.url)
            verdict = self._verdict(job)
            if verdict is Verdict.DEFERRED:
                deferred.append(job.url)
            elif verdict is Verdict.ADMITTED:
                queued.append(job.url)
                if not self.offer(job):
                    parked.append(_parked(job))
        # No await since the jobs were offered, so no worker has fetched one yet: their
        # queued state lands before any outcome of theirs (the writer keeps the order).
        self.ledger.park(parked)
        self.ledger.defer(deferred, "max_pages")
        self.ledger.queue(queued)

    def _verdict(self, job: Job) -> Verdict:
        url = job.url
        state = self.archive.urls.state(url)
        if self.writer.in_flight(url) or (
                state is not None and state.run_id == self.writer.run_id
                and state.article_id is None):
            return Verdict.SEEN  # an earlier batch of this run queued or tried it
        self.stats.discovered += 1
        self.stats.publishers[job.seed.name].discovered += 1
        if self.archive.urls.article_for(url) is not None:
            self.stats.known += 1
            return Verdict.KNOWN
        if state is not None and state.outcome == Outcome.FAILED and state.status in GONE:
            self.stats.gone += 1
            return Verdict.GONE
        cap = self.settings.max_pages
        if cap is not None and self.queued >= cap:
            self.stats.defer("max_pages")
            return Verdict.DEFERRED
        self.queued += 1
        return Verdict.ADMITTED


def _parked(job: Job) -> ParkedUrl:
    c = job.candidate
    return ParkedUrl(netloc(c.url), c.url, job.seed.name, c.source.value, c.published)
