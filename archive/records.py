"""Records the archive accepts and returns (the consumer owns the contract)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class StoreOutcome(StrEnum):
    """What storing one article did."""

    NEW = "new"  # a new article
    UPDATED = "updated"  # a known article whose text changed: a new version
    UNCHANGED = "unchanged"  # a known article, same text: only its URLs/fetch time noted
    DUPLICATE = "duplicate"  # same or near-same text as another article: linked, not new


class Outcome(StrEnum):
    """What the archive records of one URL's last fetch (``urls.outcome``).

    Article URLs end as a :class:`StoreOutcome` value (``new``, ``updated`` …) or one of
    the first group; discovery documents (feeds, sitemaps, listing pages) as the second.
    Only ``queued``, ``failed`` and ``deferred`` article URLs are fetched again next run.
    """

    QUEUED = "queued"  # discovered; not fetched yet (or its run was killed)
    FAILED = "failed"  # the fetch or extraction failed; ``reason`` says why
    DEFERRED = "deferred"  # left for the next run (budget, --max-pages, robots.txt down)
    ROBOTS = "robots"  # disallowed by robots.txt: final
    NO_ARTICLE = "no_article"  # fetched, but no article text on the page
    NOT_MODIFIED = "not_modified"  # a conditional request answered 304
    FEED = "feed"
    SITEMAP = "sitemap"  # a sitemap parsed before leaves and indexes were told apart
    SITEMAP_LEAF = "sitemap_leaf"  # a sitemap of URLs: asked conditionally next time
    SITEMAP_INDEX = "sitemap_index"  # an index: always asked unconditionally
    LISTING = "listing"
    FEED_FAILED = "feed_failed"
    FEED_DEFERRED = "feed_deferred"
    SITEMAP_FAILED = "sitemap_failed"
    SITEMAP_DEFERRED = "sitemap_deferred"
    LISTING_FAILED = "listing_failed"
    LISTING_DEFERRED = "listing_deferred"

    @classmethod
    def of_document(cls, kind: str, failure: str) -> Outcome:
        """``failed``/``deferred`` for an article (``kind`` "article"), else prefixed."""
        return cls(failure if kind == "article" else f"{kind}_{failure}")


class Reason(StrEnum):
    """Why a URL failed or was deferred (``urls.reason``, the keys of a run's ``failures``).

    Two families are built from what the server said rather than listed:
    ``http_<status>`` (:meth:`of_status`) and ``robots_<reason>`` (:meth:`of_robots`: the
    host's robots.txt could not be had, so its URLs wait for the next run).
    """

    # fetch: the defaults of the error tree (``scraper.errors``)
    FETCH_ERROR = "fetch_error"
    REFUSED = "refused"
    TOO_LARGE = "too_large"
    REDIRECT = "redirect"
    TIMEOUT = "timeout"
    TRUNCATED = "truncated"
    TRANSPORT = "transport"
    DEFERRED = "deferred"  # the host asks to wait beyond the run's budget
    # fetch: what exactly went wrong
    NOT_HTML = "not_html"  # a Content-Type the caller does not accept
    BAD_ENCODING = "bad_encoding"  # a corrupt or unknown Content-Encoding
    STACKED_ENCODING = "stacked_encoding"  # more Content-Encodings than allowed
    BAD_SCHEME = "bad_scheme"
    BAD_URL = "bad_url"
    DNS = "dns"
    PRIVATE_ADDRESS = "private_address"  # a loopback, private or link-local target
    BAD_REDIRECT = "bad_redirect"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    RESET = "reset"
    CONNECT = "connect"
    DEADLINE = "deadline"  # the request's total deadline ran out
    BUDGET = "budget"  # the run's budget ran out before the request
    HOST_UNRESPONSIVE = "host_unresponsive"  # the host was suspended for the run
    ROBOTS = "robots"  # a redirect hop disallowed by robots.txt
    # extraction and storing
    EXTRACT_TIMEOUT = "extract_timeout"
    EXTRACT_MEMORY = "extract_memory"
    EXTRACT_ERROR = "extract_error"
    FIRST_PAGE_FAILED = "first_page_failed"  # a later page whose first page failed
    STORE_FAILED = "store_failed"  # lost to a write the archive refused

    @staticmethod
    def of_status(status: int) -> str:
        """The reason of a final HTTP status: ``http_404``."""
        return f"http_{status}"

    @staticmethod
    def of_robots(reason: str) -> str:
        """The reason of a URL whose host's robots.txt could not be had: ``robots_http_503``."""
        return f"robots_{reason}"


class RunStatus(StrEnum):
    """What became of a run (``runs.status``)."""

    RUNNING = "running"  # started, not finished yet
    OK = "ok"  # finished, nothing failed or left over
    PARTIAL = "partial"  # finished with failures, or work deferred to the next run
    INTERRUPTED = "interrupted"  # stopped by SIGTERM or Ctrl-C
    FAILED = "failed"  # ended by an error
    CRASHED = "crashed"  # left running by a killed process, so marked by the next run

    @property
    def finished(self) -> bool:
        """Ran to its end (ok or partial): its figures compare with other nights'."""
        return self in (RunStatus.OK, RunStatus.PARTIAL)


class Access(StrEnum):
    """Whether an article is free to read (``articles.access``)."""

    FREE = "free"
    PAYWALLED = "paywalled"  # the stored text is the part the page shows
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ArticleImage:
    """One of the article's own figures (``articles.images``, a JSON array)."""

    url: str  # absolute
    caption: str | None = None
    credit: str | None = None
    lead: bool = False


@dataclass(frozen=True)
class ArticleUpdate:
    """One timed entry of a live blog (``articles.live_updates``, a JSON array)."""

    time: datetime | None  # timezone-aware, with the publisher's offset
    headline: str | None = None
    text: str = ""


@dataclass(frozen=True)
class PagePart:
    """A later page (2, 3 …) of a multi-page article as fetched (``raw_page_parts``)."""

    url: str
    body: bytes  # the fetched body as received (decoded transfer)
    fetched_at: datetime  # timezone-aware
    http_status: int | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class ArticleRecord:
    """One cleaned article ready for the archive."""

    url: str  # canonical URL (rel=canonical / og:url when on the publisher's domain)
    urls: tuple[str, ...]  # every URL that led to it: requested, redirect hops, final
    text: str
    fetched_at: datetime  # timezone-aware
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None  # timezone-aware
    language: str | None = None
    site: str | None = None  # publisher name from seeds
    description: str | None = None
    raw_html: bytes | None = None  # the fetched body as received (decoded transfer)
    http_status: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    extractor_version: str | None = None
    # json-ld, meta, time element, url, text, or feed (the feed's date: the page gave none)
    published_source: str | None = None
    modified: datetime | None = None  # timezone-aware; never stands in for ``published``
    modified_source: str | None = None
    language_source: str | None = None  # declared or detected
    access: str = Access.UNKNOWN  # an Access value; a paywalled page's text is its teaser
    images: tuple[ArticleImage, ...] = ()  # page order
    live_updates: tuple[ArticleUpdate, ...] = ()  # time order; empty unless a live blog
    pages: int = 1  # a multi-page article: its text joins the pages, ``urls`` holds them
    # pages 2..N in order, kept beside ``raw_html`` (page 1) so the article can be
    # re-extracted and exported whole; a record with ``raw_html`` replaces the stored ones
    page_bodies: tuple[PagePart, ...] = ()


@dataclass(frozen=True)
class StoreResult:
    """The outcome of :meth:`archive.store.Archive.store_article`."""

    outcome: StoreOutcome
    article_id: int
    duplicate_of: int | None = None
    version: int = 1


@dataclass(frozen=True)
class UrlState:
    """What the archive knows about one URL (article page, feed or sitemap)."""

    url: str
    status: int | None
    outcome: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: datetime | None
    article_id: int | None
    reason: str | None = None  # why the last fetch failed (timeout, http_503 …)
    run_id: int | None = None  # the run that last recorded it (queued, fetched, failed …)


@dataclass(frozen=True)
class ParkedUrl:
    """A queued article URL a crawl parked in the archive (``frontier``) to save memory."""

    host: str  # the crawl's queue key (netloc)
    url: str
    seed: str  # the publisher's name
    source: str  # feed, sitemap or listing
    published: datetime | None = None  # from the feed or news sitemap


@dataclass(frozen=True)
class SearchHit:
    """One full-text search result: one per article, best first."""

    article_id: int
    url: str
    title: str | None
    snippet: str
    site: str | None = None
    published: str | None = None  # ISO 8601 as stored
    rank: float = 0.0  # bm25: lower is better


@dataclass(frozen=True)
class RawPage:
    """A stored fetched page, decompressed, for re-extraction without the network."""

    article_id: int
    url: str
    html: bytes
    content_type: str | None
    extractor_version: str | None
    fetched_at: datetime
    http_status: int | None = None
    site: str | None = None
    pages: int = 1  # more than 1: ``html`` is the first page of a multi-page article
    parts: tuple[PagePart, ...] = ()  # its pages 2..N in order; none if archived before v9
