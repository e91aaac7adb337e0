"""The simulated web: publishers (one per loopback host), their articles and per-host modes."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.simulator.texts import Text, texts_in

ROBOTS_MODES = ("ok", "404", "500", "429", "timeout", "oversized", "allow-news", "slow-crawl")
FEED_MODES = ("ok", "xxe", "billion-laughs", "quadratic", "truncated", "garbage")
SITEMAP_MODES = ("ok", "self-index", "huge-count", "huge-size", "gz-bomb")

PRIVATE_PATH = "/private/secret.html"  # disallowed by robots.txt: must never be requested
MISSING_PATH = "/news/2026/01/this-story-was-removed.html"  # linked, answers 404
TRACKING_QUERY = "utm_source=rss&utm_medium=feed&utm_campaign=daily"
# issue 16's publisher cases (tests.simulator.specials)
SPECIAL_KINDS = ("paged", "paged-2", "figures", "paywalled", "modified", "undeclared", "live")

_NAMES = {
    "en": ["Tech Ledger", "Harbor Daily", "Valley Courier", "Metro Wire", "Coastal Times"],
    "de": ["Rhein Kurier", "Südstadt Anzeiger", "Neue Landeszeitung"],
}
_HEADLINES = {
    "en": [
        "What we know so far about {t}",
        "Inside the debate over {t}",
        "{T} in numbers",
        "Readers ask: {t}",
        "Five questions about {t}",
        "The week in {t}",
        "Analysis: why {t} matters now",
        "Explainer: {t}",
    ],
    "de": [
        "Was wir über {t} wissen",
        "Die Debatte um {t}",
        "{T} in Zahlen",
        "Fragen und Antworten: {t}",
        "Die Woche im Überblick: {t}",
        "Analyse: {t}",
    ],
}
_TOPICS = {
    "tech": "China’s tech startups",
    "business": "the local economy",
    "local": "city transport",
    "environment": "the water supply",
    "culture": "local history",
    "education": "our schools",
    "travel": "rail travel",
    "energy": "home heating",
    "wirtschaft": "das Handwerk",
    "umwelt": "den Hochwasserschutz",
    "kultur": "die Stadtgeschichte",
    "lokales": "den Verkehr",
}


@dataclass(frozen=True)
class HostConfig:
    """One simulated publisher host; ``ip`` defaults to 127.0.0.(2 + index)."""

    name: str | None = None
    lang: str = "en"
    articles: int = 10
    robots: str = "ok"
    feed: str = "ok"
    sitemap: str = "ok"
    crawl_delay: float | None = 0.2
    latency: float | None = None  # seconds before each response; None: the site's default
    robots_hold: float = 30.0  # robots="timeout": seconds of silence before closing
    robots_sitemap: bool = True  # list the sitemap index in robots.txt (RFC 9309 §2.2.4)
    ip: str | None = None
    specials: tuple[str, ...] = ()  # article k of the host is of kind specials[k]

    def __post_init__(self) -> None:
        for kind in self.specials:
            if kind not in SPECIAL_KINDS:
                raise ValueError(f"unknown special {kind!r}; choose from {SPECIAL_KINDS}")
        for value, allowed in (
            (self.robots, ROBOTS_MODES),
            (self.feed, FEED_MODES),
            (self.sitemap, SITEMAP_MODES),
        ):
            if value not in allowed:
                raise ValueError(f"unknown mode {value!r}; choose one of {allowed}")
        if self.lang not in _NAMES:
            raise ValueError(f"unknown language {self.lang!r}")
        if self.ip is not None and not self.ip.startswith("127."):
            raise ValueError(f"simulator hosts must be in 127.0.0.0/8, not {self.ip}")


def _default_hosts() -> tuple[HostConfig, ...]:
    return (HostConfig(), HostConfig(), HostConfig(lang="de"))


@dataclass(frozen=True)
class SiteConfig:
    """The whole simulated web: its hosts, default latency and the generator seed."""

    hosts: tuple[HostConfig, ...] = field(default_factory=_default_hosts)
    latency: float = 0.0
    seed: int = 2026
    now: datetime | None = None  # newest publication time; defaults to the current hour

    @classmethod
    def uniform(cls, publishers: int = 3, articles: int = 10, **host: object) -> SiteConfig:
        """``publishers`` hosts with ``articles`` each; every third one is German."""
        latency = float(host.pop("latency", 0.0))  # type: ignore[arg-type]
        hosts = tuple(
            HostConfig(articles=articles, lang="de" if i % 3 == 2 else "en", **host)  # type: ignore[arg-type]
            for i in range(publishers)
        )
        return cls(hosts=hosts, latency=latency)


@dataclass(frozen=True)
class Publisher:
    """A host with its resolved name and address."""

    ip: str
    name: str
    config: HostConfig

    @property
    def lang(self) -> str:
        return self.config.lang


@dataclass(frozen=True)
class Article:
    """One article page; ``text`` is exactly the body a perfect extractor returns."""

    host: str
    path: str
    slug: str
    title: str
    author: str
    section: str
    lang: str
    paragraphs: tuple[str, ...]
    published: datetime
    fails_first: bool = False  # the "503 then 200" article of its host
    special: str | None = None  # one of SPECIAL_KINDS (tests.simulator.specials)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def listed_path(self) -> str:
        """The path discovery lists: page 2 for a ``paged-2`` article."""
        return f"{self.path}?page=2" if self.special == "paged-2" else self.path

    @property
    def amp_path(self) -> str:
        return f"/amp/{self.slug}.html"

    @property
    def tracking_path(self) -> str:
        return f"{self.path}?{TRACKING_QUERY}"


_UMLAUTS = {ord("ä"): "ae", ord("ö"): "oe", ord("ü"): "ue", ord("ß"): "ss"}


def slugify(title: str) -> str:
    """A URL slug: German umlauts transliterated, other accents dropped."""
    title = title.lower().translate(_UMLAUTS)
    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:70].rstrip("-")


class Site:
    """Deterministic articles for every host of a :class:`SiteConfig`."""

    def __init__(self, config: SiteConfig | None = None) -> None:
        self.config = config or SiteConfig()
        now = self.config.now or datetime.now(UTC)
        self.now = now.replace(minute=0, second=0, microsecond=0)
        self.publishers = _publishers(self.config)
        self.port: int | None = None  # set by the simulator once bound
        self.articles = _generate(self.publishers, self.config.seed, self.now)
        self._by_path = {(a.host, a.path): a for a in self.articles}
        self._held: dict[str, int] = {}  # host → its newest articles not published yet

    def hold(self, ip: str, count: int) -> None:
        """Withhold ``ip``'s ``count`` newest articles (404 until :meth:`release`)."""
        self._held[ip] = max(0, count)

    def release(self, ip: str, count: int = 1) -> None:
        """Publish ``count`` more of ``ip``'s withheld articles, oldest first."""
        self._held[ip] = max(0, self._held.get(ip, 0) - count)

    def publisher(self, ip: str) -> Publisher | None:
        """The publisher served on ``ip``, if any."""
        return next((p for p in self.publishers if p.ip == ip), None)

    def articles_of(self, ip: str) -> list[Article]:
        """Articles of one host published so far, newest first."""
        return [a for a in self.articles if a.host == ip][self._held.get(ip, 0) :]

    def article(self, ip: str, path: str) -> Article | None:
        """The article at ``path`` on host ``ip`` (None while withheld)."""
        found = self._by_path.get((ip, path))
        if found is None or not self._held.get(ip):
            return found
        return found if found in self.articles_of(ip) else None

    def amp_article(self, ip: str, path: str) -> Article | None:
        """The article whose AMP twin is at ``path``."""
        return next((a for a in self.articles_of(ip) if a.amp_path == path), None)

    def base_url(self, ip: str) -> str:
        """``http://ip:port`` of a running simulator."""
        if self.port is None:
            raise RuntimeError("site is not served yet: start the Simulator first")
        return f"http://{ip}:{self.port}"

    def url(self, article: Article) -> str:
        """Absolute URL of an article."""
        return self.base_url(article.host) + article.path

    def write_seeds(self, folder: Path, *, per_host_delay: float | None = None) -> list[Path]:
        """Write one seed TOML per publisher into ``folder``; returns the files."""
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for i, pub in enumerate(self.publishers):
            path = folder / f"sim{i + 1:02d}_{slugify(pub.name).replace('-', '_')}.toml"
            path.write_text(self._seed_toml(pub, per_host_delay), encoding="utf-8")
            files.append(path)
        return files

    def _seed_toml(self, pub: Publisher, per_host_delay: float | None) -> str:
        base = self.base_url(pub.ip)
        lines = [
            f'name = "{pub.name}"',
            f'domain = "{pub.ip}"',
            f'feeds = ["{base}/feed.rss", "{base}/atom.xml"]',
            f'sitemaps = ["{base}/sitemap_index.xml"]',
            f'start_urls = ["{base}/"]',
            "include = ['^/(news|amp|private)/.+\\.html']",
            "exclude = ['^/(section|tag|newsletter)/']",
        ]
        if per_host_delay is not None:
            lines.append(f"per_host_delay = {per_host_delay}")
        lines += ["", "[extract]", 'drop_selectors = [".related-inline", ".read-also"]']
        return "\n".join(lines) + "\n"


def _publishers(config: SiteConfig) -> tuple[Publisher, ...]:
    out = []
    used: dict[str, int] = {}
    for i, host in enumerate(config.hosts):
        ip = host.ip or f"127.0.0.{2 + i}"
        names = _NAMES[host.lang]
        n = used.get(host.lang, 0)
        used[host.lang] = n + 1
        suffix = f" {n // len(names) + 1}" if n >= len(names) else ""
        name = host.name or names[n % len(names)] + suffix
        out.append(Publisher(ip=ip, name=name, config=host))
    if len({p.ip for p in out}) != len(out):
        raise ValueError("two hosts share an address")
    return tuple(out)


def _generate(publishers: tuple[Publisher, ...], seed: int, now: datetime) -> tuple[Article, ...]:
    used_sets: list[frozenset[str]] = []
    titles: set[str] = set()
    articles: list[Article] = []
    for h, pub in enumerate(publishers):
        originals = _originals_for(publishers, pub)
        for k in range(pub.config.articles):
            rng = random.Random(f"{seed}:{pub.ip}:{k}")
            if k < len(originals):
                text = originals[k]
            else:
                text = _derived(rng, pub.lang, used_sets, titles)
            used_sets.append(frozenset(text.paragraphs))
            titles.add(text.title)
            published = now - timedelta(hours=3 * k + h, minutes=7 * h)
            articles.append(_article(pub, text, k, published, rng))
    return tuple(articles)


def _originals_for(publishers: tuple[Publisher, ...], pub: Publisher) -> list[Text]:
    """Original texts are dealt round-robin to the hosts of their language, each used once."""
    same = [p for p in publishers if p.lang == pub.lang]
    index = same.index(pub)
    return [t for j, t in enumerate(texts_in(pub.lang)) if j % len(same) == index]


def _derived(rng: random.Random, lang: str, used: list[frozenset[str]], titles: set[str]) -> Text:
    """A new story of 4-5 paragraphs from the pool, sharing at most 2 with any other story."""
    pool = [(t, p) for t in texts_in(lang) for p in t.paragraphs]
    for attempt in range(200):
        picks = rng.sample(pool, rng.randint(4, 5))
        paras = frozenset(p for _, p in picks)
        if attempt > 150 or all(len(paras & u) <= 2 for u in used):
            break
    first = picks[0][0]
    topic = _TOPICS.get(first.section, first.section)
    title = rng.choice(_HEADLINES[lang]).format(t=topic, T=topic[0].upper() + topic[1:])
    n = 2
    base = title
    while title in titles:
        title, n = f"{base} ({'Teil' if lang == 'de' else 'part'} {n})", n + 1
    return Text(
        f"derived-{rng.random():.6f}",
        title,
        first.author,
        first.section,
        lang,
        tuple(p for _, p in picks),
    )


def _article(
    pub: Publisher, text: Text, k: int, published: datetime, rng: random.Random
) -> Article:
    slug = f"{slugify(text.title)}-a{10000 + k * 37 + rng.randint(0, 36)}"
    path = f"/news/{published:%Y}/{published:%m}/{slug}.html"
    last = pub.config.articles - 1
    specials = pub.config.specials
    return Article(
        host=pub.ip,
        path=path,
        slug=slug,
        title=text.title,
        author=text.author,
        section=text.section,
        lang=pub.lang,
        paragraphs=text.paragraphs,
        published=published,
        fails_first=(k == last and k >= 2),
        special=specials[k] if k < len(specials) else None,
    )


def with_host(config: SiteConfig, index: int, **changes: object) -> SiteConfig:
    """A copy of ``config`` with host ``index`` changed (e.g. ``robots="500"``)."""
    hosts = list(config.hosts)
    hosts[index] = replace(hosts[index], **changes)  # type: ignore[arg-type]
    return replace(config, hosts=tuple(hosts))
