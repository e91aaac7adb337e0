"""The article archive: SQLite storage, identity and deduplication.

This module is the archive's front door: ``scraper/`` and ``bench/`` import from
``archive`` only, never from its submodules, which are internal and may change. It knows
SQLite and text, never HTTP or HTML parsing: it does not import ``scraper``.

``store`` (``Archive``: one SQLite file in WAL mode) is made of parts over one
``connection``: ``articles`` (storing with dedup, re-extraction, stored pages), whose one
transaction per article is decided in ``intake`` on the table operations of ``rows``;
``ledger`` (runs, the URL ledger, the frontier), ``publisher_runs`` (per-publisher figures
of each run) and ``ingest_marks`` (how far an ingest got per WARC file). ``schema`` holds
the SQL and ``migrations`` upgrades an older archive in place; ``checkpoint`` runs WAL
checkpoints off the writer's thread. Identity: ``identity`` (URL keys, normalised text,
shingles), ``minhash`` (sketches and LSH bands) and ``dedup`` (exact, near and teaser
copies). Out: ``records`` (what the archive accepts and returns, ``Outcome`` and the other
stored vocabularies), ``fields`` (the one article record every output uses), ``export``
(JSON Lines, CSV, Parquet) and ``search`` (FTS5). ``errors``: its one exception.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.connection import describe
    from archive.dedup import Fingerprint, fingerprint
    from archive.errors import ArchiveError
    from archive.export import FORMATS as EXPORT_FORMATS
    from archive.export import export as export_articles
    from archive.export import format_for, parse_since
    from archive.fields import RECORD_FIELDS, as_record, fields_of
    from archive.identity import TRACKING_NAMES, TRACKING_PREFIXES, is_tracking_param, url_key
    from archive.ingest_marks import IngestMark
    from archive.publisher_runs import PublisherRun
    from archive.records import (
        Access,
        ArticleImage,
        ArticleRecord,
        ArticleUpdate,
        Outcome,
        PagePart,
        ParkedUrl,
        RawPage,
        Reason,
        RunStatus,
        SearchHit,
        StoreOutcome,
        StoreResult,
        UrlState,
    )
    from archive.search import plain_query
    from archive.store import Archive

# What scraper/ and bench/ use, by the module that defines it (name: (module, name there)).
# Loaded on first use: an extraction worker that needs the records and the fingerprint does
# not import SQLite's access layer (sqlite-utils, ~0.2 s of CPU), nor does `scraper --help`.
_HOMES = {
    "describe": ("connection", "describe"),
    "Fingerprint": ("dedup", "Fingerprint"),
    "fingerprint": ("dedup", "fingerprint"),
    "ArchiveError": ("errors", "ArchiveError"),
    "EXPORT_FORMATS": ("export", "FORMATS"),
    "export_articles": ("export", "export"),
    "format_for": ("export", "format_for"),
    "parse_since": ("export", "parse_since"),
    "RECORD_FIELDS": ("fields", "RECORD_FIELDS"),
    "as_record": ("fields", "as_record"),
    "fields_of": ("fields", "fields_of"),
    "TRACKING_NAMES": ("identity", "TRACKING_NAMES"),
    "TRACKING_PREFIXES": ("identity", "TRACKING_PREFIXES"),
    "is_tracking_param": ("identity", "is_tracking_param"),
    "url_key": ("identity", "url_key"),
    "IngestMark": ("ingest_marks", "IngestMark"),
    "PublisherRun": ("publisher_runs", "PublisherRun"),
    "Access": ("records", "Access"),
    "ArticleImage": ("records", "ArticleImage"),
    "ArticleRecord": ("records", "ArticleRecord"),
    "ArticleUpdate": ("records", "ArticleUpdate"),
    "Outcome": ("records", "Outcome"),
    "PagePart": ("records", "PagePart"),
    "ParkedUrl": ("records", "ParkedUrl"),
    "RawPage": ("records", "RawPage"),
    "Reason": ("records", "Reason"),
    "RunStatus": ("records", "RunStatus"),
    "SearchHit": ("records", "SearchHit"),
    "StoreOutcome": ("records", "StoreOutcome"),
    "StoreResult": ("records", "StoreResult"),
    "UrlState": ("records", "UrlState"),
    "plain_query": ("search", "plain_query"),
    "Archive": ("store", "Archive"),
}

__all__ = [
    "EXPORT_FORMATS",
    "RECORD_FIELDS",
    "TRACKING_NAMES",
    "TRACKING_PREFIXES",
    "Access",
    "Archive",
    "ArchiveError",
    "ArticleImage",
    "ArticleRecord",
    "ArticleUpdate",
    "Fingerprint",
    "IngestMark",
    "Outcome",
    "PagePart",
    "ParkedUrl",
    "PublisherRun",
    "RawPage",
    "Reason",
    "RunStatus",
    "SearchHit",
    "StoreOutcome",
    "StoreResult",
    "UrlState",
    "as_record",
    "describe",
    "export_articles",
    "fields_of",
    "format_for",
    "fingerprint",
    "is_tracking_param",
    "parse_since",
    "plain_query",
    "url_key",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'archive' has no attribute {name!r}")
    value = getattr(import_module(f"archive.{home[0]}"), home[1])
    globals()[name] = value  # the next lookup does not come here
    return value
