"""Live blogs are fetched again while they run: new entries make a new version.

The real CLI crawls a simulated publisher whose live blog shows two entries, then four;
other archived articles are never fetched twice, and an unchanged live blog costs one
conditional request answered 304.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from tests.simulator import Article, HostConfig, Simulator, SiteConfig
from tests.test_e2e import crawl, run_cli

FAST = {"SCRAPER_PER_HOST_DELAY": "0.05"}  # a seed may only raise the 1 s default
NOW = {**FAST, "SCRAPER_LIVEBLOG_REVISIT_HOURS": "0"}  # every run may revisit


@contextmanager
def _site(tmp: Path, articles: int) -> Iterator[tuple[Simulator, Path, Path, Article]]:
    """A publisher with a live blog: (simulator, seeds folder, archive path, the blog)."""
    hosts = (HostConfig(articles=articles, crawl_delay=None, specials=("live",)),)
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        sim.write_seeds(tmp / "seeds", per_host_delay=0.05)
        live = next(a for a in sim.site.articles if a.special == "live")
        yield sim, tmp / "seeds", tmp / "archive.db", live


def _live(db: Path, url: str) -> dict:
    with Database(db) as reader:
        (row,) = reader.query(
            "SELECT a.version, a.live_updates, a.text FROM articles a JOIN article_urls u "
            "ON u.article_id = a.id WHERE u.url = ?",
            [url],
        )
        return row


def test_a_running_live_blog_is_revisited_and_other_articles_are_not(tmp_path: Path) -> None:
    with _site(tmp_path, 3) as (sim, seeds, db, live):
        url = sim.site.url(live)
        others = [a.path for a in sim.site.articles if a is not live]

        sim.set_live_entries(2)
        first = crawl(seeds, db, env=NOW)
        assert first.returncode == 0, first.stderr  # the site's one dead link: gone
        row = _live(db, url)
        assert (row["version"], len(json.loads(row["live_updates"]))) == (1, 2)

        sim.set_live_entries(4)
        sim.clear_log()
        second = run_cli(
            "crawl",
            "--seeds",
            str(seeds),
            "--db",
            str(db),
            "--allow-address",
            "127.0.0.0/8",
            env=NOW,
        )  # not --quiet: the summary is checked
        assert second.returncode == 0, second.stderr
        row = _live(db, url)
        updates = json.loads(row["live_updates"])
        assert (row["version"], len(updates)) == (2, 4)
        assert updates[-1]["headline"] == "Update 4" and updates[-1]["text"] in row["text"]
        assert [e.status for e in sim.requests_for(path_prefix=live.path)] == [200]
        assert not [e for p in others for e in sim.requests_for(path_prefix=p)]
        assert "live blogs revisited 1" in second.stdout + second.stderr

        sim.clear_log()  # nothing new: one conditional request, answered 304, no version
        third = crawl(seeds, db, env=NOW)
        assert third.returncode == 0, third.stderr
        (entry,) = sim.requests_for(path_prefix=live.path)
        assert entry.status == 304
        assert dict(entry.headers).get("if-none-match")
        assert _live(db, url)["version"] == 2

        sim.clear_log()  # at the default interval (1 hour) a fresh fetch is not repeated
        fourth = crawl(seeds, db, env=FAST)
        assert fourth.returncode == 0, fourth.stderr
        assert not sim.requests_for(path_prefix=live.path)


def test_a_live_blog_whose_last_entry_is_days_old_is_left_alone(tmp_path: Path) -> None:
    with _site(tmp_path, 2) as (sim, seeds, db, live):
        sim.set_live_entries(1)  # its one entry: the time it was published, already past
        assert crawl(seeds, db, env=NOW).returncode == 0  # the site's one dead link: gone
        sim.clear_log()
        # the same blog judged over: an active window of 0 days has its newest entry outside
        again = crawl(seeds, db, env={**NOW, "SCRAPER_LIVEBLOG_ACTIVE_DAYS": "0"})
        assert again.returncode == 0, again.stderr
        assert not sim.requests_for(path_prefix=live.path)
        sim.clear_log()  # and within the default window of 2 days, it is asked again
        assert crawl(seeds, db, env=NOW).returncode == 0
        assert [e.status for e in sim.requests_for(path_prefix=live.path)] == [304]
