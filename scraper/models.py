"""Frozen records handed between pipeline stages, each carrying its provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from archive import Access, ArticleImage, ArticleUpdate

# A date an article can carry: news on the web starts after 1990, and a page may be dated
# in a time zone up to a day ahead of ours, no more. 9999-12-31T23:59:59-14:00 is year
# 10000 in UTC, which pyarrow cannot read back from a Parquet export.
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


def utc_now() -> datetime:
    """The wall clock of a run, where a test does not inject its own."""
    return datetime.now(UTC)


def plausible_date(when: datetime, now: datetime | None = None) -> bool:
    """True if ``when`` (aware) lies between 1990 and a day after ``now``."""
    try:
        return EARLIEST_DATE <= when <= (now or utc_now()) + FUTURE_SLACK
    except (OverflowError, TypeError):  # year 9999 plus an offset; a naive datetime
        return False


class SourceKind(StrEnum):
    """Where a candidate URL was found."""

    FEED = "feed"
    SITEMAP = "sitemap"
    LISTING = "listing"


@dataclass(frozen=True)
class Candidate:
    """An article URL found by discovery, already canonicalised."""

    url: str
    publisher: str
    source: SourceKind
    found_in: str
    published: datetime | None = None  # from the feed or news sitemap, timezone-aware


# The Content-Types of a page that may hold an article (the crawl, the doctor, an ingest).
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Page:
    """One fetched HTTP response: final status 2xx or 304, body fully read within caps."""

    requested_url: str
    final_url: str
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes
    fetched_at: datetime  # timezone-aware UTC
    redirects: tuple[str, ...] = ()  # every URL hopped through before final_url

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Extraction:
    """What extraction and cleaning made of a page; picklable (crosses process pools)."""

    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None  # timezone-aware, offset as the page gave it
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    warnings: tuple[str, ...] = field(default=())
    # "json-ld", "meta", "time element", "url" or "text" (scraper.extract.dates)
    published_source: str | None = None
    modified: datetime | None = None  # never stands in for ``published``
    modified_source: str | None = None
    language_source: str | None = None  # "declared" or "detected"
    access: str = Access.UNKNOWN  # an archive.Access value
    images: tuple[ArticleImage, ...] = ()
    live_updates: tuple[ArticleUpdate, ...] = ()  # time order; empty unless a live blog
    # An article over several pages (scraper.extract.pagination): absolute URLs
    next_page: str | None = None  # the continuation this page links
    first_page: str | None = None  # set on a later page only: where the article starts
