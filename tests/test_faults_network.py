"""docs/hardening.md scenarios 1-8: network faults on real loopback sockets.

Each scenario is checked twice: on the Fetcher itself (exact retry counts, waits, reasons)
and in one real ``scraper crawl`` over every fault at once, where the user sees it: the
``urls`` table (outcome, reason, status), the run record and the exit code.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from scraper.errors import (
    DeferredError,
    HTTPStatusError,
    TimeoutError_,
    TransportError,
    TruncatedError,
)
from tests.faultkit import (
    CrawlResult,
    UrlRow,
    archived,
    consistency_problems,
    crawl,
    crawl_env,
    fast_site,
    links_seed,
    raw_seed,
    real_fetcher,
    requests_to,
    runs,
    url_rows,
)
from tests.simulator import HostConfig, Simulator, SiteConfig

RETRIED = (
    "/fault/status/500",
    "/fault/status/502",
    "/fault/status/503",
    "/fault/status/504",
    "/fault/status/408",
)
NOT_RETRIED = ("/fault/status/404", "/fault/status/410", "/fault/status/403")
TRUNCATED = ("/fault/short-body", "/fault/chunked/truncated", "/fault/chunked/bad-size")
HANG = "/fault/hang?hold=20"
DRIP = "/fault/drip?bytes=200&interval=0.2"  # 40 s in all; each byte within read_timeout
TRIES = 3


@dataclass
class NetRun:
    sim: Simulator
    db: Path
    seeds: Path
    result: CrawlResult
    rows: dict[str, UrlRow]


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetRun]:
    """One crawl over every network fault: host .2 faults, .3 a 429 pause, .4 deferred."""
    tmp = tmp_path_factory.mktemp("net")
    hosts = tuple(HostConfig(articles=1, crawl_delay=None) for _ in range(3))
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        a, b, d = sim.hosts
        seeds = tmp / "seeds"
        links_seed(
            seeds,
            sim,
            a,
            [
                "/fault/reset",
                *TRUNCATED,
                *RETRIED,
                *NOT_RETRIED,
                "/fault/flaky/n1?fails=1&code=502",
                HANG,
                DRIP,
            ],
            name="a",
        )
        links_seed(
            seeds,
            sim,
            b,
            ["/fault/flaky/n2?fails=1&code=429&retry_after=1", "/fault/chain/0?n=2"],
            name="b",
            concurrency=1,
        )
        links_seed(
            seeds,
            sim,
            d,
            ["/fault/status/429?retry_after=3600", "/fault/chain/0?n=4"],
            name="d",
            concurrency=1,
        )
        raw_seed(
            seeds, "refused", "127.0.0.1", feeds=[f"http://127.0.0.1:{sim.closed_port}/feed.rss"]
        )
        db = tmp / "net.db"
        # Host .2 serves a reset, a hang and a drip among its faults: each one's own retries
        # are what this run checks, so the host is not suspended for them (test_faults_hostage).
        env = crawl_env(
            max_tries=TRIES, read_timeout=0.5, request_deadline=1.5, host_failure_limit=100
        )
        result = crawl(seeds, db, env=env)
        yield NetRun(sim, db, seeds, result, url_rows(db))


def _failed(run: NetRun, path: str, reason: str) -> None:
    row = run.rows[path]
    assert (row.outcome, row.reason) == ("failed", reason), row
    assert path not in archived(run.db)


def test_crawl_is_partial_and_whole(net: NetRun) -> None:
    assert net.result.returncode == 3, net.result.output
    assert "Traceback" not in net.result.output
    assert runs(net.db)[-1][0] == "partial"
    assert consistency_problems(net.db) == []


# -- 1 ------------------------------------------------------------------------------------


async def test_s01_refused_and_unresolvable_retried_with_jitter_then_failed(
    simulator: Simulator, net: NetRun
) -> None:
    sleeps: list[float] = []
    async with real_fetcher(sleeps=sleeps) as fetcher:
        with pytest.raises(TransportError) as refused:
            await fetcher.fetch(f"http://127.0.0.1:{simulator.closed_port}/news/a.html")
    assert refused.value.reason == "connect"
    assert len(sleeps) == TRIES - 1  # three tries, two back-offs
    # jittered exponential back-off: try n waits in [base·2^(n-1)/2, base·2^(n-1)]
    assert 0.025 <= sleeps[0] <= 0.05 and 0.05 <= sleeps[1] <= 0.1
    assert sleeps[0] not in (0.025, 0.05)

    lookups: list[str] = []

    async def no_dns(host: str, port: int) -> list[str]:
        lookups.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async with real_fetcher(resolver=no_dns) as fetcher:
        with pytest.raises(TransportError) as unresolvable:
            await fetcher.fetch("http://no-such-host.invalid/news/a.html")
    assert unresolvable.value.reason == "dns" and len(lookups) == TRIES
    # In a run: the host whose server refuses is a recorded failure, the others go on.
    status, counts = runs(net.db)[-1]
    assert counts.get("failed_robots_connect") == 1, counts
    assert "robots_connect" in net.result.stdout
    assert "/fault/chain/0?n=2" in archived(net.db)


# -- 2, 3 --------------------------------------------------------------------------------


async def test_s02_reset_before_any_byte_retried_then_failed(
    simulator: Simulator, net: NetRun
) -> None:
    async with real_fetcher() as fetcher:
        with pytest.raises(TransportError) as info:
            await fetcher.fetch(simulator.url("/fault/reset"))
    assert info.value.reason == "reset"
    assert requests_to(simulator, "/fault/reset") == TRIES
    _failed(net, "/fault/reset", "reset")
    assert requests_to(net.sim, "/fault/reset") == TRIES


@pytest.mark.parametrize("path", TRUNCATED)
async def test_s03_closed_mid_body_retried_never_stored(
    simulator: Simulator, net: NetRun, path: str
) -> None:
    async with real_fetcher() as fetcher:
        with pytest.raises(TruncatedError) as info:
            await fetcher.fetch(simulator.url(path))
    assert info.value.reason == "truncated"
    assert requests_to(simulator, path) == TRIES
    _failed(net, path, "truncated")
    assert requests_to(net.sim, path) == TRIES


# -- 4 ------------------------------------------------------------------------------------


async def test_s04_5xx_408_retried_404_410_403_not(simulator: Simulator, net: NetRun) -> None:
    async with real_fetcher() as fetcher:
        for path in RETRIED + NOT_RETRIED:
            with pytest.raises(HTTPStatusError):
                await fetcher.fetch(simulator.url(path))
    for path in RETRIED:
        assert requests_to(simulator, path) == TRIES, path
        assert requests_to(net.sim, path) == TRIES, path
    for path in NOT_RETRIED:
        assert requests_to(simulator, path) == 1, path
        assert requests_to(net.sim, path) == 1, path
    for path in RETRIED + NOT_RETRIED:
        code = int(path.rsplit("/", 1)[1])
        _failed(net, path, f"http_{code}")
        assert net.rows[path].status == code
    # a 502 that recovers on the retry is archived
    assert "/fault/flaky/n1?code=502&fails=1" in archived(net.db)


# -- 5 ------------------------------------------------------------------------------------


def _gap_after_first(sim: Simulator, prefix: str) -> float:
    hits = sorted(sim.requests_for(path_prefix=prefix), key=lambda e: e.start)
    assert len(hits) == 2, hits
    assert hits[0].end is not None
    return hits[1].start - hits[0].end


async def test_s05_retry_after_seconds_pauses_the_whole_host(simulator: Simulator) -> None:
    async with real_fetcher() as fetcher:
        first = asyncio.ensure_future(
            fetcher.fetch(simulator.url("/fault/flaky/p1?fails=1&code=429&retry_after=1"))
        )
        while not [
            e for e in simulator.requests_for(path_prefix="/fault/flaky/p1") if e.status == 429
        ]:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # the 429 is in: the host is paused
        other = await fetcher.fetch(simulator.url("/fault/article"))
        page = await first
    assert page.status == 200 and other.status == 200
    paused = simulator.requests_for(path_prefix="/fault/flaky/p1")[0]
    article = simulator.requests_for(path_prefix="/fault/article")[0]
    assert paused.end is not None and article.start - paused.end >= 0.9  # same host waited
    assert _gap_after_first(simulator, "/fault/flaky/p1") >= 0.9


async def test_s05_retry_after_http_date_malformed_and_capped(simulator: Simulator) -> None:
    async with real_fetcher(max_retry_after=0.4) as fetcher:
        dated = await fetcher.fetch(simulator.url("/fault/flaky/p2?fails=1&retry_after_date=2"))
        junk = await fetcher.fetch(simulator.url("/fault/flaky/p3?fails=1&retry_after=soon-ish"))
        huge = await fetcher.fetch(simulator.url("/fault/flaky/p4?fails=1&retry_after=86400"))
    assert dated.status == junk.status == huge.status == 200
    # HTTP-date: whole seconds, so ≥ 1 s of the 2 s asked, but here capped at 0.4 s
    assert 0.35 <= _gap_after_first(simulator, "/fault/flaky/p2") < 1.5
    assert _gap_after_first(simulator, "/fault/flaky/p3") < 0.35  # back-off, not a pause
    assert 0.35 <= _gap_after_first(simulator, "/fault/flaky/p4") < 1.5  # a day, capped

    async with real_fetcher() as fetcher:
        await fetcher.fetch(simulator.url("/fault/flaky/p5?fails=1&retry_after_date=2"))
    assert 0.9 <= _gap_after_first(simulator, "/fault/flaky/p5") < 3.0


async def test_s05_wait_beyond_budget_defers_the_host(simulator: Simulator, net: NetRun) -> None:
    async with real_fetcher(run_deadline=time.monotonic() + 30) as fetcher:
        with pytest.raises(DeferredError):
            await fetcher.fetch(simulator.url("/fault/status/429?retry_after=3600"))
        with pytest.raises(DeferredError):  # same host: deferred without asking again
            await fetcher.fetch(simulator.url("/fault/article"))
    assert requests_to(simulator, "/fault/status/429?retry_after=3600") == 1
    assert requests_to(simulator, "/fault/article") == 0
    # In the run: the paused host's article waited ~1 s and was archived; the host that
    # asked for an hour was deferred (not failed), both its URLs, the second never asked.
    assert "/fault/flaky/n2?code=429&fails=1&retry_after=1" in archived(net.db)
    assert _gap_after_first(net.sim, "/fault/flaky/n2") >= 0.9
    for path in ("/fault/status/429?retry_after=3600", "/fault/chain/0?n=4"):
        assert net.rows[path].outcome == "deferred", net.rows[path]
    assert requests_to(net.sim, "/fault/chain/0?n=4") == 0
    assert runs(net.db)[-1][1]["deferred"] == 2


# -- 6, 7 ---------------------------------------------------------------------------------


async def test_s06_no_headers_read_timeout_retried_bounded(
    simulator: Simulator, net: NetRun
) -> None:
    began = time.monotonic()
    async with real_fetcher(read_timeout=0.3) as fetcher:
        with pytest.raises(TimeoutError_) as info:
            await fetcher.fetch(simulator.url(HANG))
    assert info.value.reason == "timeout"
    assert requests_to(simulator, HANG) == TRIES
    assert time.monotonic() - began < TRIES * 0.3 + 1.5
    _failed(net, HANG, "timeout")
    assert requests_to(net.sim, HANG) == TRIES


@pytest.mark.parametrize("head", [False, True], ids=["body", "head"])
async def test_s07_slow_drip_ended_by_the_request_deadline(
    simulator: Simulator, net: NetRun, head: bool
) -> None:
    path = DRIP + ("&head=1" if head else "")
    began = time.monotonic()
    # Every byte comes within the read timeout: only the 1 s total deadline ends it.
    async with real_fetcher(read_timeout=2.0, request_deadline=1.0, max_tries=2) as fetcher:
        with pytest.raises(TimeoutError_) as info:
            await fetcher.fetch(simulator.url(path))
    assert info.value.reason == "deadline"
    assert time.monotonic() - began < 2 * 1.0 + 1.0  # the drip alone would take 40 s
    _failed(net, DRIP, "deadline")
    assert net.result.seconds < 30


# -- 8 ------------------------------------------------------------------------------------


async def test_s08_budget_exhausted_starts_nothing(simulator: Simulator) -> None:
    async with real_fetcher(run_deadline=time.monotonic() - 1) as fetcher:
        with pytest.raises(DeferredError) as info:
            await fetcher.fetch(simulator.url("/fault/article"))
    assert info.value.reason == "budget"
    assert requests_to(simulator, "/fault/article") == 0


def test_s08_run_budget_defers_the_rest_to_the_next_run(tmp_path: Path) -> None:
    budget = 1.0
    site = fast_site(HostConfig(articles=8, crawl_delay=None, robots_sitemap=False))
    with Simulator(site, latency=0.4) as sim:
        seeds = tmp_path / "seeds"
        raw_seed(seeds, "budget", sim.hosts[0], feeds=[sim.url("/feed.rss")])
        db = tmp_path / "budget.db"
        env = crawl_env()
        first = crawl(seeds, db, env=env, extra=["--budget", str(budget)])
        log = sorted(sim.log, key=lambda e: e.start)
        after_first = url_rows(db)
        second = crawl(seeds, db, env=env)
    assert first.returncode == 0, first.output  # what the budget left waits for tomorrow
    assert log[-1].start - log[0].start <= budget + 0.3  # nothing started after the budget
    deferred = [r for r in after_first.values() if r.reason == "budget" and "/news/" in r.url]
    assert deferred and all(r.outcome == "deferred" for r in deferred)  # articles: pending
    assert "deferred" in first.stdout
    assert [status for status, _ in runs(db)] == ["partial", "ok"]
    assert second.returncode == 0, second.output
    stored = archived(db)
    assert {a.path for a in sim.site.articles} <= set(stored)  # the next run fetched the rest
    assert consistency_problems(db) == []


# -- the next night --------------------------------------------------------------------


def test_s04_earlier_failures_out_of_the_feeds_come_back_only_if_retry_can_fix(
    tmp_path: Path,
) -> None:
    """URLs no feed lists any more are retried from the archive, unless retrying is futile."""
    paths = ["/fault/status/403", "/fault/status/503", "/fault/article"]
    with Simulator(fast_site()) as sim:
        host = sim.hosts[0]
        db = tmp_path / "p.db"
        env = crawl_env(max_tries=1)
        links_seed(tmp_path / "seeds", sim, host, paths, name="p")
        first = crawl(tmp_path / "seeds", db, env=env)
        assert first.returncode == 0, first.output  # a first night: failures are retried
        before = {p: requests_to(sim, p) for p in paths}
        links_seed(tmp_path / "seeds", sim, host, ["/fault/article"], name="p")  # 403, 503 gone
        second = crawl(tmp_path / "seeds", db, env=env)
        assert second.returncode == 0, second.output  # one 503 again: retried, not a fault
        after = {p: requests_to(sim, p) for p in paths}
    assert after["/fault/status/503"] == before["/fault/status/503"] + 1  # may be over now
    assert after["/fault/status/403"] == before["/fault/status/403"]  # forbidden stays so
    assert consistency_problems(db) == []


def test_s04_next_run_retries_only_what_a_retry_can_fix(net: NetRun) -> None:
    """Last in this module: it crawls the shared site a second time."""
    before = {path: requests_to(net.sim, path) for path in RETRIED + NOT_RETRIED}
    again = crawl(
        net.seeds,
        net.db,
        env=crawl_env(max_tries=1, read_timeout=0.5, request_deadline=1.5, host_failure_limit=100),
    )
    assert again.returncode == 3, again.output
    for path in RETRIED:  # a 5xx may be over by tonight: asked once more
        assert requests_to(net.sim, path) == before[path] + 1, path
    for path in ("/fault/status/404", "/fault/status/410"):  # gone: never asked again
        assert requests_to(net.sim, path) == before[path], path
    # still listed, so asked once more, and once only (a 403 is not retried in a run)
    assert requests_to(net.sim, "/fault/status/403") == before["/fault/status/403"] + 1
    assert runs(net.db)[-1][0] == "partial"


def test_a_crawl_by_host_name_fetches_checked_addresses_and_refuses_private_ones(
    tmp_path: Path,
) -> None:
    # pub-a.test resolves to the simulator (loopback, allowed); intranet.pub-a.test to 10.0.0.1,
    # which the guard refuses before any connection: the crawl records why.
    with Simulator(fast_site()) as sim:
        host = sim.hosts[0]
        base = f"http://pub-a.test:{sim.port}"
        private = f"http://intranet.pub-a.test:{sim.port}/fault/x"
        links = quote(f"{base}/fault/article|{private}", safe="")
        raw_seed(
            tmp_path / "seeds",
            "named",
            "pub-a.test",
            feeds=[f"{base}/fault/links?to={links}"],
            include=["^/fault/"],
        )
        result = crawl(
            tmp_path / "seeds",
            tmp_path / "a.db",
            names={"pub-a.test": host, "intranet.pub-a.test": "10.0.0.1"},
        )
        asked = sim.requests_for(host)
    assert result.returncode == 0, result.output  # one URL refused: counted, not a fault
    rows = url_rows(tmp_path / "a.db")
    assert rows["/fault/article"].outcome == "new", rows
    assert rows["/fault/article"].url == f"{base}/fault/article"
    # its robots.txt, fetched first, was refused: the host is off for the run, as today
    assert rows["/fault/x"].reason == "robots_private_address", rows
    assert {e.header("host") for e in asked} == {f"pub-a.test:{sim.port}"}
