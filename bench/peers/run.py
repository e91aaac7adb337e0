"""Run one peer (trafilatura's downloader, Scrapy + trafilatura) on the bench site, measured.

Peers get the site's article URLs directly (round-robin over hosts, the order a polite
broad crawl would use); they skip discovery, which our crawl does in the same window,
so the comparison favours them slightly. The rate is read from the simulator's log.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.bound import Politeness
from bench.measure import ProcResult, Window, article_window, run_measured
from bench.quality import Quality, score_texts
from tests.simulator import Simulator

REPO = Path(__file__).resolve().parents[2]
PEERS = {
    "trafilatura": ("bench.peers.trafilatura_runner", "trafilatura"),
    "scrapy+trafilatura": ("bench.peers.scrapy_runner", "scrapy"),
}


@dataclass(frozen=True)
class PeerRun:
    """One peer's measured run."""

    name: str
    window: Window
    proc: ProcResult
    quality: Quality


def available(name: str) -> str | None:
    """None if the peer can run here, else why not (one line)."""
    module = PEERS[name][1]
    if importlib.util.find_spec(module) is None:
        return f"{module} is not installed here (run through `make bench`: build/venv-bench)"
    return None


def interleaved_urls(sim: Simulator) -> list[str]:
    """Every article URL, one host after another in turn."""
    by_host: dict[str, list[str]] = {}
    for article in sim.site.articles:
        by_host.setdefault(article.host, []).append(sim.article_url(article))
    rounds = itertools.zip_longest(*by_host.values())
    return [u for batch in rounds for u in batch if u is not None]


def run_peer(name: str, sim: Simulator, rules: Politeness, *, timeout: float = 600.0) -> PeerRun:
    """Run peer ``name`` over every article of ``sim`` under ``rules``."""
    module = PEERS[name][0]
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        urls, out = Path(tmp, "urls.txt"), Path(tmp, "out.jsonl")
        urls.write_text("\n".join(interleaved_urls(sim)) + "\n", encoding="utf-8")
        sim.clear_log()
        cmd = [
            sys.executable,
            "-m",
            module,
            str(urls),
            str(out),
            "--delay",
            f"{rules.delay:g}",
            "--concurrency",
            str(rules.concurrency),
            "--global",
            str(rules.global_concurrency),
        ]
        proc = run_measured(cmd, cwd=REPO, timeout=timeout)
        window = article_window(sim.log)
        texts = _read_results(out)
    return PeerRun(name, window, proc, score_texts(texts, sim))


def _read_results(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    texts = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:  # a peer killed mid-line
            continue
        if row.get("text"):
            texts[row["url"]] = row["text"]
    return texts


def failure_line(run: PeerRun) -> str | None:
    """A one-line reason when the peer did not finish cleanly, else None."""
    if run.proc.timed_out:
        return f"{run.name} killed after {run.proc.wall:.0f}s (time bound)"
    if run.proc.returncode != 0:
        tail = (run.proc.stderr.strip().splitlines() or ["no output"])[-1]
        return f"{run.name} exited {run.proc.returncode}: {tail[:200]}"
    return None
