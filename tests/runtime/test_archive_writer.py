"""The archive writer: every write of a crawl on one thread, several to a transaction."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import (
    Archive,
    ArchiveError,
    ArticleRecord,
    Fingerprint,
    Outcome,
    ParkedUrl,
    StoreOutcome,
    fingerprint,
)
from archive.articles import Articles  # patched: the writer's view of a stuck disk
from scraper.runtime.archive_writer import (
    ArchiveWriter,
    Landed,
    StoreFailed,
)
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
    return ArticleRecord(
        url=url, urls=(url,), text=text, fetched_at=T0, title=f"Story {i}", site="paper"
    )


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "a.db") as opened:
        yield opened


class Sink:
    def __init__(self) -> None:
        self.landed: list[Landed] = []
        self.errors: list[StoreFailed] = []

    @property
    def outcomes(self) -> list[StoreOutcome]:
        return [r.outcome for landed in self.landed for r in landed.results]


def writer(archive: Archive, sink: Sink, **kw: float) -> ArchiveWriter:
    options = {"size": 4, "interval": 30.0, "timeout": 30.0, **kw}
    return ArchiveWriter(
        archive.path,
        size=int(options["size"]),
        interval=options["interval"],
        timeout=options["timeout"],
        on_landed=sink.landed.append,
        on_failed=sink.errors.append,
    )


def article(i: int) -> tuple[ArticleRecord, Fingerprint, str]:
    return rec(i), fingerprint(body(i)), "paper.example"


def stored_urls(archive: Archive) -> list[str]:
    return [r["url"] for r in archive.db.table("articles").rows_where(order_by="id")]


async def wait_for(condition: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


def test_full_batches_are_stored_at_once_and_the_rest_on_drain(archive: Archive) -> None:
    async def main() -> ArchiveWriter:
        group = writer(archive, sink, size=3)
        await group.start()
        for i in range(8):
            group.store(*article(i))
        await wait_for(lambda: len(stored_urls(archive)) == 6)  # two full batches of 3
        await asyncio.sleep(0.1)
        assert len(stored_urls(archive)) == 6  # the third waits for company (or a drain)
        await group.drain()
        await group.close()
        return group

    sink = Sink()
    group = asyncio.run(main())
    assert stored_urls(archive) == [f"https://paper.example/news/{i}" for i in range(8)]
    assert group.batches == 3
    assert sink.outcomes == [StoreOutcome.NEW] * 8 and not sink.errors


def test_a_part_batch_is_stored_within_the_interval_without_a_drain(archive: Archive) -> None:
    async def main() -> None:
        group = writer(archive, sink, interval=0.05)
        await group.start()
        group.store(*article(1))
        await asyncio.sleep(0.5)
        assert stored_urls(archive) == ["https://paper.example/news/1"]
        await group.close()

    sink = Sink()
    asyncio.run(main())


def test_dedup_sees_the_earlier_articles_of_its_own_batch(archive: Archive) -> None:
    async def main() -> None:
        group = writer(archive, sink)
        await group.start()
        group.store(*article(1))
        copy = ArticleRecord(
            url="https://mirror.example/a",
            urls=("https://mirror.example/a",),
            text=body(1),
            fetched_at=T0,
            title="Story",
            site="mirror",
        )
        group.store(copy, fingerprint(body(1)), "mirror.example")
        await group.close()

    sink = Sink()
    asyncio.run(main())
    results = [r for landed in sink.landed for r in landed.results]
    assert [r.outcome for r in results] == [StoreOutcome.NEW, StoreOutcome.DUPLICATE]
    assert results[1].duplicate_of == results[0].article_id


def test_a_refused_article_ends_the_run_once_and_keeps_what_came_before(archive: Archive) -> None:
    # A real refusal by SQLite for one row: the writes before it in its batch still land.
    archive.conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN new.url LIKE '%/news/2' "
        "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
    )

    async def main() -> None:
        group = writer(archive, sink, size=8)
        await group.start()
        for i in (0, 1, 3, 2, 4):  # 4 comes after the refused one, in the same batch
            group.store(*article(i))
        await group.drain()
        group.store(*article(5))  # the run is ending: nothing more is written
        await group.close()

    sink = Sink()
    asyncio.run(main())
    assert stored_urls(archive) == [f"https://paper.example/news/{i}" for i in (0, 1, 3)]
    assert len(sink.errors) == 1 and "refused for the test" in str(sink.errors[0])
    assert sink.errors[0].reason == "store_failed"  # not an extraction worker's reason
    lost = [w.record.url for landed in sink.landed for w in landed.lost]
    assert lost == ["https://paper.example/news/2", "https://paper.example/news/4"]


def test_every_kind_of_write_lands_in_order_off_the_event_loop(archive: Archive) -> None:
    url = "https://paper.example/news/0"

    async def main() -> None:
        group = writer(archive, sink)
        await group.start()
        run_id = await group.begin_run(T0)
        group.queue([url])
        group.park([ParkedUrl("paper.example", url, "paper", "feed")])
        assert group.in_flight(url) and archive.urls.state(url) is None  # read-your-writes
        group.record(url, Outcome.FAILED, status=503, reason="http_503")
        taken = await group.take_parked("paper.example", 5)
        assert [p.url for p in taken] == [url]  # the parking landed before the take
        assert not group.in_flight(url)
        state = archive.urls.state(url)
        assert state is not None and state.outcome == "failed" and state.run_id == run_id
        threads.append(await group._call(lambda a: threading.get_ident()))
        await group.close()

    sink = Sink()
    threads: list[int] = []
    asyncio.run(main())
    assert threads and threads[0] != threading.get_ident()  # the loop wrote nothing itself


def test_a_writer_that_hangs_past_its_timeout_fails_the_run_with_one_error(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = Articles.store

    def stuck(self: Articles, *args: object, **kwargs: object) -> object:
        release.wait(10)  # a disk that stopped answering
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Articles, "store", stuck)

    async def main() -> None:
        group = writer(archive, sink, size=1, timeout=0.3)
        await group.start()
        group.store(*article(0))
        with pytest.raises(ArchiveError, match="took longer than 0.3s"):
            await group.drain()
        group.store(*article(1))  # dropped: the run is ending
        await group.close()  # does not wait for the stuck thread

    sink = Sink()
    asyncio.run(main())
    release.set()
    assert len(sink.errors) == 1 and "archive writer" in str(sink.errors[0])


def test_an_archive_the_writer_cannot_open_is_one_clear_error(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database" * 100)

    async def main() -> None:
        group = ArchiveWriter(damaged, size=4, interval=0.1, timeout=5)
        with pytest.raises(ArchiveError, match="damaged"):
            await group.start()

    asyncio.run(main())


def test_a_call_whose_caller_stopped_waiting_leaves_no_stray_error(archive: Archive) -> None:
    # A run that stops (SIGTERM, a failed writer) cancels tasks waiting on the writer; the
    # error their call then ends with must not be printed by asyncio, unstamped, at exit.
    reported: list[dict] = []

    def failing(_: Archive) -> None:
        time.sleep(0.2)
        raise ArchiveError("disk I/O error")

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _, ctx: reported.append(ctx))
        group = writer(archive, Sink())
        await group.start()
        waiting = asyncio.ensure_future(group._call(failing))
        await asyncio.sleep(0.05)
        waiting.cancel()  # the run stops while the writer is still at it
        await group.close()  # the call's future is settled with the error meanwhile
        await asyncio.sleep(0)
        del waiting
        gc.collect()

    asyncio.run(main())
    assert not [c for c in reported if "never retrieved" in str(c.get("message"))], reported
