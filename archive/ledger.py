"""Three parts of the archive a crawl keeps its books in: runs, the URL ledger, the frontier.

Each is a small class over the archive's shared connection, reached as an attribute of
:class:`archive.store.Archive` (``archive.runs``, ``archive.urls``, ``archive.frontier``).
Every public write is one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from archive import rows
from archive.connection import transaction, translated
from archive.errors import ArchiveError
from archive.identity import url_key
from archive.records import Outcome, ParkedUrl, RunStatus, UrlState

# what a run can end as (``running`` and ``crashed`` are set by the archive itself)
RUN_STATUSES = frozenset({RunStatus.OK, RunStatus.PARTIAL, RunStatus.INTERRUPTED, RunStatus.FAILED})
# URLs an earlier run left to fetch again (``Outcome`` documents which these are).
RETRIED = (Outcome.QUEUED, Outcome.FAILED, Outcome.DEFERRED)
_GONE = (404, 410)  # a failure with these statuses is final, whatever its outcome says


class _Part:
    """A part of the archive: the shared sqlite-utils database and the file's path."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.conn = db.conn
        self.path = path  # named in error messages (see connection.translated)


class Runs(_Part):
    """The ``runs`` table: one row per crawl, its status and outcome counts."""

    @translated
    def start(self, started_at: datetime) -> int:
        """Start a run; earlier runs still marked running are marked crashed first."""
        with transaction(self.conn):
            self._crash_running()
            table = self.db.table("runs").insert(
                {"started_at": rows.ts(started_at), "status": RunStatus.RUNNING}
            )
        return int(table.last_pk or 0)

    @translated
    def finish(
        self, run_id: int, *, ended_at: datetime, status: str, counts: dict[str, int]
    ) -> None:
        """Close a run with its status (ok|partial|interrupted|failed) and outcome counts."""
        if status not in RUN_STATUSES:
            raise ValueError(
                f"run status must be one of {sorted(map(str, RUN_STATUSES))}, not {status!r}"
            )
        values = {"ended_at": rows.ts(ended_at), "status": status,
                  "counts": json.dumps(counts, sort_keys=True)}  # fmt: skip
        with transaction(self.conn):
            try:
                self.db.table("runs").update(run_id, values)
            except NotFoundError:
                raise ArchiveError(f"{self.path}: no run {run_id} to finish") from None

    @translated
    def mark_crashed(self) -> int:
        """Mark runs left 'running' by a killed process as 'crashed'; return how many."""
        with transaction(self.conn):
            return self._crash_running()

    def _crash_running(self) -> int:
        # An UPDATE … WHERE of many rows: sqlite-utils updates one row by primary key.
        return self.conn.execute(
            "UPDATE runs SET status = ? WHERE status = ?", (RunStatus.CRASHED, RunStatus.RUNNING)
        ).rowcount


class UrlLedger(_Part):
    """The ``urls`` table: every URL fetched or queued, its last outcome and validators."""

    @translated
    def state(self, url: str) -> UrlState | None:
        """What the archive knows of ``url``: last status, validators, outcome."""
        # Hand-written: asked once per URL on the crawl's event loop, where sqlite-utils'
        # query building would cost more than the indexed lookup itself.
        row = self.conn.execute(
            "SELECT url, status, outcome, etag, last_modified, fetched_at, article_id, reason, "
            "run_id FROM urls WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        return UrlState(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            rows.parse_ts(row[5]),
            row[6],
            row[7],
            row[8],
        )

    @translated
    def record(
        self,
        urls: Sequence[str],
        *,
        fetched_at: datetime,
        outcome: str,
        status: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        reason: str | None = None,
        article_id: int | None = None,
        run_id: int | None = None,
    ) -> None:
        """Note a fetch attempt of each of ``urls`` (feeds, sitemaps or articles) and its
        outcome (an :class:`~archive.records.Outcome` or a store outcome), the same for all,
        in one transaction."""
        values: dict[str, object] = {
            "status": status,
            "outcome": str(outcome),
            "reason": reason,
            "etag": etag,
            "last_modified": last_modified,
            "fetched_at": rows.ts(fetched_at),
            "article_id": article_id,
            "run_id": run_id,
        }
        with transaction(self.conn):
            for url in urls:
                rows.upsert_url_state(self.conn, url, values)

    @translated
    def queue(self, urls: Sequence[str], *, queued_at: datetime, run_id: int | None = None) -> None:
        """Note discovered article URLs as queued, in one transaction.

        A run killed before it fetched them leaves them queued; :meth:`pending` hands
        them to the next run even when the feed that listed them now answers 304.
        """
        with transaction(self.conn):
            # Hand-written upsert: an archived URL (article_id set) must stay as it is,
            # a condition sqlite-utils' upsert cannot express.
            self.conn.executemany(
                "INSERT INTO urls (url, outcome, fetched_at, run_id) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET outcome = excluded.outcome, "
                "run_id = excluded.run_id WHERE urls.article_id IS NULL",
                [(u, Outcome.QUEUED.value, rows.ts(queued_at), run_id) for u in urls],
            )

    @translated
    def pending(self) -> list[tuple[str, str, str | None]]:
        """URLs queued, failed (other than gone) or deferred by earlier runs and not archived,
        each with its last outcome and failure reason, in URL order."""
        marks = ", ".join("?" * len(RETRIED))
        found = self.db.table("urls").rows_where(
            f"article_id IS NULL AND outcome IN ({marks}) "
            f"AND coalesce(status, 0) NOT IN ({', '.join('?' * len(_GONE))}) "
            "AND url NOT IN (SELECT url FROM article_urls)",
            [*(o.value for o in RETRIED), *_GONE],
            select="url, outcome, reason",
            order_by="url",
        )
        return [(str(r["url"]), str(r["outcome"]), r["reason"]) for r in found]

    @translated
    def article_for(self, url: str) -> int | None:
        """The article any alias of ``url`` belongs to (so a run need not fetch it again)."""
        # Hand-written like state(): once per discovered URL on the event loop.
        row = self.conn.execute(
            "SELECT article_id FROM article_urls WHERE url_key = ? ORDER BY article_id LIMIT 1",
            (url_key(url),),
        ).fetchone()
        return None if row is None else int(row[0])

    @translated
    def of_article(self, article_id: int) -> list[str]:
        """Every URL recorded for one article, first seen first."""
        found = self.db.table("article_urls").rows_where(
            "article_id = ?", [article_id], select="url", order_by="first_seen, url"
        )
        return [r["url"] for r in found]


class Frontier(_Part):
    """The ``frontier`` table: queued URLs a crawl parks outside memory, per host, in order."""

    @translated
    def park(self, parked: Sequence[ParkedUrl]) -> None:
        """Park queued URLs a crawl does not keep in memory, in one transaction, in order."""
        with transaction(self.conn):
            self.db.table("frontier").insert_all(
                {"host": p.host, "url": p.url, "seed": p.seed, "source": p.source,
                 "published": rows.iso_or_none(p.published)}
                for p in parked
            )  # fmt: skip

    @translated
    def take(self, host: str, limit: int) -> list[ParkedUrl]:
        """Remove and return the first ``limit`` URLs parked for ``host``, in parking order."""
        table = self.db.table("frontier")
        with transaction(self.conn):
            found = list(table.rows_where("host = ?", [host], order_by="id", limit=limit))
            if found:
                table.delete_where("host = ? AND id <= ?", [host, found[-1]["id"]])
        return [
            ParkedUrl(host, r["url"], r["seed"], r["source"], rows.parse_ts(r["published"]))
            for r in found
        ]

    @translated
    def clear(self) -> int:
        """Drop what an earlier (killed) run parked; its URLs are still queued in ``urls``."""
        table = self.db.table("frontier")
        with transaction(self.conn):
            count = table.count
            table.delete_where()
        return count
