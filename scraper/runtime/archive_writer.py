"""The archive writer: every write of a crawl, on one thread with its own connection.

The event loop executes no SQL writes. It hands each write (a URL's outcome, queued or
parked URLs, an extracted article) to one of the writer's typed methods (``record``,
``defer``, ``queue``, ``park``, ``store``), which never wait;
the writer thread applies them in the order submitted, several to a transaction: a group
commit closes once it holds ``size`` articles or its first write is ``interval`` seconds
old. One transaction per write costs a commit, an FTS5 segment flush and the WAL pages of
every index it touched, per write; a batch pays those once (BENCHMARKS.md, archive scale).

The price is what a kill loses: the open batch, at most ``size`` articles or ``interval``
seconds' worth of writes. Nothing is lost for good: article URLs are recorded as
``queued`` (in an earlier batch, as writes keep their order) before they are fetched, so
the next run fetches them again.

Inside a batch each write is a savepoint: an article the archive refuses is undone alone
and ends the run (a full disk, a damaged file: every later write would fail the same way);
the writes before it are committed. A batch still open when the writer stops answering
for ``timeout`` seconds ends the run the same way. Either is reported with the reason
``store_failed``.

Reads stay on the loop's connection. They see what has landed; a URL whose queued or
recorded state is still on its way is :meth:`ArchiveWriter.in_flight` (read-your-writes).
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from archive import (
    Archive,
    ArchiveError,
    ArticleRecord,
    Fingerprint,
    IngestMark,
    Outcome,
    ParkedUrl,
    PublisherRun,
    Reason,
    StoreResult,
    describe,
)
from scraper.models import utc_now

OPS_PER_ARTICLE = 64  # a batch of URL outcomes alone closes after size * this many writes
_T = TypeVar("_T")


@dataclass(frozen=True)
class UrlOutcome:
    """What a fetch of ``urls`` came to (one URL, or the many a cap defers at once)."""

    urls: tuple[str, ...]
    outcome: Outcome
    fetched_at: datetime
    status: int | None = None
    reason: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class QueuedUrls:
    """Article URLs admitted for fetching (fetched again next run if this one is killed)."""

    urls: tuple[str, ...]
    queued_at: datetime


@dataclass(frozen=True)
class ParkedUrls:
    """Queued URLs kept in the archive's ``frontier`` rather than in memory."""

    parked: tuple[ParkedUrl, ...]


@dataclass(frozen=True)
class StoreArticle:
    """An extracted article; ``host`` is whose failure count it joins if it is lost."""

    record: ArticleRecord
    fingerprint: Fingerprint
    host: str


Write = UrlOutcome | QueuedUrls | ParkedUrls | StoreArticle


@dataclass(frozen=True)
class Landed:
    """What one group commit came to, handed to the event loop."""

    writes: tuple[Write, ...]
    results: tuple[StoreResult, ...]  # one per stored article, in order
    lost: tuple[StoreArticle, ...] = ()  # articles not stored (the run ends)
    error: BaseException | None = None


@dataclass
class _Control:
    """Run ``action`` on the writer's archive after every write submitted before it."""

    action: Callable[[Archive], Any]
    future: asyncio.Future[Any] = field(repr=False)


class StoreFailed(ArchiveError):
    """The archive writer failed: the run ends; the articles it lost fail as ``store_failed``."""

    reason = Reason.STORE_FAILED


_Item = Write | _Control | None  # None: close


class ArchiveWriter:
    """The crawl's only writer to the archive at ``path``; use from one event loop.

    The one door to the archive's writes: stages call its typed methods, never SQL.
    ``on_landed`` gets each group commit's :class:`Landed` on the loop, in order; the first
    failure also goes to ``on_failed`` (an :class:`ArchiveError`), after which writes are
    dropped: the run is ending. Both are given when the writer is built. The async methods
    (runs, the frontier, ingest batches) run on the writer's thread, in order with the
    writes, and return their result. ``now`` stamps the writes (the injected clock).
    """

    def __init__(
        self,
        path: str | object,
        *,
        size: int,
        interval: float,
        timeout: float,
        on_landed: Callable[[Landed], None] = lambda landed: None,
        on_failed: Callable[[StoreFailed], None] = lambda exc: None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.path = str(path)
        self.now = now
        self.size = max(1, size)
        self.interval = max(0.0, interval)
        self.timeout = timeout
        self.on_landed = on_landed
        self.on_failed = on_failed
        self.run_id: int | None = None  # set by begin_run, read by the thread
        self.failed: StoreFailed | None = None
        self.batches = 0  # group commits that landed (for tests)
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._in_flight: dict[str, int] = {}
        self._busy_since: float | None = None  # monotonic start of the open commit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._hang: asyncio.Event | None = None  # set when a commit outlived ``timeout``

    # -- the loop's side ---------------------------------------------------------------
    async def start(self) -> None:
        """Open the writer's own connection on its thread; ArchiveError if it cannot."""
        self._loop = asyncio.get_running_loop()
        self._hang = asyncio.Event()
        opened: asyncio.Future[None] = self._loop.create_future()
        self._thread = threading.Thread(
            target=self._main, args=(opened,), name="archive-writer", daemon=True
        )
        self._thread.start()
        await opened
        self._watchdog = asyncio.ensure_future(self._watch())

    # -- writes: never wait ------------------------------------------------------------
    def record(
        self,
        url: str,
        outcome: Outcome,
        *,
        status: int | None = None,
        reason: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Note one fetch of ``url`` and its outcome."""
        self._submit(
            UrlOutcome(
                (url,),
                outcome,
                self.now(),
                status=status,
                reason=reason,
                etag=etag,
                last_modified=last_modified,
            )
        )

    def defer(self, urls: Sequence[str], reason: str) -> None:
        """Leave ``urls`` for a later run (all at once: a cap defers thousands)."""
        if urls:
            self._submit(UrlOutcome(tuple(urls), Outcome.DEFERRED, self.now(), reason=reason))

    def queue(self, urls: Sequence[str]) -> None:
        """Note article URLs admitted for fetching (before any of them is fetched)."""
        if urls:
            self._submit(QueuedUrls(tuple(urls), self.now()))

    def park(self, parked: Sequence[ParkedUrl]) -> None:
        """Keep queued URLs in the archive's frontier rather than in memory."""
        if parked:
            self._submit(ParkedUrls(tuple(parked)))

    def store(self, record: ArticleRecord, fingerprint: Fingerprint, host: str) -> None:
        """Store an extracted article (in the writer's next group commit)."""
        self._submit(StoreArticle(record, fingerprint, host))

    def _submit(self, write: Write) -> None:
        """Hand one write to the writer; never waits (dropped once the writer failed)."""
        if self.failed is not None:
            return
        if isinstance(write, UrlOutcome | QueuedUrls):
            for url in write.urls:
                self._in_flight[url] = self._in_flight.get(url, 0) + 1
        self._queue.put(write)

    def in_flight(self, url: str) -> bool:
        """True while a queued or recorded state of ``url`` is submitted but not landed."""
        return url in self._in_flight

    # -- on the writer's thread, in order with the writes --------------------------------
    async def take_parked(self, host: str, limit: int) -> list[ParkedUrl]:
        """Read and delete up to ``limit`` of ``host``'s parked URLs."""
        return await self._call(lambda archive: archive.frontier.take(host, limit))

    async def clear_frontier(self) -> None:
        """Forget a killed run's parked URLs (still queued in the URL ledger)."""
        await self._call(lambda archive: archive.frontier.clear())

    async def finish_run(self, run_id: int, *, status: str, counts: dict[str, Any]) -> None:
        """Close the run record."""
        ended_at = self.now()
        await self._call(
            lambda archive: archive.runs.finish(
                run_id, ended_at=ended_at, status=status, counts=counts
            )
        )

    async def record_publishers(
        self, rows: Sequence[PublisherRun], runs: int
    ) -> dict[str, list[PublisherRun]]:
        """Store this run's per-publisher rows; each publisher's last ``runs`` rows."""

        def store_and_read(archive: Archive) -> dict[str, list[PublisherRun]]:
            archive.publisher_runs.record(rows)
            return archive.publisher_runs.history(runs)

        return await self._call(store_and_read)

    async def store_batch(
        self, items: Sequence[tuple[ArticleRecord, Fingerprint]]
    ) -> list[StoreResult]:
        """Store ``items`` now, in one transaction of their own (dedup included)."""
        run_id = self.run_id

        def store_all(archive: Archive) -> list[StoreResult]:
            with archive.transaction():
                return [
                    archive.articles.store(record, run_id=run_id, fingerprint=fp)
                    for record, fp in items
                ]

        return await self._call(store_all)

    async def ingest_mark(self, file: str) -> IngestMark | None:
        """What an earlier ingest recorded for ``file``."""
        return await self._call(lambda archive: archive.ingests.mark(file))

    async def save_ingest_mark(self, mark: IngestMark) -> None:
        """Record how far an ingest got in one file."""
        at, run_id = self.now(), self.run_id
        await self._call(lambda archive: archive.ingests.save(mark, at=at, run_id=run_id))

    async def _call(self, action: Callable[[Archive], _T]) -> _T:
        """``action(archive)`` on the writer's thread once earlier writes have landed."""
        assert self._loop is not None and self._hang is not None, "start() the writer first"
        future: asyncio.Future[_T] = self._loop.create_future()
        # Its caller may be cancelled (the run stopping) before the writer settles it: the
        # error is then nobody's, and asyncio would print it unstamped at exit.
        future.add_done_callback(_retrieved)
        self._queue.put(_Control(action, future))
        hang: asyncio.Future[Any] = asyncio.ensure_future(self._hang.wait())
        try:
            await asyncio.wait({future, hang}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            hang.cancel()
        if not future.done():  # the writer stopped answering: it will not run this either
            assert self.failed is not None
            raise self.failed
        return future.result()

    async def begin_run(self, started_at: datetime) -> int:
        """Start a run record; later writes belong to it."""

        def begin(archive: Archive) -> int:
            self.run_id = archive.runs.start(started_at)
            return self.run_id

        return await self._call(begin)

    async def drain(self) -> None:
        """Wait until everything submitted has landed (or the writer failed)."""
        await self._call(lambda archive: None)

    async def close(self) -> None:
        """Land what is submitted and end the thread (idempotent; a hung one is left)."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self._thread is None:
            return
        self._queue.put(None)
        thread, self._thread = self._thread, None
        if self._hang is not None and self._hang.is_set():
            return  # a daemon thread: it ends with the process
        await asyncio.get_running_loop().run_in_executor(None, thread.join)

    def _landed(self, landed: Landed) -> None:
        for write in landed.writes:
            if isinstance(write, UrlOutcome | QueuedUrls):
                for url in write.urls:
                    left = self._in_flight.pop(url, 1) - 1
                    if left:
                        self._in_flight[url] = left
        if landed.error is None and self.failed is None:
            self.batches += 1
        self.on_landed(landed)
        if landed.error is not None:
            self._fail(landed.error)

    def _fail(self, error: BaseException) -> None:
        if self.failed is not None:
            return
        line = (
            str(error)
            if isinstance(error, ArchiveError)
            else (f"{self.path}: {type(error).__name__}: {error}")
        )
        self.failed = StoreFailed(line)
        self.failed.__cause__ = error
        self.on_failed(self.failed)

    async def _watch(self) -> None:
        """Fail the run if one group commit outlives ``timeout`` (a hung disk, a lock)."""
        assert self._hang is not None
        step = min(1.0, self.timeout / 4)
        while True:
            await asyncio.sleep(step)
            since = self._busy_since
            if since is not None and time.monotonic() - since > self.timeout:
                self._fail(
                    StoreFailed(
                        f"{self.path}: the archive writer took longer than "
                        f"{self.timeout:g}s over one commit"
                    )
                )
                self._hang.set()
                return

    def _to_loop(self, callback: Callable[..., None], *args: object) -> None:
        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass

    # -- the writer thread -------------------------------------------------------------
    def _main(self, opened: asyncio.Future[None]) -> None:
        try:
            archive = Archive.open(self.path)
        except ArchiveError as exc:
            self._to_loop(_settle, opened, None, exc)
            return
        self._to_loop(_settle, opened, None, None)
        with archive:
            item = self._queue.get()
            while item is not None:
                if isinstance(item, _Control):
                    self._control(archive, item)
                    item = self._queue.get()
                    continue
                batch, held = self._collect(item)
                self._commit(archive, batch)
                item = held[0] if held else self._queue.get()

    def _collect(self, first: Write) -> tuple[list[Write], list[_Item]]:
        """``first`` and the writes following within the interval; the item that ended it.

        A control item or the close ends a batch early: it must see every write before it.
        """
        batch: list[Write] = [first]
        articles = int(isinstance(first, StoreArticle))
        deadline = time.monotonic() + self.interval
        while articles < self.size and len(batch) < self.size * OPS_PER_ARTICLE:
            wait = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None or isinstance(item, _Control):
                return batch, [item]
            batch.append(item)
            articles += isinstance(item, StoreArticle)
        return batch, []

    def _commit(self, archive: Archive, batch: list[Write]) -> None:
        if self.failed is not None:  # the run is ending: nothing more is written
            lost = tuple(w for w in batch if isinstance(w, StoreArticle))
            self._to_loop(self._landed, Landed(tuple(batch), (), lost))
            return
        self._busy_since = time.monotonic()
        results: list[StoreResult] = []
        error: BaseException | None = None
        done = 0
        try:
            with archive.transaction():
                done, error = _apply(archive, batch, self.run_id, results)
        except (sqlite3.Error, ArchiveError) as exc:  # the commit itself: nothing landed
            error = exc if isinstance(exc, ArchiveError) else ArchiveError(describe(exc, self.path))
            results, done = [], 0
        finally:
            self._busy_since = None
        lost = tuple(w for w in batch[done:] if isinstance(w, StoreArticle))
        self._to_loop(self._landed, Landed(tuple(batch), tuple(results), lost, error))

    def _control(self, archive: Archive, item: _Control) -> None:
        self._busy_since = time.monotonic()
        try:
            value, error = item.action(archive), None
        except Exception as exc:  # noqa: BLE001 - handed to the caller on the loop
            value, error = None, exc
        finally:
            self._busy_since = None
        self._to_loop(_settle, item.future, value, error)


def _apply(
    archive: Archive, batch: list[Write], run_id: int | None, results: list[StoreResult]
) -> tuple[int, BaseException | None]:
    """Apply ``batch`` in order; how many writes were applied and the error that stopped it.

    An error that rolled the whole transaction back (a full disk) is raised instead.
    """
    for done, write in enumerate(batch):
        try:
            result = _apply_one(archive, write, run_id)
        except ArchiveError as exc:
            if not archive.conn.in_transaction:
                raise
            return done, exc
        if result is not None:
            results.append(result)
    return len(batch), None


def _apply_one(archive: Archive, write: Write, run_id: int | None) -> StoreResult | None:
    if isinstance(write, StoreArticle):
        return archive.articles.store(write.record, run_id=run_id, fingerprint=write.fingerprint)
    if isinstance(write, UrlOutcome):
        archive.urls.record(
            write.urls,
            fetched_at=write.fetched_at,
            outcome=write.outcome.value,
            status=write.status,
            etag=write.etag,
            last_modified=write.last_modified,
            reason=write.reason,
            run_id=run_id,
        )
    elif isinstance(write, QueuedUrls):
        archive.urls.queue(list(write.urls), queued_at=write.queued_at, run_id=run_id)
    else:
        archive.frontier.park(write.parked)
    return None


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Mark a settled future's error as seen (its caller re-raises it when still waiting)."""
    if not future.cancelled():
        future.exception()


def _settle(future: asyncio.Future[Any], value: object, error: BaseException | None) -> None:
    if future.done():  # its caller gave up waiting (a timeout)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
