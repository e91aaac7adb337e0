"""Per-publisher figures of each run (the ``publisher_runs`` table), written and read back.

One row per run and publisher (seed name), written once at the end of the run. The
judging of these figures against a publisher's own history is the scraper's
(``scraper.crawl.health``); this module only stores and reads them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlite_utils import Database

from archive.connection import transaction, translated
from archive.ledger import _Part

TABLE = "publisher_runs"
V6_COLUMNS: dict[str, type] = {
    "run_id": int, "publisher": str, "started_at": str, "discovered": int, "fetched": int,
    "new": int, "updated": int, "unchanged": int, "duplicate": int, "no_article": int,
    "failed": int, "failures": str, "median_chars": int, "missing_date": float,
    "missing_author": float, "documents": int, "documents_failed": int,
    "failed_documents": str, "not_modified": int, "bytes": int, "duration": float,
}  # fmt: skip
COLUMNS: dict[str, type] = {**V6_COLUMNS, "gone": int}  # v10 added ``gone``


@dataclass(frozen=True)
class PublisherRun:
    """What one run did for one publisher (a row of ``publisher_runs``)."""

    publisher: str
    run_id: int = 0
    started_at: str = ""  # the run's start, UTC ISO 8601
    discovered: int = 0  # new candidate URLs (not seen earlier in the run)
    fetched: int = 0  # documents and article pages fetched (not 304)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    no_article: int = 0  # article pages with no article text in them
    failed: int = 0  # fetches and extractions that failed, all reasons
    failures: dict[str, int] = field(default_factory=dict)  # by reason
    median_chars: int | None = None  # median text length of the new articles
    missing_date: float | None = None  # share of new articles without a date
    missing_author: float | None = None  # share of new articles without an author
    documents: int = 0  # feeds, sitemaps, listings and robots.txt asked for
    documents_failed: int = 0  # of those: failed to fetch or to parse
    failed_documents: tuple[str, ...] = ()  # their URLs (the first few)
    not_modified: int = 0  # documents that answered 304
    bytes: int = 0  # body bytes received
    duration: float = 0.0  # seconds from the run's start to this publisher's last fetch
    gone: int = 0  # article pages that answered 404/410 (removed by the site: not failed)

    @property
    def pages(self) -> int:
        """Article pages extracted: stored in any way, or found to hold no article."""
        return self.new + self.updated + self.unchanged + self.duplicate + self.no_article

    def as_row(self) -> dict[str, Any]:
        """The table row (lists and counters as JSON text)."""
        row = asdict(self)
        row["failures"] = json.dumps(self.failures, sort_keys=True)
        row["failed_documents"] = json.dumps(list(self.failed_documents), ensure_ascii=False)
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PublisherRun:
        """Inverse of :meth:`as_row`."""
        values = {k: row[k] for k in COLUMNS if k in row}
        values["failures"] = json.loads(values.get("failures") or "{}")
        values["failed_documents"] = tuple(json.loads(values.get("failed_documents") or "[]"))
        return cls(**values)


def create_table(db: Database) -> None:
    """The ``publisher_runs`` table as migration v6 made it, through sqlite-utils."""
    table = db.table(TABLE)
    table.create(
        V6_COLUMNS,
        pk=("run_id", "publisher"),
        not_null={"run_id", "publisher", "started_at"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    table.create_index(["publisher", "run_id"], index_name="publisher_runs_publisher")


def add_gone(db: Database) -> None:
    """Migration v10: the ``gone`` count (0 in the rows of earlier runs, which kept none)."""
    if "gone" not in db.table(TABLE).columns_dict:
        db.table(TABLE).add_column("gone", int, not_null_default=0)


class PublisherRuns(_Part):
    """The ``publisher_runs`` table: per-publisher figures of every finished run."""

    @translated
    def record(self, rows: Sequence[PublisherRun]) -> None:
        """Store one run's rows (a row written again replaces the old one), in one transaction."""
        with transaction(self.conn):
            self.db.table(TABLE).insert_all((r.as_row() for r in rows), replace=True)

    @translated
    def history(self, runs: int) -> dict[str, list[PublisherRun]]:
        """The last ``runs`` runs of every publisher in the latest run, oldest first."""
        latest = self.db.execute(f"SELECT max(run_id) FROM {TABLE}").fetchone()[0]
        if latest is None:
            return {}
        names = [
            r[0]
            for r in self.db.execute(
                f"SELECT publisher FROM {TABLE} WHERE run_id = ? ORDER BY publisher", [latest]
            )
        ]
        out: dict[str, list[PublisherRun]] = {}
        for name in names:
            found = self.db.table(TABLE).rows_where(
                "publisher = ?", [name], order_by="run_id DESC", limit=max(1, runs)
            )
            out[name] = [PublisherRun.from_row(r) for r in found][::-1]
        return out

    @translated
    def last_new(self) -> dict[str, str]:
        """Each publisher's latest run that stored a new article: its start (UTC ISO 8601)."""
        found = self.db.execute(
            f"SELECT publisher, max(started_at) FROM {TABLE} WHERE new > 0 GROUP BY publisher"
        )
        return {name: started for name, started in found}
