"""Bench part 6, WARC: ingest pages/s (local pool, Dask) against bare trafilatura, and
the WARC writer's CPU cost per page in a crawl (with and without ``--warc-dir``)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bench import warc_ingest
from bench.bound import Politeness
from bench.crawl import CrawlRun, run_crawl
from bench.report import Row, median, spread
from bench.site import BenchSite, bench_config
from tests.simulator import Simulator

if TYPE_CHECKING:
    from bench.parts import Options, Result

PART = "6 WARC"
WORKERS = 2
CRAWL_RULES = Politeness(0.0, 4)


def warc(opts: Options, out: Result, log: Callable[[str], None]) -> None:
    """Both measurements, ``opts.repeats`` runs each, interleaved so load hits all alike."""
    _ingest_rows(opts, out, log)
    _writer_rows(opts, out, log)


def _ingest_rows(opts: Options, out: Result, log: Callable[[str], None]) -> None:
    n = opts.warc_pages
    runs: dict[str, Callable[[Path], float]] = {
        "bare trafilatura, 1 process": warc_ingest.bare,
        f"ingest, local pool of {WORKERS}": lambda f: warc_ingest.local(f, WORKERS),
        f"ingest, Dask LocalCluster of {WORKERS}": lambda f: warc_ingest.dask(f, WORKERS),
    }
    rates: dict[str, list[float]] = {name: [] for name in runs}
    with tempfile.TemporaryDirectory(prefix="bench-warc-") as tmp:
        folder = Path(tmp)
        warc_ingest.write(folder, n, files=4)
        for i in range(opts.repeats):
            for name, run in runs.items():
                log(f"[warc] run {i + 1}/{opts.repeats}: {name}, {n} pages")
                rates[name].append(n / run(folder))
    for name, values in rates.items():
        out.rows.append(
            Row(
                PART,
                f"{name}, pages/s from a WARC of {n:,} pages (storing not included)",
                f"{median(values):.1f}",
                spread=spread(values, "{:.1f}"),
            )
        )
    bare = median(rates["bare trafilatura, 1 process"])
    for name in list(runs)[1:]:
        ratio = median(rates[name]) / bare
        out.rows.append(Row(PART, f"{name} / bare trafilatura", f"{ratio:.2f}"))


def _writer_rows(opts: Options, out: Result, log: Callable[[str], None]) -> None:
    site = BenchSite(bench_config(opts.hosts, opts.articles, opts.latency))
    cpu: dict[bool, list[float]] = {False: [], True: []}
    for i in range(opts.repeats):
        for with_warc in (False, True):
            log(f"[warc] run {i + 1}/{opts.repeats}: crawl, --warc-dir {with_warc}")
            with (
                tempfile.TemporaryDirectory(prefix="bench-warc-out-") as tmp,
                Simulator(site, latency=opts.latency) as sim,
            ):
                extra = {"SCRAPER_WARC_DIR": tmp} if with_warc else None
                run = run_crawl(
                    sim, CRAWL_RULES, timeout=opts.timeout, score=False, extra_env=extra
                )
                cpu[with_warc].append(_cpu_ms(run))
    label = f"{CRAWL_RULES.label}, {opts.hosts} hosts x {opts.articles} pages"
    for with_warc, values in cpu.items():
        out.rows.append(
            Row(
                PART,
                f"crawl-process CPU ms per page, {label}, "
                f"{'with' if with_warc else 'without'} --warc-dir",
                f"{median(values):.2f}",
                spread=spread(values, "{:.2f}"),
            )
        )
    out.rows.append(
        Row(
            PART,
            "WARC writer's cost, crawl-process CPU ms per fetched page",
            f"{median(cpu[True]) - median(cpu[False]):.2f}",
        )
    )


def _cpu_ms(run: CrawlRun) -> float:
    return 1000 * run.proc.cpu_main / run.window.pages if run.window.pages else float("nan")
