"""Per-host delay and concurrency hold; a pause (429) makes the whole host wait."""

from __future__ import annotations

import asyncio

from scraper.fetch.politeness import HostScheduler, _Slots


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_delay_between_starts_on_one_host():
    clock = FakeClock()
    sched = HostScheduler(
        global_concurrency=8,
        per_host_concurrency=4,
        per_host_delay=2.0,
        clock=clock,
        sleep=clock.sleep,
    )
    starts: list[float] = []

    async def request() -> None:
        async with sched.slot("a.example"):
            starts.append(clock.now)

    await asyncio.gather(*(request() for _ in range(4)))
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert all(g >= 2.0 for g in gaps), gaps


async def test_delay_counts_from_the_end_of_the_previous_response():
    # Responses take 3 s each on a 2 s delay: each request starts 2 s after the previous
    # one ENDED (t=0, 5, 10), not 2 s after it started, as a host would see it.
    clock = FakeClock()
    sched = HostScheduler(
        global_concurrency=8,
        per_host_concurrency=1,
        per_host_delay=2.0,
        clock=clock,
        sleep=clock.sleep,
    )
    spans: list[tuple[float, float]] = []

    async def request() -> None:
        async with sched.slot("a.example"):
            began = clock.now
            clock.now += 3.0  # a slow download
            spans.append((began, clock.now))

    for _ in range(3):
        await request()
    assert [start for start, _ in spans] == [0.0, 5.0, 10.0]


async def test_a_second_slot_starts_a_delay_after_the_first_yet_waits_for_an_end():
    # Two slots, a 2 s delay: the second request may start while the first downloads
    # (t=2), but the third waits 2 s after the first one's end (t=10), not after a start.
    clock = FakeClock()
    sched = HostScheduler(
        global_concurrency=8,
        per_host_concurrency=2,
        per_host_delay=2.0,
        clock=clock,
        sleep=clock.sleep,
    )
    starts: list[float] = []
    first_done = asyncio.Event()

    async def slow() -> None:
        async with sched.slot("a.example"):
            starts.append(clock.now)
            await first_done.wait()
            clock.now = 8.0  # the first response ends at t=8

    async def quick() -> None:
        async with sched.slot("a.example"):
            starts.append(clock.now)
            if len(starts) == 2:
                first_done.set()

    await asyncio.gather(slow(), quick(), quick())
    assert starts == [0.0, 2.0, 10.0]


async def test_hosts_do_not_wait_for_each_other():
    clock = FakeClock()
    sched = HostScheduler(
        global_concurrency=8,
        per_host_concurrency=1,
        per_host_delay=5.0,
        clock=clock,
        sleep=clock.sleep,
    )
    starts: dict[str, float] = {}

    async def request(host: str) -> None:
        async with sched.slot(host):
            starts[host] = clock.now

    await asyncio.gather(*(request(f"h{i}.example") for i in range(5)))
    assert max(starts.values()) == 0.0


async def test_per_host_concurrency_cap():
    sched = HostScheduler(global_concurrency=10, per_host_concurrency=2, per_host_delay=0.0)
    active = peak = 0

    async def request() -> None:
        nonlocal active, peak
        async with sched.slot("a.example"):
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1

    await asyncio.gather(*(request() for _ in range(8)))
    assert peak == 2


async def test_pause_delays_next_request():
    clock = FakeClock()
    sched = HostScheduler(
        global_concurrency=2,
        per_host_concurrency=1,
        per_host_delay=0.0,
        clock=clock,
        sleep=clock.sleep,
    )
    sched.pause("a.example", 30.0)
    async with sched.slot("a.example"):
        assert clock.now >= 30.0


async def test_crawl_delay_only_raises_the_delay():
    sched = HostScheduler(global_concurrency=2, per_host_concurrency=1, per_host_delay=1.0)
    sched.configure("a.example", delay=0.1)
    assert sched.delay_of("a.example") == 1.0
    sched.configure("a.example", delay=4.0)
    assert sched.delay_of("a.example") == 4.0


async def test_urgent_requests_get_the_next_global_slot_first():
    sched = HostScheduler(global_concurrency=1, per_host_concurrency=4, per_host_delay=0.0)
    order: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with sched.slot("busy.example"):
            await release.wait()

    async def request(name: str, host: str, urgent: bool) -> None:
        async with sched.slot(host, urgent=urgent):
            order.append(name)

    first = asyncio.ensure_future(holder())
    await asyncio.sleep(0)
    waiting = [
        asyncio.ensure_future(request(f"article{i}", f"a{i}.example", False)) for i in range(3)
    ]
    await asyncio.sleep(0)
    waiting.append(asyncio.ensure_future(request("sitemap", "b.example", True)))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, *waiting)
    assert order == ["sitemap", "article0", "article1", "article2"]


async def test_host_delay_counts_from_the_real_start_after_a_global_wait():
    # One global slot, held by another host until t=3: the host's first request starts
    # late, and its second must still wait the full delay after that late start.
    clock = FakeClock()
    sched = HostScheduler(
        global_concurrency=1,
        per_host_concurrency=2,
        per_host_delay=2.0,
        clock=clock,
        sleep=clock.sleep,
    )
    starts: list[float] = []
    release = asyncio.Event()

    async def hog() -> None:
        async with sched.slot("other.example"):
            await release.wait()

    async def request() -> None:
        async with sched.slot("a.example"):
            starts.append(clock.now)

    hogging = asyncio.ensure_future(hog())
    await asyncio.sleep(0)
    requests = [asyncio.ensure_future(request()) for _ in range(2)]
    for _ in range(5):
        await asyncio.sleep(0)  # both requests are queued behind the hog now
    clock.now = max(clock.now, 3.0)
    release.set()
    await asyncio.gather(hogging, *requests)
    assert starts[0] >= 3.0 and starts[1] - starts[0] >= 2.0, starts


async def test_a_cancelled_waiter_does_not_lose_a_global_slot():
    sched = HostScheduler(global_concurrency=1, per_host_concurrency=4, per_host_delay=0.0)
    release = asyncio.Event()

    async def holder() -> None:
        async with sched.slot("busy.example"):
            await release.wait()

    async def request(host: str) -> str:
        async with sched.slot(host):
            return host

    first = asyncio.ensure_future(holder())
    await asyncio.sleep(0)
    doomed = asyncio.ensure_future(request("a.example"))
    await asyncio.sleep(0)
    release.set()
    await asyncio.sleep(0)  # the slot is handed to the waiter ...
    doomed.cancel()  # ... which is cancelled before it runs
    await asyncio.gather(first, doomed, return_exceptions=True)
    assert await asyncio.wait_for(request("b.example"), 1.0) == "b.example"


async def test_a_waiter_cancelled_just_before_a_release_ends_cancelled_and_frees_the_slot():
    # release() skips the cancelled waiter before that waiter's own clean-up has run.
    slots = _Slots(1)
    await slots.acquire(urgent=False)
    doomed = asyncio.ensure_future(slots.acquire(urgent=False))
    await asyncio.sleep(0)
    doomed.cancel()
    slots.release()
    results = await asyncio.gather(doomed, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError)
    await asyncio.wait_for(slots.acquire(urgent=True), 1.0)  # the slot was freed
