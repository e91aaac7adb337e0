"""Publisher routes: robots.txt, feeds, sitemaps, listing, articles, AMP twins."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from datetime import datetime

from tests.simulator import faults, feeds, pages, specials
from tests.simulator.http import Conn, Handled, Request, Response, head, http_date, not_modified
from tests.simulator.site import PRIVATE_PATH, Article, HostConfig, Publisher
from tests.simulator.state import State

XML = "application/xml; charset=utf-8"


async def handle(state: State, req: Request, conn: Conn) -> Response | Handled:
    """Route one request on any host."""
    if req.path.startswith("/fault/"):
        return await faults.dispatch(state, req, conn)
    pub = state.site.publisher(req.host) or Publisher(req.host, "Unlisted Host", HostConfig())
    if req.path == "/robots.txt":
        return await _robots(state, req, conn, pub)
    if req.path in ("/feed.rss", "/atom.xml"):
        return _not_found(pub) if req.host in state.feeds_gone else _feed(state, req, pub)
    if req.path.startswith("/sitemap"):
        return await _sitemap(state, req, conn, pub)
    return _page(state, req, pub)


def cacheable(
    req: Request, body: bytes, modified: datetime, content_type: str, *, compressible: bool = True
) -> Response:
    """200 with ETag and Last-Modified, or 304 when the client's validators match."""
    etag = 'W/"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    headers = (
        ("ETag", etag),
        ("Last-Modified", http_date(modified)),
        ("Cache-Control", "max-age=60"),
    )
    if not_modified(req, etag, modified):
        return Response(304, b"", None, headers)
    return Response(200, body, content_type, headers, compressible=compressible)


async def _robots(state: State, req: Request, conn: Conn, pub: Publisher) -> Response | Handled:
    mode = state.robots_override.get(req.host, pub.config.robots)
    if mode != pub.config.robots:  # Simulator.set_robots: the site changed between runs
        pub = replace(pub, config=replace(pub.config, robots=mode))
    if mode in ("404", "500"):
        return Response(int(mode), pages.simple_page(f"Error {mode}", "Nothing here.").encode())
    if mode == "429":
        return Response(429, b"Too many requests", "text/plain", (("Retry-After", "3600"),))
    if mode == "timeout":
        await asyncio.sleep(min(pub.config.robots_hold, 60.0))
        return Handled(0)
    return Response(200, feeds.robots_txt(pub, state.base(req.host)), "text/plain; charset=utf-8")


def _newest(articles: list[Article], state: State) -> datetime:
    return articles[0].published if articles else state.site.now


def _feed(state: State, req: Request, pub: Publisher) -> Response:
    base = state.base(req.host)
    articles = state.site.articles_of(req.host)
    if req.path == "/atom.xml":
        body = feeds.atom_feed(pub, base, articles)
        return cacheable(req, body, _newest(articles, state), "application/atom+xml; charset=utf-8")
    mode = pub.config.feed
    if mode in ("ok", "truncated"):
        body = feeds.rss_feed(pub, base, articles)
        body = feeds.truncated(body) if mode == "truncated" else body
    else:
        body = feeds.hostile_feed(mode, base, state.xxe_path)
    return cacheable(req, body, _newest(articles, state), "application/rss+xml; charset=utf-8")


async def _sitemap(state: State, req: Request, conn: Conn, pub: Publisher) -> Response | Handled:
    base = state.base(req.host)
    articles = state.site.articles_of(req.host)
    mode = pub.config.sitemap
    newest = _newest(articles, state)
    if req.path == "/sitemap_index.xml":
        return cacheable(req, feeds.sitemap_index(base, mode), newest, XML)
    if req.path == "/sitemap-news.xml":
        if mode in ("huge-count", "huge-size"):
            return await huge_sitemap(state, req, conn, mode)
        return cacheable(req, feeds.news_sitemap(pub, base, articles), newest, XML)
    if req.path == "/sitemap-archive.xml.gz":
        if mode == "gz-bomb":
            return await faults.send_bomb_file(conn)
        body = feeds.archive_sitemap_gz(base, articles)
        return cacheable(req, body, newest, "application/x-gzip", compressible=False)
    return _not_found(pub)


async def huge_sitemap(state: State, req: Request, conn: Conn, mode: str) -> Handled:
    """Over 50,000 URLs, or (huge-size) over 50 MB, sent chunked as it is generated."""
    pad = 900 if mode == "huge-size" else 0
    chunks = feeds.huge_sitemap(state.base(req.host), state.site.articles_of(req.host), 60_000, pad)
    headers = [("Content-Type", XML), ("Transfer-Encoding", "chunked"), ("Connection", "close")]
    await conn.send_head(200, head(200, headers))
    for chunk in chunks:
        await conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    await conn.send(b"0\r\n\r\n")
    return Handled(200)


def _page(state: State, req: Request, pub: Publisher) -> Response:
    site = state.site
    articles = site.articles_of(req.host)
    if req.path == "/" or req.path.startswith("/section/"):
        section = req.path.strip("/").split("/")[-1] if req.path != "/" else None
        chosen = [a for a in articles if section is None or a.section == section] or articles
        html = pages.listing_page(pub, chosen, title=section.title() if section else None)
        return cacheable(req, html.encode(), _newest(chosen, state), "text/html; charset=utf-8")
    if req.path == PRIVATE_PATH:
        secret = pages.simple_page("Staff only", "Internal schedule. Crawlers must not see this.")
        return Response(200, secret.encode())
    article = site.article(req.host, req.path)
    amp = site.amp_article(req.host, req.path) if article is None else None
    if article is None and amp is None:
        return _not_found(pub)
    target = article or amp
    assert target is not None
    if article is not None and article.fails_first and state.bump(f"{req.host}{req.path}") == 1:
        # The "503 then 200" article: the first request is refused with a short Retry-After.
        body = pages.simple_page("Service Unavailable", "Please retry shortly.").encode()
        return Response(503, body, headers=(("Retry-After", "1"),))
    others = [a for a in articles if a is not target][:4]
    if req.host in state.chrome_pages:
        return Response(200, pages.chrome_page(pub, others).encode())
    if target.special:  # its AMP twin too: the same markup and JSON-LD, canonical to it
        return _special(state, req, pub, target, others)
    html = pages.article_page(target, pub, state.base(req.host), others, amp=amp is not None)
    return cacheable(req, html.encode(), target.published, "text/html; charset=utf-8")


def _special(
    state: State, req: Request, pub: Publisher, article: Article, others: list[Article]
) -> Response:
    number = req.query.get("page", "1")
    paged = (article.special or "").startswith("paged")
    if not number.isdigit() or not 1 <= int(number) <= (specials.PAGES if paged else 1):
        return _not_found(pub)
    html = specials.page(
        article,
        pub,
        state.base(req.host),
        others,
        number=int(number),
        live_count=state.live_entries,
    )
    return cacheable(req, html.encode(), article.published, "text/html; charset=utf-8")


def _not_found(pub: Publisher) -> Response:
    title = "Page not found" if pub.lang == "en" else "Seite nicht gefunden"
    body = pages.simple_page(title, "The page you asked for is gone.", pub.lang)
    return Response(404, body.encode())
