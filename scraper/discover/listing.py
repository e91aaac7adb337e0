"""Listing pages (section fronts, home pages) → article links, parsed with selectolax/lexbor.

Without a seed's ``include`` patterns we need a guess at what an article URL looks like:
a slug of several words, a long numeric id or a /YYYY/MM/ date in the path, and no
navigation segment (tag, author, page …) or asset extension.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.urls import canonicalize, host_of, same_site

_MAX_LINKS = 10_000  # a listing with more anchors than this is not a listing
_NAV_SEGMENTS = frozenset(
    {
        "tag",
        "tags",
        "category",
        "categories",
        "author",
        "authors",
        "topic",
        "topics",
        "page",
        "search",
        "login",
        "signin",
        "sign-in",
        "register",
        "subscribe",
        "account",
        "about",
        "about-us",
        "contact",
        "contact-us",
        "privacy",
        "privacy-policy",
        "terms",
        "feed",
        "rss",
        "newsletter",
        "newsletters",
        "cookies",
        "cookie-policy",
        "jobs",
        "careers",
        "advertise",
        "shop",
        "cdn-cgi",
        "wp-admin",
        "wp-login.php",
    }
)
_ASSET_EXT = re.compile(
    r"\.(?:jpe?g|png|gif|svg|webp|avif|ico|pdf|css|js|json|xml|rss|zip|gz|mp3|mp4|webm|mov)$",
    re.IGNORECASE,
)
# Four or more words joined by - or _: section names ("health-and-science") have fewer.
_SLUG = re.compile(r"[^\W_]+(?:[-_][^\W_]+){3,}")
_ARTICLE_ID = re.compile(r"\d{5,}")
_DATE_PATH = re.compile(r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])(?:/|$)")


def listing_links(html: bytes | str, base_url: str, domain: str | None = None) -> list[str]:
    """Every on-site http(s) link of the page: absolute, canonical, in order, de-duplicated.

    On-site means under ``domain`` when given (the publisher's), else under the page's host
    without a leading ``www.``.
    """
    tree = LexborHTMLParser(html)
    base_node = tree.css_first("base[href]")
    base = canonicalize(base_node.attributes.get("href") or "", base_url) if base_node else None
    base = base or base_url
    site = domain or host_of(base_url).removeprefix("www.")
    page = canonicalize(base_url)
    seen: dict[str, None] = {}
    for node in tree.css("a[href]")[:_MAX_LINKS]:
        url = canonicalize(node.attributes.get("href") or "", base)
        if url is None or url == page or not same_site(url, site):
            continue
        seen[url] = None
    return list(seen)


def looks_like_article(url: str) -> bool:
    """Guess whether ``url`` is an article rather than a section, tag or asset page."""
    path = urlsplit(url).path
    segments = [s for s in path.lower().split("/") if s]
    if not segments or _ASSET_EXT.search(path):
        return False
    if any(s in _NAV_SEGMENTS for s in segments):
        return False
    if _DATE_PATH.search(path) or _ARTICLE_ID.search(path):
        return True
    segments[-1] = re.sub(r"\.(?:html?|php|aspx?)$", "", segments[-1])
    return any(_SLUG.fullmatch(s) for s in segments[-2:])


def is_navigation(url: str) -> bool:
    """True if a segment of ``url``'s path names a site page (tag, author, search, about …)."""
    return any(s in _NAV_SEGMENTS for s in urlsplit(url).path.lower().split("/") if s)


def parse_listing(html: bytes | str, base_url: str, domain: str | None = None) -> list[str]:
    """Article-looking links of a listing page: absolute, canonical, in page order, unique."""
    return [url for url in listing_links(html, base_url, domain) if looks_like_article(url)]
