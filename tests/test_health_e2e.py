"""End to end: real CLI crawls over several nights; ``scraper health`` flags what broke.

After normal nights one publisher's feeds disappear (404) and another's article pages turn
into chrome without an article; a third publishes nothing. Health must flag exactly the
first two and exit 3, and so must that night's crawl, while the normal nights exit 0.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from tests.simulator.nights import (
    CHROME,
    FEED_GONE,
    NORMAL_NIGHTS,
    QUIET,
    STEADY,
    nights_site,
    run_nights,
)
from tests.simulator.server import Simulator
from tests.test_e2e import crawl, run_cli


def test_health_flags_the_broken_publishers_not_the_quiet_one(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    outputs: list[str] = []

    def night(_: int) -> int:
        result = crawl(seeds, db, "--delay", "0.1")
        outputs.append(result.stdout)
        return result.returncode

    with Simulator(nights_site()) as sim:
        seeds = tmp_path / "seeds"
        sim.write_seeds(seeds)
        codes = run_nights(sim, night)
        names = [p.name for p in sim.site.publishers]
    # Normal nights exit 0; the broken one exits 3 and names what to look at, and only that.
    assert codes == [0] * NORMAL_NIGHTS + [3], outputs
    (look,) = [line for line in outputs[-1].splitlines() if "needs a look" in line]
    assert "WARNING exit 3, needs a look: " in look
    assert names[FEED_GONE] in look and names[CHROME] in look
    assert names[QUIET] not in look and names[STEADY] not in look
    result = run_cli("health", "--db", str(db), "--json")
    assert result.returncode == 3, result.stderr
    verdicts = {p["name"]: p for p in json.loads(result.stdout)["publishers"]}
    assert set(verdicts) == set(names)
    flagged = {name for name, v in verdicts.items() if v["status"] != "ok"}
    assert flagged == {names[FEED_GONE], names[CHROME]}
    assert any("feed.rss" in r for r in verdicts[names[FEED_GONE]]["reasons"])
    chrome = verdicts[names[CHROME]]
    assert chrome["status"] == "failing" and chrome["new"] == 0 and chrome["no_article"] > 0
    assert any("template change" in r for r in chrome["reasons"])
    # The crawl's own summary named them too.
    assert names[FEED_GONE] in outputs[-1] and names[CHROME] in outputs[-1]
    assert "publisher health: all 4 ok" in outputs[1]
    table = run_cli("health", "--db", str(db))
    assert table.returncode == 3 and table.stdout.splitlines()[0].startswith("publisher")
    with Database(db) as reader:
        assert reader.table("publisher_runs").count == 4 * (NORMAL_NIGHTS + 1)
