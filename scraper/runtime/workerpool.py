"""Extraction workers: CPU-bound parsing off the event loop, each task time- and memory-capped.

``concurrent.futures.ProcessPoolExecutor`` cannot cancel a running task and breaks as a
whole when one worker dies, so a single 20 MB page or a pathological DOM would stall or
end the run. Here each worker is a process of its own, fed through a pipe; a task that
outlives its wall-clock limit gets its worker killed and replaced, and the address-space
limit set in every worker turns a runaway parse into a MemoryError (or a dead worker)
that costs one page, never the run.

The parent's end of each pipe is a non-blocking socket served by the event loop itself
(the worker keeps ``multiprocessing``'s framing): no thread per job, so no thread handoffs
or GIL contention on the loop that also drives every fetch.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import multiprocessing
import os
import pickle
import resource
import signal
import socket
import struct
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from archive import Reason
from scraper.errors import ScraperError

# (Extraction, Fingerprint); the forkserver preloads the target's module, and this one loads
# the language model as well, so workers fork with it (scraper.extract.preload)
EXTRACT_TARGET = "scraper.extract.preload:extract_for_archive"
ORPHAN_CHECK_S = 0.5  # how often a worker checks that its parent is still there


class ExtractionFailed(ScraperError):
    """One page's extraction failed; ``reason`` is extract_timeout|extract_memory|extract_error."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _worker_main(
    conn: Connection, target: str, memory_mb: int, nice: int = 0, shielded: bool = False
) -> None:
    if shielded:  # Ctrl-C or a SIGTERM to the process group: the parent decides when to stop
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if nice > 0:
        try:
            os.nice(nice)
        except OSError:
            pass  # not allowed here: run at the parent's priority
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    module, _, name = target.partition(":")
    func = getattr(importlib.import_module(module), name)
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    while True:
        try:
            args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", func(*args, **kwargs))
        except MemoryError:
            answer = ("memory", "out of memory")
        except Exception as exc:  # one page's bug must not end the worker
            answer = ("error", f"{type(exc).__name__}: {exc}"[:300])
        try:
            conn.send(answer)
        except OSError:  # the parent is gone (SIGKILLed): nobody to answer, nothing to say
            return


def _exit_when_orphaned(parent: int) -> None:
    """End the worker, quietly, once its parent is gone.

    The parent is the forkserver, which exits when the crawl does (even by SIGKILL): a
    worker parsing a pathological page would otherwise run on, its time limit being the
    dead crawl's to enforce.
    """
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_S)
    os._exit(0)


def _frame(payload: bytes) -> bytes:
    """``multiprocessing.Connection``'s framing (what the worker's ``recv`` expects)."""
    if len(payload) > 0x7FFFFFFF:
        return struct.pack("!i", -1) + struct.pack("!Q", len(payload))
    return struct.pack("!i", len(payload))


async def _recv_exactly(loop: asyncio.AbstractEventLoop, sock: socket.socket, n: int) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        count = await loop.sock_recv_into(sock, view[got:])
        if count == 0:
            raise EOFError("extraction worker closed its pipe")
        got += count
    return buf


async def _exchange(sock: socket.socket, job: object) -> tuple[str, Any]:
    """Send one job and wait for its answer, on the event loop's own socket readiness.

    No thread per job: the socket is non-blocking, so a page of several MB goes out as the
    worker reads it while the loop runs on.
    """
    loop = asyncio.get_running_loop()
    payload = pickle.dumps(job, pickle.HIGHEST_PROTOCOL)
    await loop.sock_sendall(sock, _frame(payload) + payload)
    (size,) = struct.unpack("!i", await _recv_exactly(loop, sock, 4))
    if size == -1:
        (size,) = struct.unpack("!Q", await _recv_exactly(loop, sock, 8))
    result: tuple[str, Any] = pickle.loads(await _recv_exactly(loop, sock, size))
    return result


@dataclass
class _Worker:
    process: Any
    sock: socket.socket
    dirty: bool = False  # an exchange was cut short: what is left in the pipe is garbage


class WorkerPool:
    """A fixed set of worker processes used from asyncio (extraction; the archive writer).

    ``shielded`` workers ignore SIGINT and SIGTERM, so a signal to the whole process group
    leaves them to finish what the parent still sends (the archive writer, draining); they
    end when the parent closes their pipe.

    ``background`` workers are spawned on a thread of their own, and the first
    :meth:`run` waits for them: starting the forkserver imports the target's module (for
    extraction: trafilatura and the language model, 1-2 s of CPU), and a crawl fetches
    robots.txt and feeds meanwhile instead of waiting with its event loop stopped.
    """

    def __init__(
        self,
        target: str,
        *,
        workers: int,
        timeout: float,
        memory_mb: int,
        nice: int = 0,
        shielded: bool = False,
        background: bool = False,
    ) -> None:
        self._target = target
        self._nice = nice
        self._shielded = shielded
        self._timeout = timeout
        self._memory_mb = memory_mb
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload([target.partition(":")[0]])
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: list[_Worker] = []
        self._spawner: concurrent.futures.ThreadPoolExecutor | None = None
        self._spawning: concurrent.futures.Future[list[_Worker]] | None = None
        count = max(1, workers)
        if background:
            self._spawner = concurrent.futures.ThreadPoolExecutor(1, "workerpool-spawn")
            self._spawning = self._spawner.submit(lambda: [self._spawn() for _ in range(count)])
        else:
            for _ in range(count):
                self._idle.put_nowait(self._spawn())

    async def _started(self) -> None:
        """Wait for the background spawn; the first caller to see it done hands the workers out."""
        spawning = self._spawning
        if spawning is None:
            return
        workers = await asyncio.wrap_future(spawning)  # raises what the spawn raised
        if self._spawning is spawning:
            self._spawning = None
            for worker in workers:
                self._idle.put_nowait(worker)

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()  # a socketpair: the parent end goes non-blocking
        proc = self._ctx.Process(
            target=_worker_main,
            daemon=True,
            args=(child, self._target, self._memory_mb, self._nice, self._shielded),
        )
        proc.start()
        child.close()
        sock = socket.socket(fileno=os.dup(parent.fileno()))
        parent.close()
        sock.setblocking(False)
        worker = _Worker(proc, sock)
        self._all.append(worker)
        return worker

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the target in a free worker; ExtractionFailed on timeout, crash or error."""
        await self._started()
        worker = await self._idle.get()
        if worker.dirty:
            worker = self._replace(worker)
        try:
            worker.dirty = True  # until the answer is read in full
            status, value = await asyncio.wait_for(
                _exchange(worker.sock, (args, kwargs)), self._timeout
            )
            worker.dirty = False
        except TimeoutError:
            worker = self._replace(worker)
            raise ExtractionFailed(
                f"extraction exceeded {self._timeout:g}s", Reason.EXTRACT_TIMEOUT
            ) from None
        except (EOFError, OSError):
            worker = self._replace(worker)
            raise ExtractionFailed(
                "extraction worker died (memory limit?)", Reason.EXTRACT_MEMORY
            ) from None
        finally:
            self._idle.put_nowait(worker)  # a cancelled exchange leaves it dirty: replaced
        if status == "ok":
            return value
        raise ExtractionFailed(
            str(value), Reason.EXTRACT_MEMORY if status == "memory" else Reason.EXTRACT_ERROR
        )

    def _replace(self, worker: _Worker) -> _Worker:
        self._kill(worker)
        self._all.remove(worker)
        return self._spawn()

    @staticmethod
    def _kill(worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.sock.close()

    def close(self) -> None:
        """Stop every worker (those still being spawned too, once they are)."""
        if self._spawner is not None:
            self._spawner.shutdown(wait=True)
        for worker in self._all:
            try:
                worker.sock.close()
            except OSError:
                pass
            worker.process.terminate()
        for worker in self._all:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
        self._all.clear()
