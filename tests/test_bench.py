"""The bench's own arithmetic and a tiny end-to-end run (the bench itself is not a test)."""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import pytest

from bench import ceiling, parts
from bench.__main__ import main as bench_main
from bench.bound import Politeness, host_makespan, rate_bound, steady_rate, window_bound
from bench.measure import article_window
from bench.site import BenchSite, bench_config
from tests.simulator import Simulator
from tests.simulator.log import LogEntry

# Rates and gaps measured against the clock: `make test` runs these alone, not beside a
# parallel worker's crawls.
pytestmark = pytest.mark.serial


def test_makespan_with_delay_is_delay_spaced_starts_plus_one_latency() -> None:
    # 5 requests, starts 0.25 s apart, the last one ends 0.05 s after it starts.
    assert host_makespan(5, 0.05, Politeness(0.25, 1)) == pytest.approx(1.05)


def test_makespan_without_delay_runs_in_waves_of_concurrency() -> None:
    assert host_makespan(8, 0.05, Politeness(0.0, 4)) == pytest.approx(0.10)
    assert host_makespan(9, 0.05, Politeness(0.0, 4)) == pytest.approx(0.15)


def test_makespan_slot_wait_beats_a_short_delay() -> None:
    # c=2, d=0.01, L=0.1: starts 0, 0.01, then 0.10 and 0.11 when the first slots free up.
    assert host_makespan(4, 0.1, Politeness(0.01, 2)) == pytest.approx(0.21)


def test_steady_rate_is_per_host_min_times_hosts_capped_by_global() -> None:
    assert steady_rate(20, 0.05, Politeness(0.25, 1)) == pytest.approx(80.0)  # 20 × 1/d
    assert steady_rate(20, 0.05, Politeness(0.0, 4)) == pytest.approx(320.0)  # G/L = 16/0.05
    assert steady_rate(2, 0.05, Politeness(0.0, 4)) == pytest.approx(160.0)  # 2 × c/L
    assert math.isinf(steady_rate(3, 0.0, Politeness(0.0, 1)))


def test_window_bound_takes_the_global_cap_when_it_binds() -> None:
    rules = Politeness(0.0, 4, global_concurrency=16)
    per_host = [102] * 20
    # per host: 26 waves of 0.05 s = 1.3 s; globally 2040 / 16 → 128 waves = 6.4 s.
    assert window_bound(per_host, 0.05, rules) == pytest.approx(6.4)
    assert rate_bound(per_host, 0.05, rules) == pytest.approx(2040 / 6.4)


def _entry(host: str, path: str, start: float, end: float, conn: int) -> LogEntry:
    return LogEntry(host, "GET", path, (), start, 200, end, conn)


def test_article_window_spans_first_article_start_to_last_article_end() -> None:
    log = [
        _entry("127.0.0.2", "/robots.txt", 0.0, 0.1, 1),
        _entry("127.0.0.2", "/news/a.html", 1.0, 1.2, 1),
        _entry("127.0.0.3", "/amp/b.html", 1.5, 1.6, 2),
        _entry("127.0.0.3", "/news/c.html", 2.0, 3.0, 2),
        _entry("127.0.0.3", "/feed.rss", 3.5, 4.0, 3),
    ]
    window = article_window(log)
    assert (window.pages, window.per_host, window.seconds) == (3, (1, 2), pytest.approx(2.0))
    assert window.rate == pytest.approx(1.5)
    assert (window.requests, window.connections) == (5, 3)


def test_repeated_site_serves_each_text_under_other_urls() -> None:
    site = BenchSite(bench_config(hosts=2, articles=3, latency=0.0), repeat=3)
    assert len(site.articles) == 18
    assert len({(a.host, a.path) for a in site.articles}) == 18
    assert not any(a.fails_first for a in site.articles)
    with Simulator(site) as sim:
        first, copy = site.articles[0], site.articles[6]
        assert copy.text == first.text and copy.path != first.path
        page = httpx.get(sim.article_url(copy), timeout=10)
        assert page.status_code == 200 and first.paragraphs[0][:60] in page.text


def test_tiny_crawl_bench_stays_within_the_politeness_bound(tmp_path: Path) -> None:
    opts = parts.Options(
        repeats=1, hosts=2, articles=6, latency=0.02, timeout=60.0, rules=(Politeness(0.2, 1),)
    )
    result = parts.Result()
    parts.crawl_and_peers(opts, result, with_peers=False, log=lambda _: None)
    assert not [n for n in result.notes if "crawl" in n], result.notes
    by_what = {r.what: r for r in result.rows}
    fraction = float(by_what["ours, d=0.2s c=1, fraction of the politeness bound"].value)
    # Faster than the bound would mean the delay was not honoured; far below, a stall (one
    # retry wait or request deadline is seconds, against a ~1.2 s bound). Other work on the
    # 2 cores has pushed a healthy run to 0.47: the floor is for stalls, not speed.
    assert 0.25 < fraction <= 1.02
    f1 = float(by_what["ours, d=0.2s c=1, body F1 vs known texts"].value)
    assert f1 > 0.95
    (floor,) = [r for r in result.rows if r.what.startswith("minimal client")]
    assert 0.5 < float(floor.value) <= 1.02  # the calibration client keeps the rules too
    assert not [n for n in result.notes if "minimal client" in n], result.notes


def test_minimal_client_keeps_the_per_host_rules() -> None:
    site = BenchSite(bench_config(hosts=2, articles=4, latency=0.05))
    with Simulator(site) as sim:
        window, code = ceiling.run(sim, Politeness(0.15, 2, global_concurrency=3))
        assert code == 0 and window.pages == 8
        for host in sim.hosts:
            assert sim.max_concurrency(host) <= 2
            gap = sim.min_gap(host)
            assert gap is not None and gap >= 0.15 - 0.005


def test_cli_rejects_bad_part_numbers_with_one_line() -> None:
    with pytest.raises(SystemExit, match="--parts wants numbers 1-6"):
        bench_main(["--parts", "1,9"])


def test_memory_growth_is_judged_after_the_warmup_only() -> None:
    # Caches fill during the first 10 % of pages; growth after that is what counts.
    flat = ((0, 40.0), (50, 90.0), (100, 99.0), (500, 99.5), (1000, 100.0))
    growing = ((0, 40.0), (100, 99.0), (500, 130.0), (1000, 160.0))
    rows = {}
    for name, curve in (("flat", flat), ("growing", growing)):
        result = parts.Result()
        parts._growth(curve, 1000, result)
        rows[name] = result.rows[0]
    assert rows["flat"].value == "99 → 100 (+1.0%)" and rows["flat"].verdict == "met"
    assert rows["growing"].verdict == "below"
