"""A small loopback news site for ``scraper add``: one publisher, in one of four flavours.

- ``feed``: its RSS feed is named only by the home page's ``<link rel=alternate>``, at an
  unusual path; articles at ``/world/2026/01/15/some-slug/``.
- ``sitemap``: a sitemap index named only in robots.txt (with a crawl delay), a news sitemap
  and a pages sitemap under it; articles at ``/world/some-slug-100007.html``.
- ``fronts``: no feed, no sitemap, only section fronts; articles at ``/world/100007/some-slug``.
- ``bare``: a home page and an about page, nothing that lists an article.

Every flavour has fronts, tag, author, search, about and date-archive pages, linked the way
news sites link them. The text is made up from a word list, different for every article.
"""

from __future__ import annotations

import html
import random
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECTIONS = ("world", "business", "culture", "science")
PER_SECTION = 4
IN_FEED = 10  # the feed lists the newest ten articles; fronts list them all
_WORDS = (
    "council harbour budget river school winter market railway museum village farmers "
    "storm bridge election minister festival library hospital factory energy water coast "
    "island mayor court teachers students workers prices tourism housing garden forest "
    "mountain bakery orchestra airport station tunnel reservoir drought harvest ferry "
    "announced reported expected debated approved rejected delayed opened closed planned "
    "yesterday tonight quietly sharply slowly again finally nearby northern southern local "
    "regional national new old large small public private early late second final annual"
).split()
_TOPICS = ("climate-and-energy-policy", "local-elections", "transport", "arts")
_AUTHORS = ("Jane Doe", "Ravi Menon", "Ana Lopez")


@dataclass(frozen=True)
class Article:
    path: str
    title: str
    author: str
    topic: str
    section: str
    published: datetime
    paragraphs: tuple[str, ...]


@dataclass
class NewsSite:
    """The pages of one publisher, by path (query included)."""

    flavour: str
    base: str = ""
    articles: list[Article] = field(default_factory=list)
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def non_article_pages(self) -> list[str]:
        paths = {a.path for a in self.articles}
        return [
            p
            for p, (kind, _) in self.pages.items()
            if kind.startswith("text/html") and p not in paths
        ]


def _slug(text: str) -> str:
    return "-".join(text.lower().split())


def _text(rng: random.Random) -> tuple[str, ...]:
    def sentence() -> str:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(12, 18))]
        return " ".join(words).capitalize() + "."

    return tuple(" ".join(sentence() for _ in range(4)) for _ in range(5))


def _article_path(flavour: str, section: str, when: datetime, slug: str, ident: int) -> str:
    if flavour == "feed":
        return f"/{section}/{when:%Y/%m/%d}/{slug}/"
    if flavour == "sitemap":
        return f"/{section}/{slug}-{ident}.html"
    return f"/{section}/{ident}/{slug}"


def _archive_path(flavour: str, when: datetime) -> str:
    return {"feed": f"/world/{when:%Y/%m/%d}/", "sitemap": f"/archive/{when:%Y/%m}/"}.get(
        flavour, f"/{when:%Y/%m/%d}/"
    )


def _articles(flavour: str) -> list[Article]:
    rng = random.Random(f"onboard-{flavour}")
    start = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
    out: list[Article] = []
    titles: set[str] = set()
    for i in range(len(SECTIONS) * PER_SECTION):
        section = SECTIONS[i % len(SECTIONS)]
        title = ""
        while not title or title in titles:  # distinct, and no number: slugs as sites make them
            title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 6))).capitalize()
        titles.add(title)
        when = start - timedelta(hours=7 * i)
        path = _article_path(flavour, section, when, _slug(title), 100_000 + i)
        out.append(Article(path, title, _AUTHORS[i % 3], _TOPICS[i % 4], section, when, _text(rng)))
    return out


def _page(site: NewsSite, title: str, main: str, *, head: str = "") -> bytes:
    nav = "".join(f'<li><a href="/{s}/">{s.title()}</a></li>' for s in SECTIONS)
    text = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | Harbour Courier</title>
<meta property="og:site_name" content="Harbour Courier">{head}</head><body>
<header><a href="/">Harbour Courier</a><nav><ul>{nav}
<li><a href="/about/">About us</a></li><li><a href="/search?q=news">Search</a></li></ul></nav>
</header><main>{main}</main>
<footer><a href="/about/">About</a> <a href="/tag/local-elections/">Elections</a>
<a href="{_archive_path(site.flavour, site.articles[0].published)}">Archive</a></footer>
</body></html>"""
    return text.encode()


def _teasers(site: NewsSite, articles: list[Article], heading: str) -> str:
    items = "".join(
        f'<li><a href="{a.path}">{html.escape(a.title)}</a> '
        f'<a href="/author/{_slug(a.author)}/">{a.author}</a> '
        f'<a href="/tag/{a.topic}/">{a.topic.replace("-", " ")}</a></li>'
        for a in articles
    )
    return f"<h1>{html.escape(heading)}</h1><ul class='teasers'>{items}</ul>"


def _article_page(site: NewsSite, a: Article) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in a.paragraphs)
    related = _teasers(site, [b for b in site.articles if b.section == a.section][:3], "More")
    main = (
        f"<article><h1>{html.escape(a.title)}</h1><p class='byline'>By "
        f'<a href="/author/{_slug(a.author)}/">{a.author}</a> '
        f'<time datetime="{a.published.isoformat()}">{a.published:%d %B %Y}</time></p>'
        f'{body}<p>Filed under <a href="/tag/{a.topic}/">{a.topic}</a></p></article>'
        f"<aside>{related}</aside>"
    )
    return _page(site, a.title, main)


def _feed(site: NewsSite) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(a.title)}</title><link>{site.base}{a.path}</link>"
        f"<pubDate>{a.published:%a, %d %b %Y %H:%M:%S} +0000</pubDate></item>"
        for a in site.articles[:IN_FEED]
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Courier</title>'
        f"<link>{site.base}/</link>{items}</channel></rss>"
    ).encode()


def _sitemaps(site: NewsSite) -> dict[str, tuple[str, bytes]]:
    xml = "application/xml"
    index = "".join(
        f"<sitemap><loc>{site.base}/maps/{n}.xml</loc></sitemap>" for n in ("pages", "news")
    )
    news = "".join(
        f"<url><loc>{site.base}{a.path}</loc><news:news><news:publication><news:name>Harbour "
        f"Courier</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
        f"<news:title>{html.escape(a.title)}</news:title></news:news></url>"
        for a in site.articles
    )
    pages = "".join(
        f"<url><loc>{site.base}{p}</loc></url>"
        for p in ("/", "/about/", *(f"/{s}/" for s in SECTIONS))
    )
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    news_ns = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
    return {
        "/maps/index.xml": (xml, f"<sitemapindex {ns}>{index}</sitemapindex>".encode()),
        "/maps/news.xml": (xml, f"<urlset {ns} {news_ns}>{news}</urlset>".encode()),
        "/maps/pages.xml": (xml, f"<urlset {ns}>{pages}</urlset>".encode()),
    }


def build(flavour: str, base: str, *, empty_articles: bool = False) -> NewsSite:
    """Every page of the site at ``base`` (``http://127.0.0.1:PORT``).

    ``empty_articles``: article pages carry a headline and no text (a paywall, a script app).
    """
    site = NewsSite(flavour, base, _articles(flavour) if flavour != "bare" else [])
    if empty_articles:
        site.articles = [replace(a, paragraphs=()) for a in site.articles]
    html_type = "text/html; charset=utf-8"
    robots = "User-agent: *\nDisallow: /private/\n"
    head = ""
    if flavour == "feed":
        site.pages["/data/syndication/latest.xml"] = ("application/rss+xml", _feed(site))
        head = (
            '<link rel="alternate" type="application/rss+xml" title="Latest" '
            'href="/data/syndication/latest.xml">'
        )
    if flavour == "sitemap":
        robots += f"Crawl-delay: 0.05\nSitemap: {base}/maps/index.xml\n"
        site.pages.update(_sitemaps(site))
    site.pages["/robots.txt"] = ("text/plain", robots.encode())
    if flavour == "bare":
        site.articles = []
        site.pages["/"] = (
            html_type,
            b'<html lang="en"><head><title>Bare</title></head><body>'
            b'<nav><a href="/about/">About</a></nav><p>Soon.</p></body></html>',
        )
        site.pages["/about/"] = (html_type, b"<html><body><p>About us.</p></body></html>")
        return site
    _listings(site, head)
    for a in site.articles:
        site.pages[a.path] = (html_type, _article_page(site, a))
    return site


def _listings(site: NewsSite, head: str) -> None:
    html_type = "text/html; charset=utf-8"
    arts = site.articles

    def listing(path: str, title: str, chosen: list[Article]) -> None:
        site.pages[path] = (html_type, _page(site, title, _teasers(site, chosen, title)))

    home = _page(site, "Home", _teasers(site, arts[:8], "Latest news"), head=head)
    site.pages["/"] = (html_type, home)
    for s in SECTIONS:
        chosen = [a for a in arts if a.section == s]
        page2 = _page(
            site, s.title(), _teasers(site, chosen, s.title()) + f'<a href="/{s}/page/2/">Older</a>'
        )
        site.pages[f"/{s}/"] = (html_type, page2)
        listing(f"/{s}/page/2/", f"{s.title()}, page 2", chosen[2:])
    for topic in _TOPICS:
        listing(f"/tag/{topic}/", topic, [a for a in arts if a.topic == topic])
    for author in _AUTHORS:
        listing(f"/author/{_slug(author)}/", author, [a for a in arts if a.author == author])
    listing("/search?q=news", "Search results", arts[::3])
    listing(_archive_path(site.flavour, arts[0].published), "Archive", arts[:5])
    about = "<h1>About us</h1><p>The Harbour Courier is a local paper.</p>"
    site.pages["/about/"] = (html_type, _page(site, "About us", about))


class SiteServer:
    """Serves one :class:`NewsSite` on 127.0.0.1 (a free port) and records every path asked."""

    def __init__(self, flavour: str, *, empty_articles: bool = False) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests.append(self.path)
                kind, body = server.site.pages.get(self.path, ("text/html", b""))
                status = 200 if self.path in server.site.pages else 404
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.site = build(flavour, self.base, empty_articles=empty_articles)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
