"""Discovery: a seed's feeds, sitemaps and listing pages → candidate article URLs.

``discovery`` runs a seed's sources; ``feeds``, ``sitemaps`` and ``listing`` parse one
document each; ``xmlsafe`` is the hardened XML parser they share (no entities, no network).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scraper.discover.discovery import Fetch as Fetch
    from scraper.discover.discovery import discover as discover
    from scraper.discover.feeds import FeedEntry as FeedEntry
    from scraper.discover.feeds import parse_feed as parse_feed
    from scraper.discover.listing import (
        listing_links as listing_links,
    )
    from scraper.discover.listing import (
        looks_like_article as looks_like_article,
    )
    from scraper.discover.sitemaps import parse_sitemap as parse_sitemap
    from scraper.discover.xmlsafe import XMLError as XMLError

# What other packages use, by the module that defines it. Loaded on first use, so importing
# one module of the package (a worker process, `scraper --help`) does not import them all.
_HOMES = {
    "Fetch": "discovery",
    "discover": "discovery",
    "FeedEntry": "feeds",
    "parse_feed": "feeds",
    "listing_links": "listing",
    "looks_like_article": "listing",
    "parse_sitemap": "sitemaps",
    "XMLError": "xmlsafe",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
