"""Group commit: the crawl stores extracted articles several to a transaction.

One transaction per article costs a commit, an FTS5 segment flush and the WAL pages of every
index it touched, per article; a batch pays those once (BENCHMARKS.md, archive scale). The
price is what a kill loses: the articles waiting in the open batch, at most ``size`` of them
or ``interval`` seconds' worth. Nothing is lost for good: their URLs were recorded as
``queued`` before they were fetched, so the next run fetches them again.

A batch that the archive refuses as a whole is retried one article per transaction, so one
article that cannot be stored never takes the others of its batch down with it; the first
article that fails alone ends the run (a full disk, a damaged file: every later write would
fail the same way).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from archive import ArticleRecord
from archive.dedup import Fingerprint
from archive.records import StoreResult
from archive.store import Archive

Stored = Callable[[StoreResult], None]


class GroupCommit:
    """Buffers ``(record, fingerprint)`` pairs; stores them in one transaction per batch.

    :meth:`add` never waits: it flushes at once when the batch is full, otherwise makes sure a
    flush runs within ``interval`` seconds. :meth:`flush` stores whatever is buffered (the
    crawl calls it at the end of a run, after SIGTERM too). ``on_stored`` gets each result.
    """

    def __init__(self, archive: Archive, *, run_id: int | None, size: int, interval: float,
                 on_stored: Stored, on_error: Callable[[BaseException], None]) -> None:
        self.archive = archive
        self.run_id = run_id
        self.size = max(1, size)
        self.interval = max(0.0, interval)
        self.on_stored = on_stored
        self.on_error = on_error
        self.batches = 0  # transactions that stored articles (for tests)
        self._buffer: list[tuple[ArticleRecord, Fingerprint]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._failed = False

    def __len__(self) -> int:
        return len(self._buffer)

    def add(self, record: ArticleRecord, fingerprint: Fingerprint) -> None:
        """Buffer one article; store the batch now if it is full (errors go to ``on_error``)."""
        if self._failed:  # the run is ending on a storage error; nothing more is written
            return
        self._buffer.append((record, fingerprint))
        if len(self._buffer) >= self.size or self.interval == 0:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.interval, self.flush)

    def flush(self) -> None:
        """Store everything buffered, in one transaction (or one each if the batch fails)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._buffer = self._buffer, []
        if not batch or self._failed:
            return
        records = [r for r, _ in batch]
        fps = [f for _, f in batch]
        try:
            results = self.archive.store_many(records, run_id=self.run_id, fingerprints=fps)
        except Exception:  # noqa: BLE001 - retried one by one below, which names the culprit
            results = None
        if results is not None:
            self.batches += 1
            for result in results:
                self.on_stored(result)
            return
        for record, fp in batch:
            try:
                result = self.archive.store_article(record, run_id=self.run_id, fingerprint=fp)
            except Exception as exc:  # noqa: BLE001 - handed to the crawl, which stops on it
                self._failed = True
                self.on_error(exc)
                return
            self.batches += 1
            self.on_stored(result)
