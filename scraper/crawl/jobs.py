"""What the crawl's stages hand each other: frozen records, never dicts or free strings."""

from __future__ import annotations

from dataclasses import dataclass

from archive import Outcome
from scraper.models import Candidate, Page
from scraper.seeds import Seed


@dataclass(frozen=True)
class Job:
    """One article URL admitted for fetching, with the publisher it belongs to."""

    candidate: Candidate
    seed: Seed
    # the validators of an archived page's last fetch, when it is fetched again for changes
    # (a live blog): the request is then conditional
    etag: str | None = None
    last_modified: str | None = None

    @property
    def url(self) -> str:
        """The URL as discovered."""
        return self.candidate.url


@dataclass(frozen=True)
class FetchedPage:
    """An article page fetched for a job, on its way to extraction."""

    job: Job
    page: Page


@dataclass(frozen=True)
class FetchedDocument:
    """A discovery document (feed, sitemap, listing) fetched and handed to its parser.

    Its outcome and validators are recorded only once the candidates it listed are
    queued: a run killed in between would otherwise get 304s next time and never see
    those articles again.
    """

    url: str
    outcome: Outcome
    status: int
    etag: str | None
    last_modified: str | None
