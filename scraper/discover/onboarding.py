"""Onboarding (``scraper add``): find a new publisher's feeds, sitemaps and fronts from its URL.

The sources are looked for in this order, each through the caller's :class:`Get` (the crawl's
fetcher, robots.txt and address guard, under a request budget):

1. ``Sitemap:`` lines of robots.txt (RFC 9309 §2.2.4), an index's news sitemaps first;
2. feeds the home page advertises with ``<link rel="alternate">`` (RSS, Atom, JSON Feed);
3. only while neither gave anything: the usual feed and sitemap locations, one at a time,
   stopping at the first that works;
4. the section fronts linked from the home page's navigation.

The URLs they list are split into article URLs (what the feeds and sitemaps list, or the
article-looking links of the fronts when there are neither) and other URLs (the home page,
the fronts, tag, author, search, about and date-archive pages), from which
:mod:`scraper.discover.url_shapes` infers the seed's ``include`` pattern. A few pages on
each side are then fetched and judged by the caller's :class:`Judge`: an article must
extract as one, a listing must not.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.discover.feeds import FeedEntry, parse_feed
from scraper.discover.listing import is_navigation, listing_links, looks_like_article
from scraper.discover.sitemaps import parse_sitemap
from scraper.discover.url_shapes import Inferred, infer_include, segments, target
from scraper.discover.xmlsafe import XMLError

MAX_FEEDS = 4  # advertised feeds read
MAX_CHILDREN = 3  # child sitemaps of an index read (news sitemaps first)
MAX_FRONTS = 6  # section fronts read
SAMPLES = 3  # pages fetched and judged on each side of the pattern
# The usual places, most common first (WordPress, Drupal, Hugo, Ghost, Yoast, Google News).
USUAL_PLACES = (
    ("feed", "/feed/"),
    ("feed", "/rss.xml"),
    ("sitemap", "/sitemap.xml"),
    ("sitemap", "/sitemap_index.xml"),
    ("feed", "/atom.xml"),
    ("feed", "/feed.xml"),
    ("sitemap", "/news-sitemap.xml"),
    ("feed", "/index.xml"),
    ("feed", "/rss"),
)
FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/rdf+xml": "RSS",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
}
_NAV_SELECTORS = "nav a[href], header a[href], [role=navigation] a[href], .menu a[href]"
_SHORT_NUMBER = re.compile(r"\d{1,4}")
# Site pages of prose, not listings: a sample of them may well extract as an article.
_PROSE_PAGES = frozenset(
    {
        "about",
        "about-us",
        "contact",
        "contact-us",
        "imprint",
        "impressum",
        "privacy",
        "privacy-policy",
        "terms",
        "legal",
        "cookies",
    }
)


class Get(Protocol):
    """Fetches one URL politely; None when refused, failed or over the budget (noted)."""

    async def __call__(self, url: str, what: str, *, html: bool = False) -> bytes | None: ...


Judge = Callable[[bytes, str], bool]  # (page body, URL) → does it extract as an article?


@dataclass(frozen=True)
class Source:
    """A feed, sitemap or front that worked, how it was found and how many URLs it gave."""

    url: str
    how: str
    urls: int


@dataclass(frozen=True)
class Sample:
    """One page fetched to check the pattern: which side it is on and what it extracted as."""

    url: str
    article_side: bool
    looks_like_article: bool | None  # None: not fetched

    @property
    def ok(self) -> bool:
        return self.looks_like_article is not None and self.looks_like_article == self.article_side


@dataclass(frozen=True)
class HomePage:
    """What the home page says about the publisher."""

    name: str | None = None
    language: str | None = None
    feeds: tuple[tuple[str, str], ...] = ()  # (URL, kind) from <link rel="alternate">
    nav: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


@dataclass
class Findings:
    """Everything onboarding found for one publisher (filled in as it goes)."""

    home: str
    domain: str
    page: HomePage = field(default_factory=HomePage)
    crawl_delay: float | None = None
    feeds: list[Source] = field(default_factory=list)
    sitemaps: list[Source] = field(default_factory=list)
    fronts: list[Source] = field(default_factory=list)
    articles: dict[str, None] = field(default_factory=dict)  # from feeds and sitemaps
    listed: dict[str, None] = field(default_factory=dict)  # links of the home page and fronts
    include: Inferred | None = None
    others: list[str] = field(default_factory=list)  # non-article URLs, fronts first
    samples: list[Sample] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was tried, one line each

    @property
    def discoverable(self) -> bool:
        """A crawl has somewhere to find articles, and a pattern to know them by."""
        return bool(self.feeds or self.sitemaps or self.fronts) and bool(
            self.include and self.include.patterns
        )


class Onboarding:
    """Finds one publisher's sources through ``get``; robots.txt facts come from ``robots``."""

    def __init__(
        self,
        get: Get,
        robots: Callable[[str], Awaitable[tuple[float | None, tuple[str, ...]]]],
        judge: Judge,
        *,
        max_bytes: int,
        max_urls: int,
    ) -> None:
        self.get, self.robots, self.judge = get, robots, judge
        self.max_bytes, self.max_urls = max_bytes, max_urls

    async def run(self, home: str, domain: str) -> Findings:
        found = Findings(home, domain)
        found.crawl_delay, robots_sitemaps = await self.robots(home)
        body = await self.get(home, "home page", html=True)
        if body is None:
            return found
        found.page = read_home(body, home, domain)
        for url in [u for u in robots_sitemaps if _owns(domain, u)]:
            await self._sitemap(found, url, "listed in robots.txt")
        for url, kind in found.page.feeds[:MAX_FEEDS]:
            await self._feed(found, url, f"{kind}, <link rel=alternate> on the home page")
        if not (found.feeds or found.sitemaps):
            await self._usual_places(found)
        await self._fronts(found)
        self._infer(found)
        await self._samples(found)
        return found

    async def _feed(self, found: Findings, url: str, how: str) -> bool:
        body = await self.get(url, "feed")
        if body is None:
            return False
        try:
            entries = parse_feed(body, url, max_bytes=self.max_bytes)
        except (XMLError, ValueError) as exc:
            found.notes.append(f"feed {url}: did not parse ({_short(exc)})")
            return False
        return self._keep(found, found.feeds, Source(url, how, len(entries)), entries)

    async def _sitemap(self, found: Findings, url: str, how: str) -> bool:
        body = await self.get(url, "sitemap")
        if body is None:
            return False
        try:
            doc = parse_sitemap(body, url, max_bytes=self.max_bytes, max_urls=self.max_urls)
        except (XMLError, ValueError) as exc:
            found.notes.append(f"sitemap {url}: did not parse ({_short(exc)})")
            return False
        entries = list(doc.urls)
        children = sorted(
            (c for c in doc.sitemaps if _owns(found.domain, c)),
            key=lambda c: "news" not in c.lower(),
        )
        for child in children[:MAX_CHILDREN]:
            entries += await self._child(found, child)
        return self._keep(found, found.sitemaps, Source(url, how, len(entries)), entries)

    async def _child(self, found: Findings, url: str) -> list[FeedEntry]:
        body = await self.get(url, "child sitemap")
        try:
            doc = (
                parse_sitemap(body, url, max_bytes=self.max_bytes, max_urls=self.max_urls)
                if body
                else None
            )
        except (XMLError, ValueError) as exc:
            found.notes.append(f"child sitemap {url}: did not parse ({_short(exc)})")
            return []
        return list(doc.urls) if doc else []

    def _keep(
        self, found: Findings, into: list[Source], source: Source, entries: list[FeedEntry]
    ) -> bool:
        own = [e.url for e in entries if _owns(found.domain, e.url)]
        if not own:
            found.notes.append(f"{source.url}: lists no URL of {found.domain}")
            return False
        into.append(source)
        found.articles.update(dict.fromkeys(own))
        return True

    async def _usual_places(self, found: Findings) -> None:
        found.notes.append(
            "no feed or sitemap named by robots.txt or the home page; trying the usual places"
        )
        for kind, path in USUAL_PLACES:
            url = urljoin(found.home, path)
            how = f"usual place {path}"
            if await (self._feed if kind == "feed" else self._sitemap)(found, url, how):
                return  # something better is known now: stop knocking

    async def _fronts(self, found: Findings) -> None:
        fronts = [u for u in found.page.nav if _front_like(u, found.home)][:MAX_FRONTS]
        found.listed.update(dict.fromkeys(found.page.links))
        for url in fronts:
            body = await self.get(url, "front", html=True)
            if body is None:
                continue
            links = listing_links(body[: self.max_bytes], url, found.domain)
            found.listed.update(dict.fromkeys(links))
            folders = _folders(links)
            articles = [u for u in links if _article_like(u, folders)]
            if articles:
                found.fronts.append(
                    Source(url, "linked from the home page's navigation", len(articles))
                )
            else:
                found.notes.append(f"front {url}: links no article-like page")

    def _infer(self, found: Findings) -> None:
        listed = set(found.listed)
        known = set(found.page.nav) | {s.url for s in found.fronts} | {found.home}
        pool = set(found.articles) or {u for u in listed if _article_like(u, _folders(listed))}
        folders = _folders(listed | pool)
        articles = {u for u in pool if u not in known and not _listing_like(u, folders)}
        others = known | {
            u for u in listed - articles if _listing_like(u, folders) or not looks_like_article(u)
        }
        found.include = infer_include(articles, others)
        found.others = sorted(others - articles, key=lambda u: (u not in known, u))

    async def _samples(self, found: Findings) -> None:
        if not (found.include and found.include.patterns):
            return
        patterns = [re.compile(p) for p in found.include.patterns]
        hits = sorted(
            u
            for u in {*found.articles, *found.listed}
            if any(p.search(target(u)) for p in patterns)
        )
        misses = [
            u
            for u in found.others
            if not any(p.search(target(u)) for p in patterns)
            and not _PROSE_PAGES & set(segments(u))
        ]
        for url in _spread(hits, SAMPLES):
            found.samples.append(await self._sample(url, True))
        fronts = [s.url for s in found.fronts if s.url in misses][:1]
        nav = {*found.page.nav, found.home}
        rest = [u for u in misses if u not in nav] or [u for u in misses if u not in fronts]
        for url in fronts + _spread_kinds(rest, SAMPLES - len(fronts)):
            found.samples.append(await self._sample(url, False))

    async def _sample(self, url: str, article_side: bool) -> Sample:
        body = await self.get(url, "sample", html=True)
        return Sample(url, article_side, None if body is None else self.judge(body, url))


def read_home(body: bytes, url: str, domain: str) -> HomePage:
    """The publisher's name, declared language, advertised feeds and navigation links."""
    tree = LexborHTMLParser(body)
    html = tree.css_first("html")
    lang = (html.attributes.get("lang") or "").strip() if html is not None else ""
    feeds: dict[str, str] = {}
    for node in tree.css("link[rel][href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((node.attributes.get("type") or "").lower().split(";")[0].strip())
        href = urljoin(url, (node.attributes.get("href") or "").strip())
        if "alternate" in rel and kind and _owns(domain, href):
            feeds.setdefault(href, kind)
    links = listing_links(body, url, domain)
    nav_nodes = tree.css(_NAV_SELECTORS)
    nav = (
        listing_links("".join(n.html or "" for n in nav_nodes), url, domain)
        if nav_nodes
        else [u for u in links if len(segments(u)) == 1]
    )
    return HomePage(_site_name(tree), lang or None, tuple(feeds.items()), tuple(nav), tuple(links))


def _site_name(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first('meta[property="og:site_name"]')
    name = (node.attributes.get("content") or "").strip() if node is not None else ""
    if not name and (title := tree.css_first("title")) is not None:
        name = re.split(r"\s+[|–—-]\s+", title.text(strip=True))[0].strip()
    return " ".join(name.split()) or None


def _owns(domain: str, url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == domain or host.endswith("." + domain)


def _front_like(url: str, home: str) -> bool:
    """A section front: on the site, one or two segments, not a site page or an article."""
    return (
        url.rstrip("/") != home.rstrip("/")
        and 1 <= len(segments(url)) <= 2
        and not is_navigation(url)
        and not looks_like_article(url)
        and not urlsplit(url).query
    )


def _folders(urls: Iterable[str]) -> set[str]:
    """Every folder (``/world/2026/``) that holds another of ``urls``, in one pass."""
    out: set[str] = set()
    for url in urls:
        segs = segments(url)
        out.update("/" + "/".join(segs[:n]) + "/" for n in range(1, len(segs)))
    return out


def _listing_like(url: str, folders: set[str]) -> bool:
    """A site page, a date archive (``/2026/01/``) or the folder of another URL found."""
    segs = segments(url)
    if not segs or is_navigation(url) or urlsplit(url).query:
        return True
    if _SHORT_NUMBER.fullmatch(segs[-1]):
        return True
    return "/" + "/".join(segs) + "/" in folders


def _article_like(url: str, folders: set[str]) -> bool:
    return looks_like_article(url) and not _listing_like(url, folders)


def _spread(urls: list[str], count: int) -> list[str]:
    """``count`` URLs spread over the list (not the first few of one section)."""
    if len(urls) <= count:
        return urls
    step = len(urls) / count
    return [urls[int(i * step)] for i in range(count)]


def _spread_kinds(urls: list[str], count: int) -> list[str]:
    """One URL of each first segment (a front, a tag page, an author page …) first."""
    firsts: dict[str, str] = {}
    for url in urls:
        firsts.setdefault((segments(url) or [""])[0], url)
    picked = list(firsts.values())[:count]
    return picked + [u for u in urls if u not in picked][: count - len(picked)]


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:120]
