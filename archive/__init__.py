"""The article archive: SQLite storage, identity and deduplication.

It knows SQLite and text, never HTTP or HTML parsing: it does not import ``scraper``.
The record types it accepts are defined here, in :mod:`archive.records`.
"""

from archive.records import (
    ArticleRecord,
    Outcome,
    RawPage,
    SearchHit,
    StoreOutcome,
    StoreResult,
    UrlState,
)

__all__ = [
    "ArticleRecord",
    "Outcome",
    "RawPage",
    "SearchHit",
    "StoreOutcome",
    "StoreResult",
    "UrlState",
]
