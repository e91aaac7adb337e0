"""Extraction workers: CPU-bound parsing off the event loop, each task time- and memory-capped.

``concurrent.futures.ProcessPoolExecutor`` cannot cancel a running task and breaks as a
whole when one worker dies, so a single 20 MB page or a pathological DOM would stall or
end the run. Here each worker is a process of its own, fed through a pipe; a task that
outlives its wall-clock limit gets its worker killed and replaced, and the address-space
limit set in every worker turns a runaway parse into a MemoryError (or a dead worker)
that costs one page, never the run.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from scraper.errors import ScraperError


class ExtractionFailed(ScraperError):
    """One page's extraction failed; ``reason`` is extract_timeout|extract_memory|extract_error."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _worker_main(conn: Connection, target: str, memory_mb: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    module, _, name = target.partition(":")
    func = getattr(importlib.import_module(module), name)
    while True:
        try:
            args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", func(*args, **kwargs)))
        except MemoryError:
            conn.send(("memory", "out of memory"))
        except Exception as exc:  # one page's bug must not end the worker
            conn.send(("error", f"{type(exc).__name__}: {exc}"[:300]))


def _exchange(conn: Connection, job: object) -> tuple[str, Any]:
    """Send one job and wait for its answer, in a thread: a page of several MB written
    into the pipe would otherwise block the event loop until the worker reads it."""
    conn.send(job)
    result: tuple[str, Any] = conn.recv()
    return result


@dataclass
class _Worker:
    process: Any
    conn: Connection


class WorkerPool:
    """A fixed set of extraction processes used from asyncio."""

    def __init__(self, target: str, *, workers: int, timeout: float, memory_mb: int) -> None:
        self._target = target
        self._timeout = timeout
        self._memory_mb = memory_mb
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload([target.partition(":")[0]])
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: list[_Worker] = []
        for _ in range(max(1, workers)):
            self._idle.put_nowait(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child, self._target, self._memory_mb),
                                 daemon=True)
        proc.start()
        child.close()
        worker = _Worker(proc, parent)
        self._all.append(worker)
        return worker

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the target in a free worker; ExtractionFailed on timeout, crash or error."""
        worker = await self._idle.get()
        loop = asyncio.get_running_loop()
        try:
            status, value = await asyncio.wait_for(
                loop.run_in_executor(None, _exchange, worker.conn, (args, kwargs)),
                self._timeout,
            )
        except TimeoutError:
            worker = self._replace(worker)
            raise ExtractionFailed(f"extraction exceeded {self._timeout:g}s",
                                   "extract_timeout") from None
        except (EOFError, OSError, BrokenPipeError):
            worker = self._replace(worker)
            raise ExtractionFailed("extraction worker died (memory limit?)",
                                   "extract_memory") from None
        finally:
            self._idle.put_nowait(worker)
        if status == "ok":
            return value
        raise ExtractionFailed(str(value), "extract_memory" if status == "memory"
                               else "extract_error")

    def _replace(self, worker: _Worker) -> _Worker:
        self._kill(worker)
        self._all.remove(worker)
        return self._spawn()

    @staticmethod
    def _kill(worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker."""
        for worker in self._all:
            try:
                worker.conn.close()
            except OSError:
                pass
            worker.process.terminate()
        for worker in self._all:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
        self._all.clear()
