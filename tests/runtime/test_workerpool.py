"""A runaway extraction costs one page: its worker is replaced and the pool goes on."""

from __future__ import annotations

import asyncio
import os
import selectors
from pathlib import Path

import pytest

from scraper.runtime.workerpool import ExtractionFailed, WorkerPool
from tests.faultkit import kill_group, start_script


@pytest.fixture
async def pool():
    p = WorkerPool("tests.workerfuncs:job", workers=1, timeout=2.0, memory_mb=512)
    yield p
    p.close()


async def test_result_comes_back(pool):
    kind, value, _ = await pool.run("echo", 7)
    assert (kind, value) == ("echo", 7)


async def test_timeout_kills_only_that_worker(pool):
    _, _, pid_before = await pool.run("echo")
    with pytest.raises(ExtractionFailed) as info:
        await pool.run("sleep", 30)
    assert info.value.reason == "extract_timeout"
    _, _, pid_after = await pool.run("echo")
    assert pid_after != pid_before


async def test_memory_limit_contains_a_hog():
    # Its own pool with a generous timeout: on a busy machine the worker's start and the
    # hog's first gigabyte may take longer than the 2 s the other tests' pool allows, and
    # only the memory cap may end this job.
    pool = WorkerPool("tests.workerfuncs:job", workers=1, timeout=60.0, memory_mb=512)
    try:
        with pytest.raises(ExtractionFailed) as info:
            await pool.run("hog", 40)  # 2.5 GiB against a 512 MiB limit
        assert info.value.reason == "extract_memory"
        assert (await pool.run("echo", 1))[1] == 1
    finally:
        pool.close()


async def test_exception_and_death_are_reported(pool):
    with pytest.raises(ExtractionFailed) as info:
        await pool.run("raise")
    assert info.value.reason == "extract_error" and "bad page" in str(info.value)
    with pytest.raises(ExtractionFailed):
        await pool.run("die")
    assert (await pool.run("echo", 2))[1] == 2


async def test_pages_of_several_megabytes_go_both_ways(pool):
    # Larger than any socket buffer: the pipe is written as the worker reads it.
    page = bytes(range(256)) * 40_000  # 10 MB
    kind, value, _ = await pool.run("echo", page)
    assert kind == "echo" and value == page


async def test_cancelled_exchange_does_not_poison_the_next_one(pool):
    task = asyncio.ensure_future(pool.run("sleep", 1))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The worker still owes the cancelled job's answer; the pool must not hand it out.
    assert (await pool.run("echo", 3))[1] == 3


async def test_workers_run_below_the_event_loops_priority():
    lower = WorkerPool("tests.workerfuncs:job", workers=1, timeout=5.0, memory_mb=512, nice=3)
    try:
        _, niceness, _ = await lower.run("niceness")
    finally:
        lower.close()
    assert niceness == min(19, os.nice(0) + 3)


# A fresh process, so that its forkserver starts (and imports the gated target) here.
_GATED_POOL = """
import asyncio
from scraper.runtime.workerpool import WorkerPool

async def main():
    pool = WorkerPool("tests.gatedjob:job", workers=1, timeout=60, memory_mb=512, background=True)
    print("constructed", flush=True)
    try:
        print(await pool.run(7), flush=True)
    finally:
        pool.close()

asyncio.run(main())
"""


def test_a_background_pool_hands_back_the_loop_before_its_workers_have_started(
    tmp_path: Path,
) -> None:
    # The crawl's case: its workers' start (imports, the language model) must not stop
    # the event loop that fetches robots.txt and feeds meanwhile.
    gate = tmp_path / "gate"
    proc = start_script(_GATED_POOL, env={"SCRAPER_TEST_GATE": str(gate)})
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as ready:
            ready.register(proc.stdout, selectors.EVENT_READ)
            assert ready.select(timeout=30), "the pool's constructor waited for its workers"
        assert proc.stdout.readline().strip() == "constructed"
        assert not gate.exists()  # so no worker can have started yet
        gate.touch()
        out, err = proc.communicate(timeout=60)
    finally:
        kill_group(proc)
    assert out.strip() == "7", err
