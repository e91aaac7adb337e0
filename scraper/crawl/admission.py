"""Admission: which discovered URLs this run fetches, which it leaves, and where they wait."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import timedelta
from enum import Enum

from archive import Archive, Outcome, ParkedUrl, UrlState
from scraper.crawl.jobs import Job
from scraper.extract import marked_page, page_of
from scraper.runtime import ArchiveWriter, RunStats
from scraper.settings import Settings
from scraper.urls import host_key

GONE = (404, 410)


class Admit(Enum):
    """What admission decides for one candidate."""

    SEEN = "seen"  # met earlier in this run: nothing to do
    KNOWN = "known"  # already archived
    GONE = "gone"  # its last fetch said 404/410
    DEFERRED = "deferred"  # over --max-pages: left for a later run
    ADMITTED = "admitted"
    REVISIT = "revisit"  # an archived live blog still running: fetched again, conditionally


class Admission:
    """Admits one discovery batch at a time into the host queues (or parks it).

    Seen means in this batch or recorded by this run (landed in the archive or still on its
    way through the writer): the run keeps no set of every URL it met.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        archive: Archive,
        writer: ArchiveWriter,
        stats: RunStats,
        offer: Callable[[Job], bool],
    ) -> None:
        self.settings = settings
        self.archive = archive  # the loop's connection: reads only
        self.writer = writer
        self.stats = stats
        self.offer = offer  # puts a job in its host's queue; False: park it instead
        self.queued = 0

    def admit(self, jobs: Iterable[Job]) -> None:
        """Queue the new jobs of one batch; park, defer and queue writes go to the writer.

        A later page of a multi-page article whose first page is in the same batch is left
        out: the first page's job fetches it, and fetching it as a job of its own too would
        walk the article's pages a second time.
        """
        jobs = list(jobs)
        firsts = _first_pages(jobs)
        batch: set[str] = set()
        queued: list[str] = []
        parked: list[ParkedUrl] = []
        deferred: list[str] = []
        for job in jobs:
            if job.url in batch or _later_page_of(job, firsts):
                continue
            batch.add(job.url)
            state = self.archive.urls.state(job.url)
            verdict = self._verdict(job, state)
            if verdict is Admit.DEFERRED:
                deferred.append(job.url)
            elif verdict in (Admit.ADMITTED, Admit.REVISIT):
                if verdict is Admit.REVISIT and state is not None:  # ask conditionally
                    job = replace(job, etag=state.etag, last_modified=state.last_modified)
                queued.append(job.url)
                if not self.offer(job):
                    parked.append(_parked(job))
        # No await since the jobs were offered, so no worker has fetched one yet: their
        # queued state lands before any outcome of theirs (the writer keeps the order).
        self.writer.park(parked)
        self.writer.defer(deferred, "max_pages")
        self.writer.queue(queued)

    def _verdict(self, job: Job, state: UrlState | None) -> Admit:
        url = job.url
        if self.writer.in_flight(url) or (
            state is not None and state.run_id == self.writer.run_id and state.article_id is None
        ):
            return Admit.SEEN  # an earlier batch of this run queued or tried it
        self.stats.discovered += 1
        self.stats.publishers[job.seed.name].discovered += 1
        article_id = self.archive.urls.article_for(url)
        if article_id is not None and not self._live_and_due(article_id, state):
            self.stats.known += 1
            return Admit.KNOWN
        if state is not None and state.outcome == Outcome.FAILED and state.status in GONE:
            self.stats.gone += 1
            return Admit.GONE
        cap = self.settings.max_pages
        if cap is not None and self.queued >= cap:
            self.stats.defer("max_pages")
            return Admit.DEFERRED
        self.queued += 1
        if article_id is not None:
            self.stats.revisited += 1
            return Admit.REVISIT
        return Admit.ADMITTED

    def _live_and_due(self, article_id: int, state: UrlState | None) -> bool:
        """Whether an archived article is a live blog still running, last fetched long
        enough ago to be asked again (never twice in one run)."""
        if state is not None and state.run_id == self.writer.run_id:
            return False
        live = self.archive.articles.live_blog(article_id)
        if live is None:
            return False
        fetched, newest = live
        if state is not None and state.fetched_at is not None:
            fetched = max(fetched, state.fetched_at)
        now = self.writer.now()
        return now - fetched >= timedelta(
            hours=self.settings.liveblog_revisit_hours
        ) and now - newest <= timedelta(days=self.settings.liveblog_active_days)


def _parked(job: Job) -> ParkedUrl:
    c = job.candidate
    return ParkedUrl(host_key(c.url), c.url, job.seed.name, c.source.value, c.published)


def _first_pages(jobs: list[Job]) -> set[str]:
    """The article keys the batch's URLs have as a first page (or a one-page article)."""
    return {at.base for job in jobs if (at := page_of(job.url, job.seed.pagination)).number == 1}


def _later_page_of(job: Job, firsts: set[str]) -> bool:
    """Whether ``job`` is a later page, by an unambiguous marker, of a first page in the
    batch (a number in a path or file name alone may be a slug: never judged here)."""
    at = marked_page(job.url, job.seed.pagination)
    return at is not None and at.number > 1 and at.base in firsts
