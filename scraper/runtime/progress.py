"""Run statistics, the live display on a terminal, log lines under cron, the summary."""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from scraper import logs
from scraper.runtime.publishers import Publishers

MALFORMED_LISTED = 10  # documents named in the summary; the count covers the rest
LOG = logging.getLogger("scraper.crawl")


def _printable(text: str, limit: int = 200) -> str:
    """``text`` for one summary line: no control characters, at most ``limit`` long."""
    return "".join(c if c.isprintable() else "?" for c in text[:limit])


@dataclass
class RunStats:
    """Counters of one run; outcomes are counted, never raised."""

    discovered: int = 0
    known: int = 0  # already archived: not fetched again
    revisited: int = 0  # archived live blogs fetched again for new entries
    gone: int = 0  # answered 404/410 in an earlier run: not fetched again
    newly_gone: int = 0  # article pages that answered 404/410 in this run: not a failure
    fetched: int = 0
    not_modified: int = 0
    robots: int = 0
    deferred: int = 0
    no_article: int = 0
    malformed_urls: list[str] = field(default_factory=list)  # feeds/sitemaps that did not parse
    stored: Counter[str] = field(default_factory=Counter)  # new/updated/unchanged/duplicate
    failed: Counter[str] = field(default_factory=Counter)  # by reason
    host_failed: Counter[str] = field(default_factory=Counter)
    host_fetched: Counter[str] = field(default_factory=Counter)
    publishers: Publishers = field(default_factory=Publishers)  # per seed name
    deferred_by: Counter[str] = field(default_factory=Counter)  # fetches deferred, by reason
    started: float = field(default_factory=time.monotonic)

    def fail(self, host: str, reason: str, publisher: str | None = None) -> None:
        self.failed[reason] += 1
        self.host_failed[host] += 1
        if publisher is not None:
            self.publishers[publisher].failures[reason] += 1

    def defer(self, reason: str) -> None:
        self.deferred += 1
        self.deferred_by[reason] += 1

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def counts(self) -> dict[str, int]:
        """Flat counts for the runs table."""
        out = {
            "discovered": self.discovered,
            "known": self.known,
            "gone": self.gone,
            "newly_gone": self.newly_gone,
            "revisited": self.revisited,
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "robots": self.robots,
            "deferred": self.deferred,
            "no_article": self.no_article,
            "malformed": self.malformed,
        }
        out.update({f"article_{k}": v for k, v in self.stored.items()})
        out.update({f"failed_{k}": v for k, v in self.failed.items()})
        out.update({f"deferred_{k}": v for k, v in self.deferred_by.items()})
        return out

    @property
    def malformed(self) -> int:
        return len(self.malformed_urls)

    def summary_lines(self) -> list[str]:
        """The end-of-run summary, one fact per line, no control characters."""
        took = time.monotonic() - self.started
        rate = self.fetched / took if took > 0 else 0.0
        stored = ", ".join(f"{k} {v}" for k, v in sorted(self.stored.items())) or "none"
        lines = [
            f"discovered {self.discovered} (already archived {self.known}, gone {self.gone}"
            + (f", live blogs revisited {self.revisited}" if self.revisited else "")
            + "), "
            f"fetched {self.fetched}, not modified {self.not_modified}, "
            f"skipped by robots {self.robots}, deferred {self.deferred}"
            + (
                " (" + ", ".join(f"{k} {v}" for k, v in self.deferred_by.most_common()) + ")"
                if self.deferred_by
                else ""
            ),
            f"articles: {stored}; no article in page {self.no_article}; "
            f"gone (404/410) {self.newly_gone}",
            f"failed {self.failures}"
            + (
                ": " + ", ".join(f"{k} {v}" for k, v in self.failed.most_common())
                if self.failures
                else ""
            ),
        ]
        for host, n in sorted(self.host_failed.items()):
            ok = self.host_fetched.get(host, 0)
            lines.append(f"  {host}: {n} failed, {ok} fetched")
        if self.malformed:
            lines.append(f"discovery documents that did not parse: {self.malformed}")
            shown = self.malformed_urls[:MALFORMED_LISTED]
            lines.extend(f"  {_printable(url)}" for url in shown)
            if self.malformed > len(shown):
                lines.append(f"  … and {self.malformed - len(shown)} more")
        lines.append(f"duration {took:.1f}s ({rate:.1f} pages/s)")
        return lines


class Reporter:
    """Live table on a terminal; a progress log line every ``interval`` seconds otherwise.

    Its messages are ``logging`` records (logger ``scraper.crawl``): under cron they are
    timestamped lines; on a terminal they print above the live table, through the console
    :mod:`scraper.logs` set up for stderr.
    """

    def __init__(
        self,
        stats: RunStats,
        stream: TextIO | None = None,
        *,
        interval: float = 30.0,
        live: bool | None = None,
    ) -> None:
        self.stats = stats
        self._stream = stream or sys.stderr
        self._interval = interval
        self._last = time.monotonic()
        use_live = self._stream.isatty() if live is None else live
        console = logs.terminal_console(self._stream) or Console(file=self._stream)
        self._live = (
            Live(self._table(), console=console, refresh_per_second=4, transient=True)
            if use_live
            else None
        )

    def __enter__(self) -> Reporter:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()

    def tick(self) -> None:
        """Called after each event; refreshes the display or logs at the interval."""
        if self._live is not None:
            self._live.update(self._table())
            return
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._last = now
            s = self.stats
            self.log(
                f"progress: discovered {s.discovered} fetched {s.fetched} "
                f"stored {sum(s.stored.values())} failed {s.failures}"
            )

    def log(self, message: str, level: int = logging.INFO) -> None:
        """One log line (``scraper.crawl``)."""
        LOG.log(level, message)

    def warn(self, message: str) -> None:
        """One warning line: something failed, the run goes on."""
        LOG.warning(message)

    def _table(self) -> Table:
        s = self.stats
        table = Table(title="crawl", expand=False)
        for col in ("host", "fetched", "failed"):
            table.add_column(col)
        hosts = sorted(set(s.host_fetched) | set(s.host_failed))
        for host in hosts[:15]:
            table.add_row(host, str(s.host_fetched[host]), str(s.host_failed[host]))
        table.caption = (
            f"discovered {s.discovered} · fetched {s.fetched} · "
            f"stored {sum(s.stored.values())} · failed {s.failures}"
        )
        return table
