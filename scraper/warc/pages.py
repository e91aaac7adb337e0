"""The frozen records of a WARC ingest: pages read, how far a file got, and the one error type."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from archive import ArticleRecord, Fingerprint, StoreResult
from scraper.errors import ScraperError
from scraper.runtime import extract_options_of
from scraper.seeds import Seed

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # as Settings.max_body_bytes: the crawl's own cap
WARC_SUFFIXES = (".warc", ".warc.gz")  # the files an ingest reads, an export names WARC
ENGINES = ("local", "dask")  # scraper ingest --engine: worker processes, or a Dask cluster


class WarcError(ScraperError):
    """A WARC file cannot be written or read; the message is one line naming the file."""


@dataclass(frozen=True)
class WarcPage:
    """One HTML response read from a WARC file, its body decoded, with where it was found."""

    url: str  # WARC-Target-URI
    fetched_at: datetime  # WARC-Date, timezone-aware
    status: int
    headers: dict[str, str]  # HTTP response headers, lower-cased names (last one wins)
    body: bytes  # decoded of chunking and Content-Encoding
    path: Path  # the WARC file
    offset: int  # the record's first byte in the file: an ingest resumes past it

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    # A WARC response is one capture: no redirects to follow, requested = final URL.
    @property
    def requested_url(self) -> str:
        return self.url

    @property
    def final_url(self) -> str:
        return self.url

    @property
    def redirects(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class Progress:
    """How far an ingest got in one file: past the record at ``offset``, or ``finished``."""

    file: str  # the resolved path
    offset: int | None = None
    finished: bool = False


@dataclass
class ReadStats:
    """What reading found: pages yielded, responses skipped by reason, files that failed."""

    pages: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failed_files: list[str] = field(default_factory=list)  # one line each


Item = tuple[ArticleRecord, Fingerprint]


class Store(Protocol):
    """Where ingested articles go: the archive writer (one, so dedup stays exact).

    Its methods may block (the archive writer's thread answers them): :func:`ingest`
    calls them on a worker thread, never on the event loop.
    """

    def store(self, items: Sequence[Item]) -> list[StoreResult]:
        """Store a batch (dedup included); one result per item, in order."""
        ...

    def progress(self, file: str) -> Progress | None:
        """What an earlier ingest recorded for ``file`` (a resolved path), if anything."""
        ...

    def save_progress(self, progress: Progress) -> None:
        """Record how far this ingest got in one file (after its batch was stored)."""
        ...


@dataclass(frozen=True)
class IngestOptions:
    """What an ingest needs besides its files and store; Settings-derived defaults."""

    seeds: tuple[Seed, ...] = ()
    only_seeds: bool = False  # skip pages no seed's domain owns
    min_article_chars: int = 200  # Settings.min_article_chars
    max_bytes: int = DEFAULT_MAX_BYTES  # Settings.max_body_bytes: decoded body cap
    batch_size: int = 32  # pages per stored batch (and per progress record)
    open_articles: int = 256  # multi-page articles held open at most (scraper.warc.multipage)


@dataclass
class IngestStats:
    """Counts of one ingest, for the summary line and the exit code."""

    read: ReadStats = field(default_factory=ReadStats)
    stored: Counter[str] = field(default_factory=Counter)  # by StoreOutcome value
    no_article: int = 0
    outside_seeds: int = 0
    not_articles: int = 0  # a seed's discovery documents, or outside its include/exclude
    failed: Counter[str] = field(default_factory=Counter)  # extraction failures by reason
    files_done: int = 0
    files_skipped: int = 0  # finished by an earlier ingest
    joined: int = 0  # articles joined from more than one page
    pages_unjoined: int = 0  # pages of a multi-page article whose first page was not had
    pages_late: int = 0  # pages of a multi-page article that came after it was stored

    @property
    def pages(self) -> int:
        return self.read.pages

    def add(self, other: IngestStats) -> None:
        """Add the counts of a part done elsewhere (a Dask worker's chunk)."""
        self.read.pages += other.read.pages
        self.read.skipped.update(other.read.skipped)
        self.read.failed_files.extend(other.read.failed_files)
        self.stored.update(other.stored)
        self.failed.update(other.failed)
        self.no_article += other.no_article
        self.outside_seeds += other.outside_seeds
        self.not_articles += other.not_articles


@dataclass(frozen=True)
class Target:
    """Who a page belongs to: the site name and domain, and the seed when there is one."""

    site: str
    domain: str
    seed: Seed | None

    @property
    def selectors(self) -> dict[str, tuple[str, ...]]:
        """The seed's extraction options (selectors, page patterns), as the crawl's."""
        return extract_options_of(self.seed)
