"""Targets for tests/runtime/test_workerpool.py, run inside extraction worker processes."""

from __future__ import annotations

import os
import time


def job(kind: str, value: int = 0) -> object:
    """Behave as ``kind`` says: echo, sleep, raise, eat memory, or die."""
    if kind == "echo":
        return ("echo", value, os.getpid())
    if kind == "niceness":
        return ("niceness", os.nice(0), os.getpid())
    if kind == "sleep":
        time.sleep(value)
        return "slept"
    if kind == "raise":
        raise ValueError("bad page")
    if kind == "hog":
        blocks = [bytearray(64 * 1024 * 1024) for _ in range(value)]
        return len(blocks)
    if kind == "die":
        os._exit(9)
    raise AssertionError(kind)
