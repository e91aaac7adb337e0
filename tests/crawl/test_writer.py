"""Group commit: the crawl's archive writes, several articles to a transaction."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import (
    Archive,
    ArchiveError,
    ArticleRecord,
    StoreOutcome,
    StoreResult,
    fingerprint,
)
from scraper.crawl.writer import GroupCommit, WriterProcess
from tests import paths

FIXTURES = paths.FIXTURES / "archive" / "articles"
T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)


def body(i: int) -> str:
    """Article ``i`` (0-7): one of the distinct fixture articles."""
    names = sorted(p.stem for p in FIXTURES.glob("*.txt") if "rewrite" not in p.stem)
    names += ["water_rewrite_a", "water_rewrite_b"]  # rewrites of one story: distinct too
    return (FIXTURES / f"{names[i]}.txt").read_text("utf-8")


def rec(i: int, text: str | None = None) -> ArticleRecord:
    url = f"https://paper.example/news/{i}"
    text = body(i) if text is None else text
    return ArticleRecord(url=url, urls=(url,), text=text, fetched_at=T0, title=f"Story {i}",
                         site="paper")


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "a.db") as opened:
        yield opened


class Sink:
    def __init__(self) -> None:
        self.results: list[StoreResult] = []
        self.errors: list[BaseException] = []


def writer(archive: Archive, sink: Sink, **kw: float) -> GroupCommit:
    options = {"size": 4, "interval": 30.0, **kw}
    return GroupCommit(archive, run_id=None, size=int(options["size"]),
                       interval=options["interval"], on_stored=sink.results.append,
                       on_error=sink.errors.append)


def stored_urls(archive: Archive) -> list[str]:
    return [r["url"] for r in archive.db.table("articles").rows_where(order_by="id")]


def test_full_batches_are_stored_at_once_and_the_rest_on_flush(archive: Archive) -> None:
    async def main() -> GroupCommit:
        group = writer(archive, sink, size=3)
        for i in range(8):
            group.add(rec(i), fingerprint(body(i)))
        assert len(stored_urls(archive)) == 6 and len(group) == 2  # two full batches of 3
        group.flush()
        return group

    sink = Sink()
    group = asyncio.run(main())
    assert stored_urls(archive) == [f"https://paper.example/news/{i}" for i in range(8)]
    assert group.batches == 3
    assert [r.outcome for r in sink.results] == [StoreOutcome.NEW] * 8 and not sink.errors


def test_a_part_batch_is_stored_within_the_interval_without_a_flush(archive: Archive) -> None:
    async def main() -> None:
        group = writer(archive, sink, interval=0.05)
        group.add(rec(1), fingerprint(body(1)))
        assert stored_urls(archive) == []  # waiting for company
        await asyncio.sleep(0.3)
        assert len(group) == 0

    sink = Sink()
    asyncio.run(main())
    assert stored_urls(archive) == ["https://paper.example/news/1"]


def test_dedup_sees_the_earlier_articles_of_its_own_batch(archive: Archive) -> None:
    async def main() -> None:
        group = writer(archive, sink)
        group.add(rec(1), fingerprint(body(1)))
        copy = ArticleRecord(url="https://mirror.example/a", urls=("https://mirror.example/a",),
                             text=body(1), fetched_at=T0, title="Story", site="mirror")
        group.add(copy, fingerprint(body(1)))
        group.flush()

    sink = Sink()
    asyncio.run(main())
    assert [r.outcome for r in sink.results] == [StoreOutcome.NEW, StoreOutcome.DUPLICATE]
    assert sink.results[1].duplicate_of == sink.results[0].article_id


def test_one_refused_article_does_not_take_its_batch_down(archive: Archive) -> None:
    # A real refusal by SQLite for one row; the others of its batch must still land.
    archive.conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN new.url LIKE '%/news/2' "
        "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
    )

    async def main() -> GroupCommit:
        group = writer(archive, sink)
        for i in (0, 1, 3, 2):  # the refused one last: everything before it is stored alone
            group.add(rec(i), fingerprint(body(i)))
        group.add(rec(5), fingerprint(body(5)))  # the run is ending: nothing more is written
        group.flush()
        return group

    sink = Sink()
    group = asyncio.run(main())
    assert stored_urls(archive) == [f"https://paper.example/news/{i}" for i in (0, 1, 3)]
    assert len(sink.errors) == 1 and isinstance(sink.errors[0], ArchiveError)
    assert "refused for the test" in str(sink.errors[0])
    assert group.batches == 3  # the failed batch was retried one article per transaction


def in_process(archive: Archive, sink: Sink, **kw: float) -> GroupCommit:
    """A group commit as the crawl builds it: the writer is a process of its own."""
    options = {"size": 3, "interval": 30.0, **kw}
    return GroupCommit(archive, run_id=None, size=int(options["size"]),
                       interval=options["interval"], on_stored=sink.results.append,
                       on_error=sink.errors.append, writer=WriterProcess(archive.path))


def test_writer_process_stores_every_batch_in_order_and_reports_on_the_loop(
        archive: Archive) -> None:
    async def main() -> None:
        group = in_process(archive, sink)
        for i in range(8):
            group.add(rec(i), fingerprint(body(i)))
        assert stored_urls(archive) == []  # nothing is written by the loop's own process
        await group.drain()
        group.close()

    sink = Sink()
    asyncio.run(main())
    assert stored_urls(archive) == [f"https://paper.example/news/{i}" for i in range(8)]
    assert [r.outcome for r in sink.results] == [StoreOutcome.NEW] * 8 and not sink.errors
    ids = [r.article_id for r in sink.results]
    assert ids == sorted(ids)  # the batches landed in the order they were added


def test_writer_process_refusal_is_reported_once_and_spares_the_others(
        archive: Archive) -> None:
    archive.conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN new.url LIKE '%/news/2' "
        "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
    )

    async def main() -> None:
        group = in_process(archive, sink)
        for i in (0, 1, 2):
            group.add(rec(i), fingerprint(body(i)))
        await group.drain()
        group.add(rec(5), fingerprint(body(5)))  # after the failure: not written
        await group.drain()
        group.close()

    sink = Sink()
    asyncio.run(main())
    assert stored_urls(archive) == [f"https://paper.example/news/{i}" for i in (0, 1)]
    assert len(sink.errors) == 1 and "refused for the test" in str(sink.errors[0])


def test_writer_process_that_dies_fails_its_batch_with_one_clear_error(
        archive: Archive) -> None:
    async def main() -> None:
        group, pid = await two_stored(archive, sink)
        os.kill(pid, signal.SIGKILL)
        group.add(rec(2), fingerprint(body(2)))
        group.add(rec(3), fingerprint(body(3)))
        await group.drain()
        group.close()

    sink = Sink()
    asyncio.run(main())
    assert stored_urls(archive) == [f"https://paper.example/news/{i}" for i in (0, 1)]
    assert [r.outcome for r in sink.results] == [StoreOutcome.NEW] * 2
    assert len(sink.errors) == 1 and isinstance(sink.errors[0], ArchiveError)
    assert "archive writer process died" in str(sink.errors[0])


def test_writer_process_outlives_a_signal_to_the_process_group(archive: Archive) -> None:
    async def main() -> None:
        group, pid = await two_stored(archive, sink)
        for sig in (signal.SIGINT, signal.SIGTERM):  # what Ctrl-C or `kill -- -PGID` sends
            os.kill(pid, sig)
        await asyncio.sleep(0.2)
        group.add(rec(2), fingerprint(body(2)))  # drained after the signal, as the crawl does
        await group.drain()
        group.close()

    sink = Sink()
    asyncio.run(main())
    assert stored_urls(archive) == [f"https://paper.example/news/{i}" for i in range(3)]
    assert not sink.errors


async def two_stored(archive: Archive, sink: Sink) -> tuple[GroupCommit, int]:
    """A group commit with a writer process, batches of 2, after one batch; the writer's pid."""
    writer = WriterProcess(archive.path)
    group = GroupCommit(archive, run_id=None, size=2, interval=30.0,
                        on_stored=sink.results.append, on_error=sink.errors.append,
                        writer=writer)
    group.add(rec(0), fingerprint(body(0)))
    group.add(rec(1), fingerprint(body(1)))
    await group.drain()
    return group, writer_pid(writer)


def writer_pid(writer: WriterProcess) -> int:
    (worker,) = writer._pool._all  # one process
    pid = worker.process.pid
    assert pid is not None and pid != os.getpid()
    return int(pid)
