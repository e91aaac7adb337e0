"""One host's queue of article URLs: a window in memory, the rest parked in the archive.

A first crawl of a large sitemap queues tens of thousands of URLs per host; held in memory
that is ~0.6 KB each. :class:`HostFrontier` keeps at most ``window`` jobs in memory. Beyond
that the pipeline parks the URLs in the archive's ``frontier`` table (in batches, with the
publisher and the feed's date) and the queue takes them back, in the order they were
found, whenever its window runs empty. So a crawl's memory does not grow with the number
of URLs it discovers.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Job = TypeVar("Job")


class HostFrontier(Generic[Job]):
    """FIFO of one host's jobs for its fetch workers; ``take(limit)`` brings parked ones back.

    :meth:`put` returns False when the job did not fit in memory: the caller parks it (the
    crawl hands parked URLs to the archive writer once per discovery batch; ``take`` runs
    on the writer too, after them). Once anything is parked, later jobs are parked too, so
    the order of discovery holds.
    """

    def __init__(self, window: int, take: Callable[[int], Awaitable[list[Job]]]) -> None:
        self.window = max(1, window)
        self.parked = 0
        self._take = take
        self._jobs: deque[Job] = deque()
        self._closed = False
        self._wake = asyncio.Event()

    def __len__(self) -> int:
        """Jobs in memory (not counting parked ones)."""
        return len(self._jobs)

    def put(self, job: Job) -> bool:
        """Queue ``job`` in memory; False if the caller must park it instead."""
        self._wake.set()
        if self.parked or len(self._jobs) >= self.window:
            self.parked += 1
            return False
        self._jobs.append(job)
        return True

    def close(self) -> None:
        """No more jobs will come: workers get None once the queue and the parked are done."""
        self._closed = True
        self._wake.set()

    async def get(self) -> Job | None:
        """The next job, waiting for one; None when closed and empty."""
        while True:
            if not self._jobs and self.parked:
                taken = await self._take(self.window)
                # Fewer than expected means the parked rows are gone (they cannot be, but
                # a queue that waits for them forever would hang the run).
                self.parked = max(0, self.parked - len(taken)) if taken else 0
                self._jobs.extend(taken)
            if self._jobs:
                return self._jobs.popleft()
            if self._closed:
                return None
            self._wake.clear()
            await self._wake.wait()
