"""robots.txt, RSS 2.0, Atom and sitemaps per host, in normal and hostile variants."""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from email.utils import format_datetime
from xml.sax.saxutils import escape

from tests.simulator.site import MISSING_PATH, Article, Publisher

_UA_BLOCK = "User-agent: *\n"


def robots_txt(pub: Publisher, base: str) -> bytes:
    """robots.txt per RFC 9309 for the modes served with status 200."""
    mode = pub.config.robots
    sitemap = f"Sitemap: {base}/sitemap_index.xml\n" if pub.config.robots_sitemap else ""
    if mode == "allow-news":
        # RFC 9309 §2.2.2: the longest match wins, so /news/ stays allowed under "Disallow: /".
        return (_UA_BLOCK + "Allow: /news/\nAllow: /feed.rss\nDisallow: /\n" + sitemap).encode()
    delay = 86400.0 if mode == "slow-crawl" else pub.config.crawl_delay
    rules = _UA_BLOCK + "Disallow: /private/\nDisallow: /search\n"
    if delay is not None:
        rules += f"Crawl-delay: {delay:g}\n"
    if mode == "oversized":
        # RFC 9309 §2.5: crawlers must parse at least 500 KiB; the rule past 600 KiB of
        # comments would shut out everything if a crawler parsed the whole file.
        filler = "".join(f"# padding line {i:06d} {'x' * 48}\n" for i in range(9600))
        return (rules + sitemap + filler + _UA_BLOCK + "Disallow: /\n").encode()
    return (rules + sitemap).encode()


def _rfc822(article: Article) -> str:
    return format_datetime(article.published, usegmt=True)


def rss_feed(pub: Publisher, base: str, articles: list[Article]) -> bytes:
    """RSS 2.0 with pubDate; the second item links the tracking-parameter variant."""
    items = []
    for i, a in enumerate(articles):
        link = base + (a.tracking_path if i == 1 else a.listed_path)
        items.append(
            f"<item><title>{escape(a.title)}</title><link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{pub.ip}-{a.slug}</guid>'
            f"<pubDate>{_rfc822(a)}</pubDate><dc:creator>{escape(a.author)}</dc:creator>"
            f"<description>{escape(a.paragraphs[0][:200])}</description></item>"
        )
    newest = _rfc822(articles[0]) if articles else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(pub.name)}</title><link>{base}/</link>"
        f"<description>Latest from {escape(pub.name)}</description>"
        f"<language>{pub.lang}</language><lastBuildDate>{newest}</lastBuildDate>"
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


def atom_feed(pub: Publisher, base: str, articles: list[Article]) -> bytes:
    """Atom 1.0 (RFC 4287) with published and updated."""
    entries = "".join(
        f'<entry><title>{escape(a.title)}</title><link href="{base}{a.listed_path}"/>'
        f"<id>tag:{pub.ip},2026:{a.slug}</id><published>{a.published.isoformat()}</published>"
        f"<updated>{a.published.isoformat()}</updated>"
        f"<author><name>{escape(a.author)}</name></author>"
        f"<summary>{escape(a.paragraphs[0][:200])}</summary></entry>"
        for a in articles
    )
    updated = articles[0].published.isoformat() if articles else "2026-01-01T00:00:00+00:00"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>{escape(pub.name)}</title><link href="{base}/"/><id>tag:{pub.ip},2026:feed</id>'
        f"<updated>{updated}</updated>{entries}</feed>\n"
    ).encode()


def hostile_feed(kind: str, base: str, xxe_path: str) -> bytes:
    """Feeds that attack the parser (issue 5, scenarios 20-21)."""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    item = f"<item><title>Ordinary story</title><link>{base}/news/ok.html</link></item>"
    if kind == "xxe":
        return (
            f'{head}<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{xxe_path}">]>\n'
            f'<rss version="2.0"><channel><title>Feed</title><item><title>Leak &xxe;</title>'
            f"<link>{base}/news/leak.html</link><description>&xxe;</description></item>"
            f"{item}</channel></rss>\n"
        ).encode()
    if kind == "billion-laughs":
        ents = ['<!ENTITY lol0 "lol">'] + [
            f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
        ]
        return (
            f'{head}<!DOCTYPE rss [{"".join(ents)}]>\n<rss version="2.0"><channel>'
            f"<title>&lol9;</title>{item}</channel></rss>\n"
        ).encode()
    if kind == "quadratic":
        # One 50 KB entity referenced 20,000 times: ~1 GB if expanded (no nesting to detect).
        blob = "A" * 50_000
        return (
            f'{head}<!DOCTYPE rss [<!ENTITY a "{blob}">]>\n<rss version="2.0"><channel>'
            f"<title>{'&a;' * 20_000}</title>{item}</channel></rss>\n"
        ).encode()
    if kind == "garbage":
        return random.Random(5).randbytes(64 * 1024)
    raise ValueError(f"unknown hostile feed {kind!r}")


def truncated(data: bytes) -> bytes:
    """The first 60 % of a feed: a parser that recovers keeps the leading items."""
    return data[: len(data) * 6 // 10]


def sitemap_index(base: str, mode: str) -> bytes:
    """sitemaps.org index: the news sitemap and the gzipped archive sitemap."""
    locs = [f"{base}/sitemap-news.xml", f"{base}/sitemap-archive.xml.gz"]
    if mode == "self-index":
        locs.insert(0, f"{base}/sitemap_index.xml")
    body = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>\n'
    ).encode()


def news_sitemap(pub: Publisher, base: str, articles: list[Article]) -> bytes:
    """Google News sitemap with news:publication_date; also lists the 404 link."""
    urls = "".join(
        f"<url><loc>{base}{a.listed_path}</loc><news:news><news:publication><news:name>"
        f"{escape(pub.name)}</news:name><news:language>{pub.lang}</news:language>"
        f"</news:publication><news:publication_date>{a.published.isoformat()}"
        f"</news:publication_date><news:title>{escape(a.title)}</news:title></news:news></url>"
        for a in articles
    )
    missing = f"<url><loc>{base}{MISSING_PATH}</loc></url>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{urls}{missing}</urlset>\n"
    ).encode()


def archive_sitemap_gz(base: str, articles: list[Article]) -> bytes:
    """Plain sitemap with lastmod, gzip-compressed as a file (not a Content-Encoding)."""
    urls = "".join(
        f"<url><loc>{base}{a.listed_path}</loc><lastmod>{a.published.isoformat()}</lastmod></url>"
        for a in articles
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )
    return gzip.compress(xml.encode(), mtime=0)


def huge_sitemap(base: str, articles: list[Article], count: int, pad: int) -> Iterator[bytes]:
    """A urlset with ``count`` URLs (real articles first), each padded by ``pad`` bytes."""
    yield (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    )
    filler = f"<!-- {'p' * pad} -->".encode() if pad else b""
    chunk: list[bytes] = [f"<url><loc>{base}{a.listed_path}</loc></url>".encode() for a in articles]
    for i in range(count - len(articles)):
        chunk.append(f"<url><loc>{base}/news/2020/01/filler-{i}.html</loc></url>".encode() + filler)
        if len(chunk) >= 500:
            yield b"".join(chunk)
            chunk = []
    yield b"".join(chunk) + b"</urlset>\n"
