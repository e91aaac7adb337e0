"""Sitemaps (sitemaps.org 0.9, Google News, plain text, RSS/Atom) and robots.txt ``Sitemap:``.

Limits follow the protocol: at most ``max_urls`` entries per file (sitemaps.org: 50,000)
and ``max_bytes`` uncompressed (50 MB); ``.xml.gz`` is recognised by its magic bytes, not
by its name, because servers label it inconsistently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from scraper.discover.feeds import (
    FeedEntry,
    complete_only,
    feed_entries,
    iter_children,
    iter_elements,
    localname,
    parse_feed_date,
    text_of,
)
from scraper.discover.xmlsafe import XMLError, XMLTooLarge, maybe_gunzip, parse_xml
from scraper.urls import canonicalize

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class SitemapDoc:
    """What one sitemap file lists: article URLs, or (for an index) child sitemaps."""

    urls: list[FeedEntry]
    sitemaps: list[str]
    truncated: bool  # more entries than ``max_urls``: the rest were ignored
    # Child sitemaps with their <lastmod>, so a nightly run can skip old monthly archives.
    children: list[FeedEntry] = field(default_factory=list)


def parse_sitemap(data: bytes, base_url: str, *, max_bytes: int, max_urls: int) -> SitemapDoc:
    """Parse a urlset, sitemap index, news, text or feed sitemap; :class:`XMLError` if unusable."""
    data = maybe_gunzip(data, max_bytes)
    if not _looks_like_xml(data):
        return _text_sitemap(data, max_bytes=max_bytes, max_urls=max_urls)
    root = parse_xml(data, max_bytes=max_bytes, base_url=base_url)
    kind = localname(root)
    if kind == "urlset":
        return _urlset(root, data, base_url, max_urls)
    if kind == "sitemapindex":
        children, truncated = _entries(root, data, base_url, "sitemap", max_urls)
        return SitemapDoc([], [c.url for c in children], truncated, children)
    if kind in ("rss", "RDF", "feed"):  # sitemaps.org accepts RSS 2.0 and Atom 1.0 feeds
        entries = feed_entries(root, data, base_url)
        return SitemapDoc(entries[:max_urls], [], len(entries) > max_urls)
    raise XMLError(f"not a sitemap: root element <{kind or '?'}>")


def _urlset(root: etree._Element, data: bytes, base_url: str, max_urls: int) -> SitemapDoc:
    urls, truncated = _entries(root, data, base_url, "url", max_urls)
    return SitemapDoc(urls, [], truncated)


def _entries(
    root: etree._Element, data: bytes, base_url: str, tag: str, max_urls: int
) -> tuple[list[FeedEntry], bool]:
    elements = [el for el in iter_children(root) if localname(el) == tag]
    elements = complete_only(elements, data, root, (tag,))
    out: list[FeedEntry] = []
    for el in elements:
        entry = _entry(el, base_url)
        if entry is None:
            continue
        if len(out) >= max_urls:
            return out, True
        out.append(entry)
    return out, False


def _entry(el: etree._Element, base_url: str) -> FeedEntry | None:
    fields: dict[str, str] = {}
    for child in iter_children(el):
        name = localname(child)
        if name == "news":  # Google News sitemap: <news:news><news:publication_date>
            for sub in iter_elements(child):
                fields.setdefault("news_" + localname(sub), text_of(sub))
        else:
            fields.setdefault(name, text_of(child))
    url = canonicalize(fields.get("loc", ""), base_url) if fields.get("loc") else None
    if url is None:
        return None
    published = parse_feed_date(fields.get("news_publication_date", "")) or parse_feed_date(
        fields.get("lastmod", "")
    )
    return FeedEntry(url=url, published=published, title=fields.get("news_title") or None)


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512]
    for bom in _BOMS:
        if head.startswith(bom):
            return True  # a UTF-16 BOM means XML here; text sitemaps must be UTF-8
    return head.lstrip().startswith(b"<")


def _text_sitemap(data: bytes, *, max_bytes: int, max_urls: int) -> SitemapDoc:
    # sitemaps.org "Text file": one absolute URL per line, UTF-8, nothing else.
    if len(data) > max_bytes:
        raise XMLTooLarge(f"too large: {len(data)} bytes > cap {max_bytes}")
    urls: list[FeedEntry] = []
    truncated = False
    for line in data.decode("utf-8", "replace").splitlines():
        url = canonicalize(line) if line.strip() else None
        if url is None:
            continue
        if len(urls) >= max_urls:
            truncated = True
            break
        urls.append(FeedEntry(url=url))
    if not urls:
        raise XMLError("not a sitemap: neither XML nor a list of URLs")
    return SitemapDoc(urls, [], truncated)
