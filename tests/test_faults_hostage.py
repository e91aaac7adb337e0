"""No run held hostage (issue 15): tarpits cost two deadlines, dead hosts are suspended.

Real ``scraper crawl`` runs against the loopback simulator: a host whose pages never
answer is suspended after ``host_failure_limit`` timeouts in a row and its URLs wait for
the next run; one host serving every hostile answer at once ends the crawl in bounded
time. The long variant runs at the default settings (60 s deadline); the short one shows
the same bounds with a small deadline.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.faultkit import (
    crawl,
    crawl_env,
    links_seed,
    links_url,
    raw_seed,
    requests_to,
    runs,
    url_rows,
)
from tests.simulator import HostConfig, Simulator, SiteConfig

HANGS = [f"/fault/hang?hold=20&n={i}" for i in range(6)]
LIMIT = 3  # host_failure_limit's default


def test_a_host_that_stops_answering_is_suspended_and_its_urls_wait(tmp_path: Path) -> None:
    hosts = (HostConfig(articles=1, crawl_delay=None), HostConfig(articles=1, crawl_delay=None))
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        good, dead = sim.hosts
        seeds = tmp_path / "seeds"
        links_seed(seeds, sim, good, ["/fault/article"], name="good")
        links_seed(seeds, sim, dead, HANGS, name="dead", concurrency=2)
        db = tmp_path / "a.db"
        env = crawl_env(read_timeout=0.5, request_deadline=1.5)  # 3 tries
        first = crawl(seeds, db, env=env)
        # A first night: the dead host's URLs wait for the next run; health has no history.
        assert first.returncode == 0, first.output
        assert "host_unresponsive" in first.output
        hang_requests = sum(requests_to(sim, path) for path in HANGS)
        # 3 timeouts in a row suspend it; a try already under way on the other worker ends too
        assert LIMIT <= hang_requests <= LIMIT + 1, hang_requests
        warnings = [line for line in first.stderr.splitlines() if "suspended" in line]
        assert len(warnings) == 1 and f"{dead}:{sim.port}" in warnings[0], first.stderr
        rows = url_rows(db)
        waiting = [p for p in HANGS if rows[p].reason == "host_unresponsive"]
        assert all(rows[p].outcome == "deferred" for p in waiting)
        assert len(waiting) >= len(HANGS) - 2, {p: rows[p] for p in HANGS}
        assert rows["/fault/article"].article_id is not None  # the other host went on
        counts = runs(db)[-1][1]
        assert counts["deferred_host_unresponsive"] == len(waiting), counts
        assert f"host_unresponsive {len(waiting)}" in first.stdout  # the summary

        sim.clear_log()  # next night: the deferred URLs are asked again
        crawl(seeds, db, env=env)
        assert any(requests_to(sim, path) for path in waiting), waiting


# One host serving every hostile answer; each is an article link of the seed's feed, and
# the seed's second feed is an XXE feed.
FAULTS = {
    "/fault/drip?bytes=1000&interval=0.1": "deadline",  # 100 s, a byte every 0.1 s
    "/fault/bomb/gzip": "too_large",  # 1 GiB of spaces in 1 MB of gzip
    "/fault/redirect/loopback": "private_address",  # to 127.0.0.1, which is not allowed
    "/fault/loop/a": "redirect_loop",
    "/fault/short-body": "truncated",
    "/fault/status/429?retry_after=5": "http_429",
    "/fault/status/503": "http_503",
    "/fault/monster/big": "too_large",  # 20 MB page
    "/fault/type/pdf": "not_html",
}
DRIP = next(iter(FAULTS))


def _fault_host_crawl(tmp_path: Path, env: dict[str, str]) -> tuple[float, int, str]:
    """Crawl the fault host; (seconds, requests that reached the drip, output)."""
    with Simulator(SiteConfig(hosts=(HostConfig(articles=1, crawl_delay=None),))) as sim:
        host = sim.hosts[0]
        seeds = tmp_path / "seeds"
        raw_seed(
            seeds,
            "hostile",
            host,
            include=["^/fault/"],
            feeds=[links_url(sim, host, list(FAULTS)), sim.url("/fault/feed/xxe", host)],
        )
        db = tmp_path / "hostile.db"
        # Only the simulator's own address is allowed: the redirect into 127.0.0.1 is not.
        result = crawl(seeds, db, env=env, allow=[f"{host}/32"], timeout=400)
        # Every fault is counted (below), none stops the run; a first night has no history
        # to judge, so nothing needs a look yet.
        assert result.returncode == 0, result.output
        rows = url_rows(db)
        reasons = {path: (rows[path].outcome, rows[path].reason) for path in FAULTS}
        assert reasons == {p: ("failed", r) for p, r in FAULTS.items()}, reasons
        assert "/fault/feed/xxe" in result.stdout, result.stdout  # in "did not parse"
        assert not any(row.article_id for row in rows.values())
        return result.seconds, requests_to(sim, DRIP), result.output


@pytest.mark.long
@pytest.mark.timeout(600)
def test_a_fault_host_at_default_settings_ends_in_under_150_s(tmp_path: Path) -> None:
    began = time.monotonic()
    seconds, drips, output = _fault_host_crawl(tmp_path, {})  # every setting at its default
    assert drips == 2, drips  # a tarpit is tried twice, not max_tries (4) times
    assert seconds < 150, f"the fault crawl took {seconds:.1f}s:\n{output[-2000:]}"
    print(
        f"fault host crawl at default settings: {seconds:.1f}s "
        f"(test {time.monotonic() - began:.1f}s)"
    )


def test_a_fault_host_costs_about_two_deadlines(tmp_path: Path) -> None:
    # Defaults scaled down: the deadline, and with it the waits that are not deadlines
    # (per-host delay, back-off, Retry-After), so the drip is what takes longest again.
    deadline = 4.0
    env = {
        "SCRAPER_REQUEST_DEADLINE": str(deadline),
        "SCRAPER_PER_HOST_DELAY": "0",
        "SCRAPER_BACKOFF_BASE": "0.2",
        "SCRAPER_MAX_RETRY_AFTER": "1",
    }
    seconds, drips, output = _fault_host_crawl(tmp_path, env)
    assert drips == 2, drips
    # 150 s for the 60 s deadline is 2.5 deadlines; start-up and load add a few seconds
    limit = 2.5 * deadline + 8
    assert seconds < limit, f"the fault crawl took {seconds:.1f}s (limit {limit:.0f}s)"
