"""Discovery: a seed's feeds, sitemaps and listing pages → candidate article URLs.

``discovery`` runs a seed's sources; ``feeds``, ``sitemaps`` and ``listing`` parse one
document each; ``xmlsafe`` is the hardened XML parser they share (no entities, no network).
``onboarding`` finds a new publisher's sources from one URL (``scraper add``), with
``url_shapes`` inferring its article URL patterns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scraper.lazy import front_door

if TYPE_CHECKING:
    from scraper.discover.discovery import Fetch, discover
    from scraper.discover.feeds import FeedEntry, parse_feed
    from scraper.discover.listing import listing_links, looks_like_article
    from scraper.discover.onboarding import Findings, Onboarding
    from scraper.discover.sitemaps import parse_sitemap
    from scraper.discover.xmlsafe import XMLError


# What other packages use, by the module that defines it. Loaded on first use, so importing
# one module of the package (a worker process, `scraper --help`) does not import them all.
_HOMES = {
    "Fetch": "discovery",
    "discover": "discovery",
    "FeedEntry": "feeds",
    "parse_feed": "feeds",
    "listing_links": "listing",
    "looks_like_article": "listing",
    "Findings": "onboarding",
    "Onboarding": "onboarding",
    "parse_sitemap": "sitemaps",
    "XMLError": "xmlsafe",
}
__all__ = [
    "FeedEntry",
    "Fetch",
    "Findings",
    "Onboarding",
    "XMLError",
    "discover",
    "listing_links",
    "looks_like_article",
    "parse_feed",
    "parse_sitemap",
]


__getattr__ = front_door(__name__, _HOMES)
