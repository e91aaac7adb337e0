"""The politeness bound: the fastest any crawler may fetch a site under given rules.

Rules, per host: at most ``c`` requests in flight, and request *starts* at least ``d``
seconds apart (how Scrapy's DOWNLOAD_DELAY reads a delay; ``scraper.fetch.politeness``
also waits ``d`` after the end of each response, which is politer: at ``c=1`` it reaches
at most ``d / (d + L)`` of this bound);
overall at most ``G`` requests in flight. Every response takes ``L`` seconds (the
simulated server latency). In steady state the rate is therefore

    R = min( Σ_hosts min(c / L, 1 / d),  G / L )      pages per second

and for a finite crawl the bound is the shortest possible window from the first request's
start to the last one's end (:func:`host_makespan` per host, the hosts in parallel, plus
the global cap), which is what the bench compares measured windows against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Politeness:
    """Per-host delay ``d`` (s), per-host concurrency ``c``, global concurrency ``g``."""

    delay: float
    concurrency: int
    global_concurrency: int = 16

    @property
    def label(self) -> str:
        return f"d={self.delay:g}s c={self.concurrency}"


def steady_rate(hosts: int, latency: float, rules: Politeness) -> float:
    """R = min(Σ min(c/L, 1/d), G/L) in pages/s (inf when nothing bounds it)."""
    per_host = min(_div(rules.concurrency, latency), _div(1.0, rules.delay))
    return min(hosts * per_host, _div(rules.global_concurrency, latency))


def host_makespan(n: int, latency: float, rules: Politeness) -> float:
    """Shortest first-start → last-end time for ``n`` requests to one host.

    Request i starts at max(start[i-1] + d, end[i-c]) (the delay since the previous start,
    and a free slot), and ends L later.
    """
    if n <= 0:
        return 0.0
    c = max(1, rules.concurrency)
    starts: list[float] = []
    for i in range(n):
        start = 0.0 if i == 0 else starts[-1] + rules.delay
        if i >= c:
            start = max(start, starts[i - c] + latency)
        starts.append(start)
    return starts[-1] + latency


def window_bound(pages_per_host: Sequence[int], latency: float, rules: Politeness) -> float:
    """Shortest window for the whole crawl: slowest host, or the global cap if tighter."""
    slowest = max((host_makespan(n, latency, rules) for n in pages_per_host), default=0.0)
    total = sum(pages_per_host)
    waves = math.ceil(total / max(1, rules.global_concurrency))
    return max(slowest, waves * latency)


def rate_bound(pages_per_host: Sequence[int], latency: float, rules: Politeness) -> float:
    """Best possible pages/s over a crawl of ``pages_per_host`` (total / shortest window)."""
    window = window_bound(pages_per_host, latency, rules)
    return sum(pages_per_host) / window if window > 0 else math.inf


def _div(a: float, b: float) -> float:
    return a / b if b > 0 else math.inf
