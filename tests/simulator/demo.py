"""``make demo``: crawl the simulated publishers with the real CLI and show what was archived.

Starts the simulator (3 publishers × 10 articles), writes seeds into a temporary folder,
runs ``scraper crawl`` into ``data/demo.db`` (fresh each time), prints the run summary and
the first three exported articles, then stops the simulator. The simulated site links a
removed page on purpose: its 404 is counted as gone, not as a failure, so a normal night
exits 0, and so does the demo when articles were exported.

``--health`` (``make demo-health``) stages several nights instead
(:mod:`tests.simulator.nights`: publishers add articles between runs, then one loses its
feeds and one its article text, while one has a quiet night) into ``data/demo-health.db``,
then prints ``scraper check`` on the same seeds and ``scraper health``'s table, and writes
its page (``data/demo-health.html``). Its exit code is the broken night's crawl's: 3, when
health flags exactly the two broken publishers, the normal nights exit 0 and ``scraper
check`` and ``scraper health`` exit 3 too; 1 otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.simulator.server import Simulator
from tests.simulator.site import Site, SiteConfig

DEMO_DB = Path("data/demo.db")
HEALTH_DB = Path("data/demo-health.db")
HEALTH_PAGE = Path("data/demo-health.html")
CRAWL_DELAY = 0.2  # seconds between requests to one host, in robots.txt and on the CLI
CRAWL_TIMEOUT = 300  # the demo never hangs a terminal longer than this


def scraper_command() -> list[str]:
    """``python -m scraper`` when the package has a ``__main__``, else the console script."""
    import scraper

    if (Path(scraper.__file__).parent / "__main__.py").exists():
        return [sys.executable, "-m", "scraper"]
    return [str(Path(sys.executable).with_name("scraper"))]


def fresh_db(path: Path) -> None:
    """Delete the demo database and its WAL/SHM/lock companions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(path.name + "*"):
        old.unlink()


def crawl(sim: Simulator, seeds: Path, db: Path = DEMO_DB) -> int:
    """Run ``scraper crawl`` against the simulator; its output goes straight to the terminal."""
    cmd = scraper_command() + [
        "crawl",
        "--seeds",
        str(seeds),
        "--db",
        str(db),
        "--allow-address",
        "127.0.0.0/8",
        "--delay",
        str(CRAWL_DELAY),
    ]
    print("$ scraper", " ".join(cmd[cmd.index("crawl") :]), flush=True)
    try:
        return subprocess.run(cmd, timeout=CRAWL_TIMEOUT, check=False).returncode
    except subprocess.TimeoutExpired:
        print(f"demo: crawl did not finish within {CRAWL_TIMEOUT} s", file=sys.stderr)
        return 1


def show_articles(count: int = 3) -> int:
    """Export the demo archive as JSON lines and print the first ``count`` articles."""
    cmd = scraper_command() + ["export", "--db", str(DEMO_DB), "--format", "jsonl"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        print(f"demo: export failed ({result.returncode}): {result.stderr.strip()}")
        return result.returncode
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if not lines:
        print("demo: nothing was archived")
        return 1
    print(f"\n{len(lines)} articles exported; the first {min(count, len(lines))}:\n")
    for line in lines[:count]:
        record = json.loads(line)
        text = " ".join(str(record.get("text", "")).split())
        print(f"# {record.get('title')}\n  {record.get('url')}\n  {text[:200]}…\n")
    return 0


def health_demo() -> int:
    """Several nights, two publishers break on the last; print the health table."""
    from tests.simulator.nights import CHROME, FEED_GONE, nights_site, run_nights

    site = nights_site()
    fresh_db(HEALTH_DB)
    with Simulator(site) as sim, tempfile.TemporaryDirectory(prefix="demo-seeds-") as tmp:
        seeds = Path(tmp)
        sim.write_seeds(seeds)

        def night(number: int) -> int:
            print(f"\n== night {number} ==", flush=True)
            return crawl(sim, seeds, HEALTH_DB)

        codes = run_nights(sim, night)
        check = scraper_command() + [
            "check",
            "--seeds",
            str(seeds),
            "--allow-address",
            "127.0.0.0/8",
            "--delay",
            str(CRAWL_DELAY),
        ]
        print("\n$ scraper check --seeds SEEDS --allow-address 127.0.0.0/8", flush=True)
        checked = subprocess.run(check, timeout=CRAWL_TIMEOUT, check=False).returncode
        print(f"check exit code {checked}")
    cmd = scraper_command() + ["health", "--db", str(HEALTH_DB)]
    print(f"\n$ scraper health --db {HEALTH_DB} --html {HEALTH_PAGE}", flush=True)
    shown = subprocess.run(cmd + ["--html", str(HEALTH_PAGE)], timeout=60, check=False).returncode
    result = subprocess.run(
        cmd + ["--json"], capture_output=True, text=True, timeout=60, check=False
    )
    flagged = {p["name"] for p in json.loads(result.stdout)["publishers"] if p["status"] != "ok"}
    expected = {site.publishers[FEED_GONE].name, site.publishers[CHROME].name}
    print(
        f"\nnights' exit codes {codes}; health exit code {shown}; flagged: "
        f"{', '.join(sorted(flagged)) or 'none'}; page: {HEALTH_PAGE}"
    )
    normal, broken = codes[:-1], codes[-1]
    as_expected = (
        normal == [0] * len(normal) and broken == shown == checked == 3 and flagged == expected
    )
    return broken if as_expected else 1


def main() -> int:
    if "--health" in sys.argv[1:]:
        return health_demo()
    site = Site(SiteConfig.uniform(publishers=3, articles=10, crawl_delay=CRAWL_DELAY))
    fresh_db(DEMO_DB)
    with Simulator(site) as sim, tempfile.TemporaryDirectory(prefix="demo-seeds-") as tmp:
        seeds = Path(tmp)
        sim.write_seeds(seeds)
        print(
            f"simulator: {len(site.publishers)} publishers on port {sim.port}: "
            + ", ".join(f"{p.name} ({p.ip})" for p in site.publishers)
        )
        code = crawl(sim, seeds)
        print(f"\ncrawl exit code {code}; the simulator served {len(sim.log)} requests")
        shown = show_articles()
    return code or shown


if __name__ == "__main__":
    sys.exit(main())
