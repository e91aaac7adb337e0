"""Run our crawl (``python -m scraper crawl``) against a running bench simulator, measured.

The crawl runs as its own process, exactly as ``make crawl`` would, with the politeness
rules passed through ``SCRAPER_*`` environment variables; the simulator (in the bench's
process) logs every request, so the rate is read from what the server saw.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.bound import Politeness
from bench.measure import (
    ARTICLE_PREFIXES,
    ProcResult,
    Window,
    article_window,
    run_measured,
)
from bench.quality import Quality, score_texts
from tests.simulator import Simulator
from tests.simulator.log import LogEntry

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CrawlRun:
    """One measured crawl: the server-side window, the process, the text quality."""

    window: Window
    proc: ProcResult
    quality: Quality | None
    stored: int


def crawl_env(rules: Politeness, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for ``scraper crawl`` under ``rules``; every article is in scope."""
    env = dict(os.environ)
    env.update(
        {
            "SCRAPER_PER_HOST_DELAY": f"{rules.delay:g}",
            "SCRAPER_PER_HOST_CONCURRENCY": str(rules.concurrency),
            "SCRAPER_GLOBAL_CONCURRENCY": str(rules.global_concurrency),
            # The site's articles span days; the bench wants all of them, not the last 3 days.
            "SCRAPER_LASTMOD_WINDOW_DAYS": "0",
        }
    )
    env.update(extra or {})
    return env


def run_crawl(
    sim: Simulator,
    rules: Politeness,
    *,
    timeout: float = 600.0,
    score: bool = True,
    extra_env: dict[str, str] | None = None,
) -> CrawlRun:
    """Crawl every publisher of ``sim`` into a fresh archive; the log is cleared first."""
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        folder = Path(tmp)
        sim.write_seeds(folder / "seeds")
        db = folder / "archive.db"
        sim.clear_log()
        cmd = [
            sys.executable,
            "-m",
            "scraper",
            "crawl",
            "--seeds",
            str(folder / "seeds"),
            "--db",
            str(db),
            "--allow-address",
            "127.0.0.0/8",
            "--quiet",
        ]
        proc = run_measured(
            cmd,
            env=crawl_env(rules, extra_env),
            cwd=REPO,
            timeout=timeout,
            progress=lambda: article_count(sim.log),
        )
        window = article_window(sim.log)
        texts = archived_texts(db) if db.exists() else {}
    quality = score_texts(texts, sim) if score else None
    return CrawlRun(window, proc, quality, len(texts))


def article_count(log: list[LogEntry]) -> int:
    """Article pages the server has answered so far."""
    return sum(1 for e in log if e.end is not None and e.path.startswith(ARTICLE_PREFIXES))


def archived_texts(db: Path) -> dict[str, str]:
    """URL → stored text, for every URL an archived article is known under."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT url, text FROM articles").fetchall()
        try:
            rows += conn.execute(
                "SELECT u.url, a.text FROM article_urls u JOIN articles a ON a.id = u.article_id"
            ).fetchall()
        except sqlite3.OperationalError:  # a v1 archive has no alias table
            pass
    finally:
        conn.close()
    return dict(rows)


def failure_line(run: CrawlRun) -> str | None:
    """A one-line reason when the crawl did not run to completion, else None."""
    if run.proc.timed_out:
        return f"crawl killed after {run.proc.wall:.0f}s (time bound)"
    if run.proc.returncode not in (0, 3):  # 3: finished with some failures (the 404 link)
        tail = (run.proc.stderr.strip().splitlines() or ["no output"])[-1]
        return f"crawl exited {run.proc.returncode}: {tail[:200]}"
    return None
