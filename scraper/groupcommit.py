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

Given a ``writer`` (a second connection to the same archive), batches are stored on a thread
of their own, one at a time and in order, so the event loop goes on fetching while SQLite
works (it releases the GIL inside its calls); results still reach ``on_stored`` and
``on_error`` on the event loop. Without one, :meth:`flush` stores on the caller's thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from archive import ArticleRecord
from archive.dedup import Fingerprint
from archive.records import StoreResult
from archive.store import Archive

Stored = Callable[[StoreResult], None]
Batch = list[tuple[ArticleRecord, Fingerprint]]
# What storing one batch came to: its results, the error that ended it, transactions used.
Outcome = tuple[list[StoreResult], BaseException | None, int]


class GroupCommit:
    """Buffers ``(record, fingerprint)`` pairs; stores them in one transaction per batch.

    :meth:`add` never waits: it starts a batch's store at once when the batch is full,
    otherwise makes sure one starts within ``interval`` seconds. :meth:`drain` stores whatever
    is buffered and waits for every batch under way (the crawl awaits it at the end of a
    run, after SIGTERM too). ``on_stored`` gets each result, in order.
    """

    def __init__(self, archive: Archive, *, run_id: int | None, size: int, interval: float,
                 on_stored: Stored, on_error: Callable[[BaseException], None],
                 writer: Archive | None = None) -> None:
        self.archive = writer or archive
        self.run_id = run_id
        self.size = max(1, size)
        self.interval = max(0.0, interval)
        self.on_stored = on_stored
        self.on_error = on_error
        self.batches = 0  # transactions that stored articles (for tests)
        self._buffer: Batch = []
        self._timer: asyncio.TimerHandle | None = None
        self._failed = False
        self._thread = (ThreadPoolExecutor(1, thread_name_prefix="archive-writer")
                        if writer is not None else None)
        self._under_way: set[asyncio.Future[Outcome]] = set()

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
        """Store everything buffered, in one transaction (or one each if the batch fails).

        With a writer thread this only starts the store; :meth:`drain` waits for it.
        """
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._buffer = self._buffer, []
        if not batch or self._failed:
            return
        if self._thread is None:
            self._apply(self._store(batch))
            return
        future = asyncio.get_running_loop().run_in_executor(self._thread, self._store, batch)
        self._under_way.add(future)
        future.add_done_callback(self._landed)

    async def drain(self) -> None:
        """Store what is buffered and wait until every batch under way has landed."""
        self.flush()
        while self._under_way:
            await asyncio.wait(set(self._under_way))

    def close(self) -> None:
        """Stop the writer thread (after :meth:`drain`); the writer archive is the caller's."""
        if self._thread is not None:
            self._thread.shutdown(wait=True)

    def _store(self, batch: Batch) -> Outcome:
        """Store ``batch``: on the writer thread if there is one, so it touches no loop state."""
        if self._failed:
            return [], None, 0
        records = [r for r, _ in batch]
        fps = [f for _, f in batch]
        try:
            return self.archive.store_many(records, run_id=self.run_id, fingerprints=fps), None, 1
        except Exception:  # noqa: BLE001 - retried one by one below, which names the culprit
            pass
        results: list[StoreResult] = []
        for record, fp in batch:
            try:
                results.append(self.archive.store_article(record, run_id=self.run_id,
                                                          fingerprint=fp))
            except Exception as exc:  # noqa: BLE001 - handed to the crawl, which stops on it
                return results, exc, len(results)
        return results, None, len(results)

    def _landed(self, future: asyncio.Future[Outcome]) -> None:
        self._under_way.discard(future)
        if not future.cancelled():
            self._apply(future.result())

    def _apply(self, outcome: Outcome) -> None:
        results, error, transactions = outcome
        self.batches += transactions
        for result in results:
            self.on_stored(result)
        if error is not None and not self._failed:
            self._failed = True
            self.on_error(error)
