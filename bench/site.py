"""The bench's publisher web: the test simulator's site, sized and tuned for throughput runs.

Built on ``tests.simulator`` (a loopback asyncio HTTP server on 127.0.0.x), with three
changes that matter for measuring speed rather than robustness:

- no robots.txt Crawl-delay (``crawl_delay=None``), so the politeness under test is the
  one the bench sets, not the simulator's default 0.2 s;
- no "503 then 200" article per host: a Retry-After second per host would be a fault
  test, not throughput;
- ``repeat`` > 1 serves every article again under ``repeat - 1`` other URLs (same text),
  for the long-run memory measurement, with per-host lookups indexed so the server
  itself stays O(1) per request at 20,000 pages.
"""

from __future__ import annotations

from dataclasses import replace

from tests.simulator import Simulator
from tests.simulator.site import Article, HostConfig, Site, SiteConfig


def bench_config(hosts: int = 20, articles: int = 100, latency: float = 0.05) -> SiteConfig:
    """``hosts`` publishers (127.0.0.2 …) of ``articles`` each, every response delayed."""
    configs = tuple(
        HostConfig(articles=articles, lang="de" if i % 3 == 2 else "en", crawl_delay=None)
        for i in range(hosts)
    )
    return SiteConfig(hosts=configs, latency=latency)


class BenchSite(Site):
    """A :class:`Site` without the per-host 503, optionally repeating every article."""

    def __init__(self, config: SiteConfig, repeat: int = 1) -> None:
        super().__init__(config)
        base = [replace(a, fails_first=False) for a in self.articles]
        copies = [_copy(a, r) for r in range(1, max(1, repeat)) for a in base]
        self.articles = tuple(base + copies)
        self._by_path = {(a.host, a.path): a for a in self.articles}
        self._by_host: dict[str, list[Article]] = {}
        for a in self.articles:
            self._by_host.setdefault(a.host, []).append(a)
        self._amp = {(a.host, a.amp_path): a for a in self.articles}

    def articles_of(self, ip: str) -> list[Article]:
        """Articles of one host (indexed: the base class scans every article)."""
        return self._by_host.get(ip, [])

    def amp_article(self, ip: str, path: str) -> Article | None:
        """The article whose AMP twin is at ``path``."""
        return self._amp.get((ip, path))


def _copy(article: Article, r: int) -> Article:
    slug = f"{article.slug}-r{r}"
    folder = article.path.rsplit("/", 1)[0]
    return replace(article, slug=slug, path=f"{folder}/{slug}.html")


def start_simulator(site: BenchSite) -> Simulator:
    """Serve ``site`` on its loopback hosts; the caller stops it."""
    return Simulator(site).start()


def article_urls(sim: Simulator) -> list[str]:
    """Every article URL of the running site, host by host."""
    return [sim.article_url(a) for a in sim.site.articles]
