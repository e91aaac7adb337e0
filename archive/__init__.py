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

from archive.connection import describe
from archive.dedup import Fingerprint, fingerprint
from archive.errors import ArchiveError
from archive.export import FORMATS as EXPORT_FORMATS
from archive.export import export, format_for, parse_since
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
    "export",
    "fields_of",
    "format_for",
    "fingerprint",
    "is_tracking_param",
    "parse_since",
    "plain_query",
    "url_key",
]
