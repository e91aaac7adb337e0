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

Given a ``writer`` (:class:`WriterProcess`: a process of its own with its own connection to
the same archive), batches are stored there, one at a time and in order, so the event
loop's process neither stops nor competes for its GIL while SQLite, FTS5 and the dedup
checks work; results still reach ``on_stored`` and ``on_error`` on the event loop.
Without one, :meth:`flush` stores on the caller's thread.
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from pathlib import Path

from archive import ArticleRecord
from archive.dedup import Fingerprint
from archive.errors import ArchiveError
from archive.records import StoreResult
from archive.store import Archive
from scraper.crawl.workers import ExtractionFailed, WorkerPool

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
                 writer: WriterProcess | None = None) -> None:
        self.archive = archive
        self.run_id = run_id
        self.size = max(1, size)
        self.interval = max(0.0, interval)
        self.on_stored = on_stored
        self.on_error = on_error
        self.batches = 0  # transactions that stored articles (for tests)
        self._buffer: Batch = []
        self._timer: asyncio.TimerHandle | None = None
        self._failed = False
        self._writer = writer
        self._under_way: set[asyncio.Task[None]] = set()
        self._last: asyncio.Task[None] | None = None  # the batch stored most recently

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

        With a writer process this only starts the store; :meth:`drain` waits for it.
        """
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._buffer = self._buffer, []
        if not batch or self._failed:
            return
        if self._writer is None:
            self._apply(store_batch(self.archive, self.run_id, batch))
            return
        task = asyncio.ensure_future(self._store_after(self._last, self._writer, batch))
        self._last = task
        self._under_way.add(task)
        task.add_done_callback(self._under_way.discard)

    async def drain(self) -> None:
        """Store what is buffered and wait until every batch under way has landed."""
        self.flush()
        while self._under_way:
            await asyncio.wait(set(self._under_way))

    def close(self) -> None:
        """End the writer process, if any (after :meth:`drain`)."""
        if self._writer is not None:
            self._writer.close()

    async def _store_after(self, previous: asyncio.Task[None] | None, writer: WriterProcess,
                           batch: Batch) -> None:
        """Store ``batch`` in the writer once the batch before it has landed (order kept)."""
        if previous is not None:
            await asyncio.wait({previous})
        if self._failed:  # an earlier batch ended the run: nothing more is written
            return
        self._apply(await writer.store(self.run_id, batch))

    def _apply(self, outcome: Outcome) -> None:
        results, error, transactions = outcome
        self.batches += transactions
        for result in results:
            self.on_stored(result)
        if error is not None and not self._failed:
            self._failed = True
            self.on_error(error)


def store_batch(archive: Archive, run_id: int | None, batch: Batch) -> Outcome:
    """Store ``batch`` in one transaction, else one article per transaction; never raises.

    The first article that cannot be stored alone ends the batch, with its error.
    """
    records = [r for r, _ in batch]
    fps = [f for _, f in batch]
    try:
        return archive.store_many(records, run_id=run_id, fingerprints=fps), None, 1
    except Exception:  # noqa: BLE001 - retried one by one below, which names the culprit
        pass
    results: list[StoreResult] = []
    for record, fp in batch:
        try:
            results.append(archive.store_article(record, run_id=run_id, fingerprint=fp))
        except Exception as exc:  # noqa: BLE001 - handed to the crawl, which stops on it
            return results, exc, len(results)
    return results, None, len(results)


class WriterProcess:
    """The archive writer: a process of its own, holding its own connection to ``path``.

    It ignores SIGINT and SIGTERM (the crawl drains it after either) and ends when
    :meth:`close` closes its pipe, or when the crawl's process dies; a batch it was storing
    then is committed whole or not at all, like any SQLite transaction. A writer that dies
    or hangs (``timeout`` per batch) fails that batch, which ends the run like any other
    storage error.
    """

    def __init__(self, path: str | Path, *, nice: int = 0, timeout: float = 300.0) -> None:
        self._path = str(path)
        self._timeout = timeout
        self._pool = WorkerPool(_WRITER_TARGET, workers=1, timeout=timeout, memory_mb=0,
                                nice=nice, shielded=True)

    async def store(self, run_id: int | None, batch: Batch) -> Outcome:
        """Store ``batch`` in the writer process; its outcome, errors included, never raises."""
        try:
            outcome: Outcome = await self._pool.run(self._path, run_id, batch)
            return outcome
        except ExtractionFailed as exc:
            why = ("took longer than " + f"{self._timeout:g}s" if exc.reason == "extract_timeout"
                   else "died" if exc.reason == "extract_memory" else f"failed ({exc})")
            return [], ArchiveError(f"{self._path}: the archive writer process {why}"), 0

    def close(self) -> None:
        """End the writer process (after :meth:`GroupCommit.drain`)."""
        self._pool.close()


_WRITER_TARGET = "scraper.crawl.writer:write_in_process"
_OPEN: dict[str, Archive] = {}  # in the writer process: its connection, per archive path


def write_in_process(path: str, run_id: int | None, batch: Batch) -> Outcome:
    """The writer process's side of :meth:`WriterProcess.store`."""
    archive = _OPEN.get(path)
    if archive is None:
        archive = _OPEN[path] = Archive.open(path)
    results, error, transactions = store_batch(archive, run_id, batch)
    if error is not None:
        try:
            pickle.loads(pickle.dumps(error))
        except Exception:  # noqa: BLE001 - any exception must reach the crawl, as one line
            error = ArchiveError(f"{type(error).__name__}: {error}")
    return results, error, transactions
