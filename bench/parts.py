"""The bench's parts 1-5 (6 is bench/warc_part.py); each returns rows and notes, bounded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import ceiling, extraction
from bench.bound import Politeness, rate_bound, steady_rate
from bench.crawl import CrawlRun, failure_line, run_crawl
from bench.peers import run as peers
from bench.report import Row, median, spread, verdict
from bench.site import BenchSite, bench_config
from tests.simulator import Simulator

CRAWL_RULES = (Politeness(0.0, 4), Politeness(0.25, 1))


@dataclass(frozen=True)
class Options:
    """What to run and how big; ``quick`` presets keep the whole bench near two minutes."""

    repeats: int = 3
    hosts: int = 20
    articles: int = 100
    latency: float = 0.05
    long_pages: int = 20_000
    extract_pages: int = 400
    eval_dir: Path = Path("../shared/eval")
    archive_max: int = 100_000
    warc_pages: int = 600
    timeout: float = 900.0
    peers: tuple[str, ...] = tuple(peers.PEERS)
    rules: tuple[Politeness, ...] = CRAWL_RULES


@dataclass
class Result:
    """Rows and notes gathered so far."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def crawl_and_peers(
    opts: Options, out: Result, *, with_peers: bool, log: Callable[[str], None]
) -> None:
    """Parts 1 and 2: our crawl (and the peers, same site, same run) under each rule set."""
    log(f"building the site: {opts.hosts} hosts x {opts.articles} articles")
    site = BenchSite(bench_config(opts.hosts, opts.articles, opts.latency))
    names = [n for n in opts.peers if with_peers and _peer_ok(n, out)]
    for rules in opts.rules:
        ours: list[CrawlRun] = []
        floor: list[float] = []
        theirs: dict[str, list[peers.PeerRun]] = {n: [] for n in names}
        for i in range(opts.repeats):
            with Simulator(site, latency=opts.latency) as sim:
                log(f"[{rules.label}] run {i + 1}/{opts.repeats}: our crawl")
                ours.append(_checked(run_crawl(sim, rules, timeout=opts.timeout), out))
                log(f"[{rules.label}] run {i + 1}/{opts.repeats}: minimal client")
                window, code = ceiling.run(sim, rules, timeout=opts.timeout)
                if code:
                    out.notes.append(f"minimal client exited {code} ({rules.label})")
                floor.append(_fraction(window.rate, window.per_host, opts.latency, rules))
                for name in names:
                    log(f"[{rules.label}] run {i + 1}/{opts.repeats}: {name}")
                    theirs[name].append(
                        _peer_checked(peers.run_peer(name, sim, rules, timeout=opts.timeout), out)
                    )
        _crawl_rows(rules, opts, ours, out)
        out.rows.append(
            Row(
                "1 crawl vs bound",
                f"minimal client (keep-alive, reads and drops "
                f"each page), {rules.label}, fraction of the bound: what this "
                "simulator and machine allow",
                f"{median(floor):.2f}",
                spread=spread(floor),
            )
        )
        for name in names:
            _peer_rows(name, rules, opts, ours, theirs[name], out)


def _fraction(
    window_rate: float, per_host: tuple[int, ...], latency: float, rules: Politeness
) -> float:
    bound = rate_bound(per_host, latency, rules) if per_host else float("nan")
    return window_rate / bound if bound else float("nan")


def _crawl_rows(rules: Politeness, opts: Options, runs: list[CrawlRun], out: Result) -> None:
    rates = [r.window.rate for r in runs]
    fracs = [_fraction(r.window.rate, r.window.per_host, opts.latency, rules) for r in runs]
    steady = steady_rate(opts.hosts, opts.latency, rules)
    part = "1 crawl vs bound"
    out.rows.append(
        Row(
            part,
            f"ours, {rules.label}, pages/s (steady bound {steady:.0f})",
            f"{median(rates):.1f}",
            spread=spread(rates, "{:.1f}"),
        )
    )
    out.rows.append(
        Row(
            part,
            f"ours, {rules.label}, fraction of the politeness bound",
            f"{median(fracs):.2f}",
            "≥ 0.90",
            verdict(median(fracs), 0.9),
            spread(fracs),
        )
    )
    cpu = [1000 * r.proc.cpu_main / r.window.pages for r in runs if r.window.pages]
    out.rows.append(
        Row(
            part,
            f"ours, {rules.label}, crawl-process CPU ms per page "
            "(event loop; extraction is in workers)",
            f"{median(cpu):.1f}",
            spread=spread(cpu, "{:.1f}"),
        )
    )
    conns = [r.window.connections for r in runs]
    reqs = [r.window.requests for r in runs]
    out.rows.append(
        Row(
            part,
            f"ours, {rules.label}, TCP connections / requests",
            f"{median(conns):.0f} / {median(reqs):.0f}",
        )
    )
    quality = [r.quality.f1 for r in runs if r.quality]
    if quality:
        out.rows.append(
            Row(
                part,
                f"ours, {rules.label}, body F1 vs known texts",
                f"{median(quality):.3f}",
                spread=spread(quality, "{:.3f}"),
            )
        )


def _peer_rows(
    name: str,
    rules: Politeness,
    opts: Options,
    ours: list[CrawlRun],
    runs: list[peers.PeerRun],
    out: Result,
) -> None:
    part = "2 peers"
    rates = [r.window.rate for r in runs]
    ours_rates = [r.window.rate for r in ours]
    ratios = [o / p if p else float("nan") for o, p in zip(ours_rates, rates, strict=True)]
    fracs = [_fraction(r.window.rate, r.window.per_host, opts.latency, rules) for r in runs]
    out.rows.append(
        Row(
            part,
            f"{name}, {rules.label}, pages/s (fraction of bound {median(fracs):.2f})",
            f"{median(rates):.1f}",
            spread=spread(rates, "{:.1f}"),
        )
    )
    out.rows.append(
        Row(
            part,
            f"ours / {name}, {rules.label}, speed ratio (same run)",
            f"{median(ratios):.2f}",
            "≥ 1.00",
            verdict(median(ratios), 1.0),
            spread(ratios),
        )
    )
    f1_peer = median([r.quality.f1 for r in runs])
    f1_ours = median([r.quality.f1 for r in ours if r.quality])
    out.rows.append(
        Row(
            part,
            f"body F1, ours vs {name}, {rules.label}",
            f"{f1_ours:.3f} vs {f1_peer:.3f}",
            "ours ≥ peer",
            verdict(f1_ours - f1_peer, 0.0),
        )
    )


def _peer_ok(name: str, out: Result) -> bool:
    why = peers.available(name)
    if why:
        out.notes.append(f"peer {name} skipped: {why}")
    return why is None


def _checked(run: CrawlRun, out: Result) -> CrawlRun:
    if (line := failure_line(run)) is not None:
        out.notes.append(line)
    return run


def _peer_checked(run: peers.PeerRun, out: Result) -> peers.PeerRun:
    if (line := peers.failure_line(run)) is not None:
        out.notes.append(line)
    return run


def extraction_speed(opts: Options, out: Result, log: Callable[[str], None]) -> None:
    """Part 3: extract+clean vs bare trafilatura, one core and all cores."""
    samples = extraction.load_samples(opts.eval_dir, opts.extract_pages)
    if not samples:
        out.notes.append(f"part 3 skipped: no evaluation pages under {opts.eval_dir}")
        return
    passes = []
    for i in range(opts.repeats):
        log(f"[extraction] pass {i + 1}/{opts.repeats} over {len(samples)} pages")
        passes.append(extraction.measure(samples))
    part, w = "3 extraction", passes[0].workers
    bare = [p.bare_one_core for p in passes]
    one = [p.ours_one_core for p in passes]
    alls = [p.ours_all_cores for p in passes]
    out.rows.append(
        Row(
            part,
            f"bare trafilatura, 1 core, pages/s ({len(samples)} pages)",
            f"{median(bare):.1f}",
            spread=spread(bare, "{:.1f}"),
        )
    )
    out.rows.append(
        Row(
            part,
            "ours (extract+clean), 1 core, pages/s",
            f"{median(one):.1f}",
            spread=spread(one, "{:.1f}"),
        )
    )
    out.rows.append(
        Row(
            part,
            f"ours, {w} worker processes, pages/s",
            f"{median(alls):.1f}",
            spread=spread(alls, "{:.1f}"),
        )
    )
    r1 = [o / b for o, b in zip(one, bare, strict=True)]
    rn = [a / b for a, b in zip(alls, bare, strict=True)]
    out.rows.append(Row(part, "ours 1 core / bare 1 core", f"{median(r1):.2f}", spread=spread(r1)))
    out.rows.append(
        Row(
            part,
            f"ours {w} cores / bare 1 core",
            f"{median(rn):.2f}",
            "≥ 1.70",
            verdict(median(rn), 1.7),
            spread(rn),
        )
    )
    cpu = [p.ours_cpu / p.bare_cpu for p in passes if p.bare_cpu]
    out.rows.append(
        Row(
            part,
            "ours / bare, pages per CPU second (unaffected by other load)",
            f"{median(cpu):.2f}",
            spread=spread(cpu),
        )
    )


def memory(opts: Options, out: Result, log: Callable[[str], None]) -> None:
    """Part 4: peak memory of the crawl over the site and over a 10x larger copy of it."""
    rules = Politeness(0.0, 4)
    base = opts.hosts * opts.articles
    repeat = max(1, opts.long_pages // base)
    for label, times, runs in (("", 1, opts.repeats), ("long ", repeat, 1)):
        pages = base * times
        log(f"[memory] building a site of {pages} pages")
        site = BenchSite(bench_config(opts.hosts, opts.articles, 0.0), repeat=times)
        results = []
        for i in range(runs):
            log(f"[memory] {pages} pages, run {i + 1}/{runs}")
            with Simulator(site, latency=0.0) as sim:
                results.append(
                    _checked(run_crawl(sim, rules, timeout=opts.timeout, score=False), out)
                )
        main = [r.proc.peak_rss_mb for r in results]
        tree = [r.proc.peak_tree_mb for r in results]
        rates = [r.window.rate for r in results]
        part = "4 memory"
        peak = median(main)
        out.rows.append(
            Row(
                part,
                f"{label}crawl of {pages:,} pages: peak RSS, crawl process, MB",
                f"{peak:.0f}",
                "≤ 400",
                verdict(peak, 400, higher_is_better=False),
                spread(main, "{:.0f}"),
            )
        )
        out.rows.append(
            Row(
                part,
                f"{label}crawl of {pages:,} pages: peak PSS, process tree (+ workers), MB",
                f"{median(tree):.0f}",
                spread=spread(tree, "{:.0f}"),
            )
        )
        out.rows.append(
            Row(
                part,
                f"{label}crawl of {pages:,} pages: pages/s (latency 0, d=0, c=4)",
                f"{median(rates):.1f}",
                spread=spread(rates, "{:.1f}"),
            )
        )
        if label:
            _growth(results[0].proc.rss_curve, pages, out)


def _growth(
    curve: tuple[tuple[int, float], ...],
    pages: int,
    out: Result,
    warmup: float = 0.1,
    tolerance: float = 0.05,
) -> None:
    """Does RSS grow with the pages fetched? Compare it after ``warmup`` of them with the
    highest it reaches afterwards; the caches (SQLite's page cache, the dedup shingle
    cache) fill during the warm-up and are capped."""
    mark = warmup * pages
    after = [rss for done, rss in curve if done >= mark]
    if len(after) < 2:
        out.notes.append("part 4: too few memory samples after the warm-up to judge growth")
        return
    start, top = after[0], max(after)
    growth = top / start - 1
    out.rows.append(
        Row(
            "4 memory",
            f"long crawl: RSS after the first {warmup:.0%} of pages → highest after it, "
            f"MB (growth over the other {1 - warmup:.0%})",
            f"{start:.0f} → {top:.0f} ({growth:+.1%})",
            f"flat (< {tolerance:.0%})",
            verdict(growth, tolerance, higher_is_better=False),
        )
    )


def archive_scale(opts: Options, out: Result, log: Callable[[str], None]) -> None:
    """Part 5: the archive's own scale benchmark (``bench/archive_scale.py``)."""
    try:
        from bench import archive_scale as scale
    except ImportError as exc:
        out.notes.append(f"part 5 skipped: bench/archive_scale.py not importable ({exc})")
        return
    points = tuple(p for p in (10_000, 100_000, 1_000_000) if p < opts.archive_max)
    log(f"[archive] growing a synthetic archive to {opts.archive_max:,} articles")
    results = scale.run(opts.archive_max, (*points, opts.archive_max))
    for n, r in sorted(results.items()):
        out.rows.append(
            Row(
                "5 archive",
                f"{n:,} articles: insert/s (the crawl's group "
                f"commit of {scale.STORE_BATCH}, fingerprint from the workers), "
                "near-dup lookup ms, FTS query ms, bytes/article",
                f"{r['insert_per_s']:,.0f}; {r['lookup_ms']:.2f}; "
                f"{r['fts_ms']:.2f}; {r['bytes_per_article']:,.0f}",
            )
        )
