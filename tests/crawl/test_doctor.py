"""``scraper check``, the seed doctor, against the simulator with the real CLI."""

from __future__ import annotations

from pathlib import Path

from tests.simulator import HostConfig, Simulator, SiteConfig
from tests.test_e2e import run_cli


def check(seeds: Path, *names: str):
    return run_cli(
        "check",
        "--seeds",
        str(seeds),
        "--allow-address",
        "127.0.0.0/8",
        "--delay",
        "0.1",
        "--quiet",
        *names,
    )


def test_check_passes_a_healthy_seed_and_names_a_broken_feed(tmp_path: Path) -> None:
    hosts = (HostConfig(articles=5, crawl_delay=0.1), HostConfig(articles=5, crawl_delay=0.1))
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        seeds = tmp_path / "seeds"
        sim.write_seeds(seeds)
        healthy, broken = (p.name for p in sim.site.publishers)
        sim.remove_feeds(sim.site.publishers[1].ip)
        good = check(seeds, healthy)
        assert good.returncode == 0, good.stdout + good.stderr
        lines = good.stdout.splitlines()
        assert lines[0].startswith(f"== {healthy} (")
        assert any(
            "feed " in ln and "entries" in ln and "match include/exclude" in ln for ln in lines
        )
        assert sum(ln.strip().startswith(("ok   sample", "warn sample")) for ln in lines) == 3
        assert any("date: 20" in ln and "words; language en" in ln for ln in lines)
        assert lines[-1] == f"{healthy}: ok"
        both = check(seeds)
        assert both.returncode == 3
        verdict = both.stdout.splitlines()[-1]
        feed = sim.base_url(sim.site.publishers[1].ip) + "/feed.rss"
        assert verdict.startswith(f"{broken}: FAILED: feed {feed} (http_404)")
        sim.chrome_only(sim.site.publishers[0].ip)  # samples with no article fail too
        chrome = check(seeds, healthy)
        assert chrome.returncode == 3 and "(no article text)" in chrome.stdout.splitlines()[-1]


def test_check_unknown_seed_is_exit_2(tmp_path: Path) -> None:
    with Simulator(SiteConfig(hosts=(HostConfig(articles=2),))) as sim:
        seeds = tmp_path / "seeds"
        sim.write_seeds(seeds)
        result = check(seeds, "No Such Paper")
    assert result.returncode == 2
    assert "no seed named 'No Such Paper'" in result.stderr and not result.stdout
