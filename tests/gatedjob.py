"""A worker target whose import waits for a file to exist: a worker start the test holds.

The forkserver imports a pool's target module before it forks the first worker, as it
does trafilatura and the language model for extraction; ``SCRAPER_TEST_GATE`` names the
file it waits for (at most a minute, so a test that dies leaves nothing running).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_GATE = os.environ.get("SCRAPER_TEST_GATE")
_deadline = time.monotonic() + 60
while _GATE and not Path(_GATE).exists() and time.monotonic() < _deadline:
    time.sleep(0.01)


def job(value: int) -> int:
    return value
