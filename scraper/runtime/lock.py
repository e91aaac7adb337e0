"""Single-run lock: a second crawl on the same archive exits at once (code 75).

``flock`` on a file beside the database: the kernel drops the lock when its holder dies,
even by SIGKILL, so a crashed run never leaves a stale lock behind. The lock is named after
the database's resolved path, so a symlink, ``./`` or a relative ``--db`` naming the same
archive takes the same lock.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from scraper.errors import LockHeld


class RunLock:
    """Exclusive, non-blocking lock on ``<resolved db>.lock``."""

    def __init__(self, db_path: Path) -> None:
        real = db_path.resolve()  # symlinks followed, even a dangling one's target
        self.path = real.with_name(real.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise LockHeld(f"another run (pid {holder}) holds {self.path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
