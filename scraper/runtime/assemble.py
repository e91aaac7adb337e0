"""A fetched page and its extraction → the ArticleRecord the archive stores.

One function for every source of pages: the crawl's :class:`~scraper.models.Page` and a
WARC's :class:`~scraper.warc.pages.WarcPage` both satisfy :class:`PageSource`, so a page
ingested from a WARC is recorded exactly as the crawl records it when it fetches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from archive import ArticleRecord, PagePart, RawPage
from scraper.extract import EXTRACTOR_VERSION
from scraper.models import Extraction
from scraper.seeds import Seed
from scraper.urls import canonicalize, host_of, pick_canonical


class PageSource(Protocol):
    """What :func:`article_record` needs of a fetched page (crawl Page, WarcPage)."""

    @property
    def requested_url(self) -> str: ...
    @property
    def final_url(self) -> str: ...
    @property
    def redirects(self) -> tuple[str, ...]: ...
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...  # lower-cased names
    @property
    def body(self) -> bytes: ...
    @property
    def fetched_at(self) -> datetime: ...
    @property
    def content_type(self) -> str: ...


@dataclass(frozen=True)
class StoredPage:
    """A page the archive holds (its raw HTML), as :func:`article_record` reads a fetch."""

    url: str
    body: bytes
    fetched_at: datetime
    status: int
    content_type: str
    headers: Mapping[str, str] = field(default_factory=dict)
    redirects: tuple[str, ...] = ()

    @property
    def requested_url(self) -> str:
        return self.url

    @property
    def final_url(self) -> str:
        return self.url

    @classmethod
    def of(cls, page: RawPage | PagePart) -> StoredPage:
        status = page.http_status or 200
        content_type = page.content_type or "text/html"
        if isinstance(page, RawPage):
            return cls(page.url, page.html, page.fetched_at, status, content_type)
        return cls(page.url, page.body, page.fetched_at, status, content_type)


def article_record(
    page: PageSource,
    ext: Extraction,
    *,
    site: str,
    domain: str,
    found_url: str | None = None,
    published: datetime | None = None,
    later: Sequence[PageSource] = (),
) -> ArticleRecord:
    """The archive's record of ``page``: canonical URL, every alias, text and metadata.

    ``site`` and ``domain`` are the publisher's name and domain (a seed's, or the URL's
    host when no seed owns it); ``found_url`` is where discovery met the URL and
    ``published`` the date its feed gave, both used when the page says nothing better.
    ``later`` are a multi-page article's pages after ``page``, in order (``ext`` is the
    joined extraction): their URLs are aliases of it and their bodies are archived.
    """
    final = canonicalize(page.final_url) or page.final_url
    url = pick_canonical(final, ext.canonical_url, domain)
    fetched = (found_url or page.requested_url, page.requested_url, *page.redirects, final, url)
    own = dict.fromkeys(c for a in fetched if (c := canonicalize(a)))  # mostly one URL
    # the other pages first: the archive keeps the raw page under the last URL, this page's
    others = dict.fromkeys(c for p in later if (c := canonicalize(p.final_url)) and c not in own)
    urls = (*others, *own)
    return ArticleRecord(
        url=url,
        urls=urls,
        text=ext.text,
        fetched_at=page.fetched_at,
        title=ext.title,
        authors=ext.authors,
        site=site,
        description=ext.description,
        raw_html=page.body,
        http_status=page.status,
        content_type=page.content_type,
        etag=page.headers.get("etag"),
        last_modified=page.headers.get("last-modified"),
        extractor_version=EXTRACTOR_VERSION,
        **extraction_fields(ext, published),
        pages=1 + len(later),
        page_bodies=tuple(
            PagePart(p.final_url, p.body, p.fetched_at, p.status, p.content_type) for p in later
        ),
    )


def extraction_fields(ext: Extraction, feed_published: datetime | None = None) -> dict[str, Any]:
    """The ArticleRecord fields read from the page beyond its text: dates with their
    sources, language, access, images, live updates.

    ``published`` is the page's publication date, else the feed's (source "feed"); never
    the modified date, which is kept apart.
    """
    from_feed = ext.published is None and feed_published is not None
    return {
        "published": ext.published or feed_published,
        "published_source": "feed" if from_feed else ext.published_source,
        "modified": ext.modified,
        "modified_source": ext.modified_source,
        "language": ext.language,
        "language_source": ext.language_source,
        "access": ext.access,
        "images": ext.images,
        "live_updates": ext.live_updates,
    }


def extract_options_of(seed: Seed | None) -> dict[str, tuple[str, ...]]:
    """The seed's extraction options (none without a seed), as the extractor takes them."""
    if seed is None:
        return {"drop_selectors": (), "body_selectors": (), "page_patterns": ()}
    return {
        "drop_selectors": seed.drop_selectors,
        "body_selectors": seed.body_selectors,
        "page_patterns": tuple(p.pattern for p in seed.pagination),
    }


def seed_for(url: str, seeds: Iterable[Seed]) -> Seed | None:
    """The seed whose domain owns ``url``; the most specific domain when several do."""
    owners = [seed for seed in seeds if seed.owns(url)]
    return max(owners, key=lambda seed: len(seed.domain), default=None)


def site_of(url: str, seeds: Iterable[Seed]) -> tuple[str, str, Seed | None]:
    """(site name, domain, seed) for a URL: its seed's, else its host's (seed None)."""
    seed = seed_for(url, seeds)
    if seed is not None:
        return seed.name, seed.domain, seed
    host = host_of(url)
    return host, host, None
