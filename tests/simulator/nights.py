"""Several nights of publishing, then two publishers break: the stage for ``scraper health``.

Four publishers start with a few articles and publish more before each night's crawl.
After :data:`NORMAL_NIGHTS` normal nights, on the last one: the first publisher's feeds
answer 404 (its sitemap still works), the second one's article pages turn into chrome
without an article, the third publishes nothing (a quiet night, not a fault), the fourth
goes on as before. ``scraper health`` must flag exactly the first two.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.simulator.server import Simulator
from tests.simulator.site import HostConfig, Site, SiteConfig

NORMAL_NIGHTS = 3
ARTICLES = 12  # per publisher, most withheld at first
FIRST = 3  # published before the first night
PER_NIGHT = 2  # published before each later night
FEED_GONE, CHROME, QUIET, STEADY = range(4)


def nights_site() -> Site:
    """Four publishers (English), their newest articles withheld for later nights."""
    hosts = tuple(HostConfig(articles=ARTICLES, crawl_delay=None) for _ in range(4))
    site = Site(SiteConfig(hosts=hosts))
    for pub in site.publishers:
        site.hold(pub.ip, ARTICLES - FIRST)
    return site


def run_nights(sim: Simulator, crawl: Callable[[int], int]) -> list[int]:
    """Crawl ``NORMAL_NIGHTS`` normal nights, then the broken one; each night's exit code.

    ``crawl(night)`` runs one crawl (night 1, 2, …) and returns its exit code.
    """
    codes = []
    for night in range(1, NORMAL_NIGHTS + 2):
        if night > 1:
            for index, pub in enumerate(sim.site.publishers):
                if not (night == NORMAL_NIGHTS + 1 and index == QUIET):
                    sim.publish(pub.ip, PER_NIGHT)
        if night == NORMAL_NIGHTS + 1:
            sim.remove_feeds(sim.site.publishers[FEED_GONE].ip)
            sim.chrome_only(sim.site.publishers[CHROME].ip)
        codes.append(crawl(night))
    return codes
