"""WAL checkpoints on a background thread, so a writer's commit never waits for the disk.

In WAL mode a commit only appends pages to the ``-wal`` file (``synchronous=NORMAL``: no
fsync). The costly part is the checkpoint that copies those pages back into the database
and fsyncs it: SQLite runs it inside whichever commit crosses ``wal_autocheckpoint`` pages,
and on a large archive that one commit took 50-300 ms (about half of all store time).

:class:`Checkpointer` does that copy on its own connection and thread: ``PASSIVE``
checkpoints never take the write lock, so the writer keeps committing while the disk works
(SQLite releases the GIL during the call). A WAL file is only rewound by a writer that
starts a transaction when every page is copied, which a busy writer never sees; so once the
WAL is long and nearly copied, the thread asks the writer (:meth:`Checkpointer.rewind_due`)
to copy the short rest itself between two transactions, and its next one rewinds the file.
That is a ``PASSIVE`` checkpoint too: unlike ``RESTART`` it never waits for a reader, so a
long datasette query cannot stall a crawl. The writer's own ``wal_autocheckpoint`` stays as
a safety net at a higher mark. Crash safety is unchanged: checkpoints copy committed pages.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

POLL_SECONDS = 0.1  # one fsync per poll at most; a poll with nothing to copy costs microseconds
REWIND_FRAMES = 30_000  # rewind the WAL once it holds this many pages (~120 MB) ...
REWIND_BACKLOG = 1_000  # ... and at most this many are left to copy (a short writer pause)
WRITER_AUTOCHECKPOINT = 40_000  # the writer's own fallback if this thread falls behind


class Checkpointer:
    """A daemon thread checkpointing one archive's WAL; :meth:`stop` before closing."""

    def __init__(self, path: Path, busy_timeout_ms: int) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.last_error: str | None = None
        self._rewind = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="archive-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the checkpoint in progress and end the thread (idempotent)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def rewind_due(self) -> bool:
        """True (once) when the writer should checkpoint the rest so the WAL can rewind."""
        if not self._rewind.is_set():
            return False
        self._rewind.clear()
        return True

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=self.busy_timeout_ms / 1000
            )
        except sqlite3.Error as exc:  # the writer's autocheckpoint still covers the archive
            self.last_error = str(exc)
            return
        try:
            while not self._stop.wait(POLL_SECONDS):
                self._step(conn)
        finally:
            conn.close()

    def _step(self, conn: sqlite3.Connection) -> None:
        """One poll: copy what the WAL holds; ask for a rewind if it is long and nearly copied."""
        try:
            _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # busy or disk trouble: the writer's next commit reports it
            self.last_error = str(exc)
        else:
            if frames >= REWIND_FRAMES and frames - copied <= REWIND_BACKLOG:
                self._rewind.set()
