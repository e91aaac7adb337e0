"""Measuring tools: a subprocess run with peak memory, and request-log windows.

Memory is read from ``/proc`` (Linux): ``VmHWM`` of the main process is the kernel's own
peak resident set; for the whole process tree (extraction workers are forked children)
the bench samples the sum of ``Pss`` (proportional set size, so pages shared after fork
are not counted twice) every ``interval`` seconds.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.simulator.log import LogEntry

ARTICLE_PREFIXES = ("/news/", "/amp/")


@dataclass(frozen=True)
class ProcResult:
    """How a subprocess ended and what it used."""

    returncode: int
    wall: float
    peak_rss_mb: float  # main process, VmHWM
    peak_tree_mb: float  # whole tree, sampled sum of Pss
    stdout: str
    stderr: str
    timed_out: bool = False
    cpu_main: float = 0.0  # user+system seconds of the main process (last sample)
    # (progress, RSS MB of the main process) at each sample, when a progress count was given
    rss_curve: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class Window:
    """Article requests seen by the server: how many, per host, and their time span."""

    pages: int
    per_host: tuple[int, ...]
    seconds: float
    requests: int = 0  # every request of the run (robots, feeds, sitemaps, listings too)
    connections: int = 0  # TCP connections they came on (keep-alive reuse)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0


def article_window(log: Iterable[LogEntry], prefixes: Sequence[str] = ARTICLE_PREFIXES) -> Window:
    """First article request's arrival to the last one's completion, over every host."""
    log = list(log)
    entries = [e for e in log if e.path.startswith(tuple(prefixes)) and e.end is not None]
    if not entries:
        return Window(0, (), 0.0, len(log), len({e.conn for e in log}))
    hosts = Counter(e.host for e in entries)
    start = min(e.start for e in entries)
    end = max(e.end for e in entries if e.end is not None)
    return Window(
        len(entries),
        tuple(sorted(hosts.values())),
        end - start,
        len(log),
        len({e.conn for e in log}),
    )


def run_measured(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 600.0,
    interval: float = 0.25,
    progress: Callable[[], int] | None = None,
) -> ProcResult:
    """Run ``cmd`` to completion (killed after ``timeout``), sampling its memory.

    With ``progress`` (e.g. pages the server has answered so far), each sample also records
    the main process's current RSS against it, to show whether memory grows with the work.
    """
    began = time.monotonic()
    proc = subprocess.Popen(
        list(cmd), env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak_main = peak_tree = cpu = 0.0
    curve: list[tuple[int, float]] = []
    timed_out = False
    out, err = "", ""
    while True:
        try:
            out, err = proc.communicate(timeout=interval)
            break
        except subprocess.TimeoutExpired:
            peak_main = max(peak_main, _status_kb(proc.pid, "VmHWM") / 1024)
            peak_tree = max(peak_tree, sum(_pss_kb(p) for p in _tree(proc.pid)) / 1024)
            cpu = max(cpu, _cpu_seconds(proc.pid))
            if progress is not None and (rss := _status_kb(proc.pid, "VmRSS")):
                curve.append((progress(), rss / 1024))
            if time.monotonic() - began > timeout:
                timed_out = True
                proc.kill()
                out, err = proc.communicate()
                break
    return ProcResult(
        proc.returncode,
        time.monotonic() - began,
        peak_main,
        peak_tree,
        out,
        err,
        timed_out,
        cpu,
        tuple(curve),
    )


def _status_kb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (fields 14 and 15 of /proc/<pid>/stat), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _pss_kb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return float(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return _status_kb(pid, "VmRSS")


def _tree(root: int) -> list[int]:
    """``root`` and every descendant alive now."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces or parentheses: split after the last ")".
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out
