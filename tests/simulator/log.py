"""The simulator's request log: what arrived, when, and what was sent back."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

LOGGED_HEADERS = ("if-none-match", "if-modified-since", "user-agent", "accept-encoding", "host")


@dataclass(frozen=True)
class LogEntry:
    """One request: ``start`` when it arrived, ``end`` when the response was complete.

    Both are ``time.monotonic()`` values; ``end`` is None while the response is in flight.
    For ordinary responses ``end`` is taken just before the bytes are written, so a client
    that has read a response always finds it logged; for raw fault responses it is taken
    after the last byte (or the reset/close). ``status`` is what was sent (0: nothing,
    e.g. a reset or a hang).
    """

    host: str
    method: str
    target: str  # path + query as requested
    headers: tuple[tuple[str, str], ...]
    start: float
    status: int = 0
    end: float | None = None
    conn: int = 0  # connection number: equal values mean one kept-alive connection

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def header(self, name: str) -> str | None:
        return dict(self.headers).get(name.lower())


class RequestLog:
    """Thread-safe list of :class:`LogEntry`; written by the server, read by tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LogEntry] = []

    def open(
        self,
        host: str,
        method: str,
        target: str,
        headers: dict[str, str],
        start: float,
        conn: int = 0,
    ) -> int:
        kept = tuple((h, headers[h]) for h in LOGGED_HEADERS if h in headers)
        with self._lock:
            self._entries.append(LogEntry(host, method, target, kept, start, conn=conn))
            return len(self._entries) - 1

    def close(self, index: int, status: int, end: float) -> None:
        with self._lock:
            self._entries[index] = replace(self._entries[index], status=status, end=end)

    @property
    def entries(self) -> list[LogEntry]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def requests_for(self, host: str | None = None, path_prefix: str = "") -> list[LogEntry]:
        """Requests to ``host`` (any if None) whose path+query starts with ``path_prefix``."""
        return [
            e
            for e in self.entries
            if (host is None or e.host == host) and e.target.startswith(path_prefix)
        ]

    def max_concurrency(self, host: str | None = None) -> int:
        """Most requests to ``host`` in flight at once (arrival to completion)."""
        events: list[tuple[float, int]] = []
        for e in self.requests_for(host):
            events.append((e.start, 1))
            events.append((e.end if e.end is not None else float("inf"), -1))
        # At equal times, count completions first: back-to-back requests do not overlap.
        events.sort(key=lambda ev: (ev[0], ev[1]))
        best = current = 0
        for _, delta in events:
            current += delta
            best = max(best, current)
        return best

    def min_gap(self, host: str | None = None) -> float | None:
        """Smallest time between two consecutive arrivals at ``host``; None if < 2 requests."""
        starts = sorted(e.start for e in self.requests_for(host))
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        return min(gaps) if gaps else None
