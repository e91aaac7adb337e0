"""The ``ingest_progress`` part: how far ``scraper ingest`` got in each WARC file.

Reached as ``archive.ingest_marks``. One row per file (its resolved path): the offset of the
last record whose batch is stored, or that the file is finished. An ingest writes a
file's row after the batch it covers, so a killed ingest repeats at most one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from archive import rows
from archive.connection import transaction, translated

TABLE = "ingest_progress"


@dataclass(frozen=True)
class IngestMark:
    """How far an ingest got in one file: past the record at ``offset``, or ``finished``."""

    file: str
    offset: int | None
    finished: bool


class Ingests:
    """The ``ingest_progress`` table (schema v7)."""

    def __init__(self, db: Database, path: Path) -> None:
        self.db = db
        self.conn = db.conn
        self.path = path

    @translated
    def mark(self, file: str) -> IngestMark | None:
        """What an earlier ingest recorded for ``file``, if anything."""
        try:
            row = self.db.table(TABLE).get(file)
        except NotFoundError:
            return None
        return IngestMark(row["file"], row["offset"], bool(row["finished"]))

    @translated
    def save(self, mark: IngestMark, *, at: datetime, run_id: int | None = None) -> None:
        """Record ``mark`` (one transaction, or a savepoint inside the caller's)."""
        with transaction(self.conn):
            self.db.table(TABLE).upsert(
                {
                    "file": mark.file,
                    "offset": mark.offset,
                    "finished": int(mark.finished),
                    "updated_at": rows.ts(at),
                    "run_id": run_id,
                },
                pk="file",
            )
