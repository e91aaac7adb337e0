"""docs/hardening.md scenario 25: one story reached many ways is one article and one search hit.

The simulator's feeds link one article through tracking parameters, its listing pages link
another through its AMP twin (whose rel=canonical points back), and the same site is
crawled twice; http and https spellings of a stored URL must fold onto the same article.
"""

from __future__ import annotations

from pathlib import Path

from archive import Archive
from tests.faultkit import (
    archived,
    consistency_problems,
    crawl,
    crawl_env,
    runs,
    search_hits,
)
from tests.simulator import HostConfig, Simulator, SiteConfig
from tests.simulator.site import TRACKING_QUERY


def test_s25_variants_and_a_second_run_give_one_article_one_hit(tmp_path: Path) -> None:
    hosts = tuple(HostConfig(articles=4, crawl_delay=None, lang=lang) for lang in ("en", "de"))
    with Simulator(SiteConfig(hosts=hosts)) as sim:
        seeds = tmp_path / "seeds"
        sim.write_seeds(seeds)
        db = tmp_path / "d.db"
        first = crawl(seeds, db, env=crawl_env())
        second = crawl(seeds, db, env=crawl_env())
        amp_requested = [e for e in sim.log if e.path.startswith("/amp/")]
        tracked = [e for e in sim.log if TRACKING_QUERY in e.target]
    assert first.returncode == second.returncode == 0, first.output + second.output
    assert amp_requested  # the AMP twin really was fetched …
    assert not tracked  # … and tracking parameters never reach the wire
    stored = archived(db)
    with Archive.open(db) as archive:
        roots = archive.articles.counts()["articles"]
        for article in sim.site.articles:
            own = stored[article.path]
            base = sim.article_url(article)
            variants = [
                f"{base}?{TRACKING_QUERY}",
                base.replace("http://", "https://"),
                base + "#comments",
            ]
            if any(e.path == article.amp_path for e in amp_requested):
                variants.append(sim.url(article.amp_path, article.host))  # its canonical won
            for variant in variants:
                assert archive.urls.article_for(variant) == own, variant
            hits = search_hits(db, article.title + " " + article.paragraphs[1])
            assert hits == [own], article.title  # found, once, and no copy of it
    assert roots == len(sim.site.articles)
    assert runs(db)[-1][1].get("article_new", 0) == 0  # the second run added nothing
    assert consistency_problems(db) == []
