"""Bench results: rows of a Markdown table (printed, and written for BENCHMARKS.md), medians."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PACKAGES = ("httpx", "trafilatura", "lxml", "selectolax", "sqlite-utils", "scrapy", "twisted")


@dataclass(frozen=True)
class Row:
    """One figure: which part, what was measured, the median value, target and verdict."""

    part: str
    what: str
    value: str
    target: str = ""
    verdict: str = ""  # "met", "below", or "" when there is no target
    spread: str = ""  # the individual runs, so noise is visible


def median(values: Sequence[float]) -> float:
    """Median, NaN for no values."""
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float], fmt: str = "{:.2f}") -> str:
    """The runs' values, e.g. ``0.93 / 0.95 / 0.91``."""
    return " / ".join(fmt.format(v) for v in values)


def verdict(value: float, target: float, *, higher_is_better: bool = True) -> str:
    """ "met" or "below" (NaN is "below": the measurement did not happen)."""
    if value != value:  # NaN
        return "below"
    ok = value >= target if higher_is_better else value <= target
    return "met" if ok else "below"


def table(rows: Sequence[Row]) -> str:
    """The Markdown table of every row."""
    lines = [
        "| part | measure | median | target | verdict | runs |",
        "| --- | --- | ---: | --- | --- | --- |",
    ]
    lines += [
        f"| {r.part} | {r.what} | {r.value} | {r.target} | {r.verdict} | {r.spread} |" for r in rows
    ]
    return "\n".join(lines)


def machine() -> list[str]:
    """Where the figures were measured: cores, memory, load, Python, package versions."""
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    versions = ", ".join(f"{p} {_version(p)}" for p in PACKAGES if _version(p))
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit {_commit()}",
        f"- machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"{mem_gb:.1f} GB RAM, {platform.system()} {platform.release()}",
        f"- load average when the report was written (1/5/15 min): {load}",
        f"- Python {platform.python_version()}; {versions}",
    ]


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def write_results(path: Path, command: str, rows: Sequence[Row], notes: Sequence[str]) -> None:
    """The Markdown block BENCHMARKS.md quotes: machine, command, table, notes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = ["## Latest run", "", *machine(), f"- command: `{command}`", "", table(rows), ""]
    if notes:
        body += ["Notes from the run:", "", *(f"- {n}" for n in notes), ""]
    path.write_text("\n".join(body), encoding="utf-8")
