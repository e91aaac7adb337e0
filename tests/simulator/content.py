"""Content faults: non-HTML types, charset traps, hostile feeds and sitemaps, monster pages."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import cache
from html import escape
from xml.sax.saxutils import escape as xml_escape

from tests.simulator import feeds, pages
from tests.simulator.http import Conn, Handled, Request, Response
from tests.simulator.site import Article, HostConfig, Publisher
from tests.simulator.state import State
from tests.simulator.texts import load_texts

Handler = Callable[[State, Request, Conn, list[str]], Awaitable[Response | Handled]]

FAULT_PUBLISHER = Publisher("127.0.0.1", "Fault Gazette", HostConfig())
CHARSET_TITLE = "Crème brûlée and “smart quotes” at the café"
CHARSET_PARAGRAPHS = (
    "The café’s chef, Zoë Müller, said the crème brûlée costs €7.50 — “a fair price”, she "
    "insisted, for a dessert that takes three hours.",
    "Regulars from Malmö, Kraków and São Paulo queue at the counter; façade repairs début "
    "next week, and the naïve décor will stay.",
    "Ticket prices: £4 for children, ¥600 for the Japanese guided tour, and the “Señor "
    "Piñata” show is free — no reservation needed.",
)
CHARSET_TEXT = "\n\n".join(CHARSET_PARAGRAPHS)  # the body a correct decoder must produce
_EPOCH = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _fault_article(title: str, paragraphs: tuple[str, ...], slug: str) -> Article:
    return Article(
        host="127.0.0.1",
        path=f"/fault/{slug}",
        slug=slug,
        title=title,
        author="Ada Fields",
        section="world",
        lang="en",
        paragraphs=paragraphs,
        published=_EPOCH,
    )


@cache
def fault_article() -> Article:
    """The ordinary article fault endpoints serve once they stop failing."""
    text = next(t for t in load_texts() if t.key == "en_library")
    return _fault_article(text.title, text.paragraphs, "article")


def fault_article_html(state: State, host: str) -> bytes:
    html = pages.article_page(fault_article(), FAULT_PUBLISHER, state.base(host), [])
    return html.encode()


def error_page(code: int) -> bytes:
    return pages.simple_page(f"Error {code}", "Something went wrong on our side.").encode()


# Minimal but well-formed files of each type, so sniffers see real magic numbers.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def _type(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    """``/fault/type/<pdf|image|octet|mislabeled>`` (scenario 17)."""
    kind = args[0] if args else "pdf"
    if kind == "image":
        return Response(200, PNG, "image/png")
    if kind == "octet":
        return Response(200, random.Random(7).randbytes(32 * 1024), "application/octet-stream")
    if kind == "mislabeled":  # a PDF labelled as HTML: only the bytes tell the truth
        return Response(200, PDF, "text/html")
    return Response(200, PDF, "application/pdf")


def charset_page(meta: str | None) -> str:
    article = _fault_article(CHARSET_TITLE, CHARSET_PARAGRAPHS, "charset")
    html = pages.article_page(article, FAULT_PUBLISHER, "http://127.0.0.1", [])
    tag = f'<meta charset="{meta}">' if meta else ""
    return html.replace('<meta charset="utf-8">', tag, 1)


async def _charset(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    """Charset traps; every one decodes to :data:`CHARSET_TEXT` when handled right (18).

    meta-only    cp1252 body, no charset in the header, ``<meta charset="windows-1252">``
    header-lies  header says utf-8, body and meta are windows-1252 (a CMS/server mismatch)
    unknown      header names a charset that does not exist; body and meta are utf-8
    bom          header says iso-8859-1; body is UTF-8 with a BOM (the BOM wins, WHATWG)
    """
    kind = args[0] if args else "meta-only"
    if kind == "meta-only":
        return Response(200, charset_page("windows-1252").encode("cp1252"), "text/html")
    if kind == "header-lies":
        body = charset_page("windows-1252").encode("cp1252")
        return Response(200, body, "text/html; charset=utf-8")
    if kind == "unknown":
        body = charset_page("utf-8").encode()
        return Response(200, body, "text/html; charset=x-no-such-charset-42")
    if kind == "bom":
        body = b"\xef\xbb\xbf" + charset_page(None).encode()
        return Response(200, body, "text/html; charset=iso-8859-1")
    return Response(404, b"unknown charset case", "text/plain")


async def _feed(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    """``/fault/feed/<xxe|billion-laughs|quadratic|truncated|garbage>`` (20-21)."""
    kind = args[0] if args else "garbage"
    base = state.base(req.host)
    if kind == "truncated":
        pub = state.site.publisher(req.host) or FAULT_PUBLISHER
        body = feeds.truncated(feeds.rss_feed(pub, base, state.site.articles_of(req.host)))
    elif kind in ("xxe", "billion-laughs", "quadratic", "garbage"):
        body = feeds.hostile_feed(kind, base, state.xxe_path)
    else:
        return Response(404, b"unknown feed fault", "text/plain")
    return Response(200, body, "application/rss+xml; charset=utf-8")


async def _links(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    """``/fault/links?to=<path>|<path>|…``: an RSS feed whose items link to those targets.

    Lets a crawl be pointed at any fault endpoints through ordinary discovery; a target
    starting with ``http`` is used verbatim, any other is a path on the requested host.
    """
    base = state.base(req.host)
    targets = [t for t in req.query.get("to", "").split("|") if t][:500]
    items = "".join(
        f"<item><title>Link {i}</title><link>{xml_escape(t if t.startswith('http') else base + t)}"
        "</link></item>"
        for i, t in enumerate(targets)
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Links</title>'
        f"<link>{base}/</link>{items}</channel></rss>\n"
    ).encode()
    return Response(200, body, "application/rss+xml; charset=utf-8")


async def _sitemap(state: State, req: Request, conn: Conn, args: list[str]) -> Response | Handled:
    """``/fault/sitemap/<self-index|chain/<n>|huge-count|huge-size|gz-bomb>`` (scenario 22)."""
    from tests.simulator import faults, routes  # both import this module

    kind = args[0] if args else "self-index"
    base = state.base(req.host)
    if kind == "self-index":
        body = feeds.sitemap_index(base, "ok").replace(
            b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
            b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + f"<sitemap><loc>{base}/fault/sitemap/self-index</loc></sitemap>".encode(),
        )
        return Response(200, body, routes.XML)
    if kind == "chain":  # an index whose only child is the next index, without end
        n = int(args[1]) if len(args) > 1 and args[1].isdigit() else 0
        child = f"<sitemap><loc>{base}/fault/sitemap/chain/{min(n + 1, 10_000)}</loc></sitemap>"
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.'
            f'sitemaps.org/schemas/sitemap/0.9">{child}</sitemapindex>\n'
        ).encode()
        return Response(200, body, routes.XML)
    if kind in ("huge-count", "huge-size"):
        return await routes.huge_sitemap(state, req, conn, kind)
    if kind == "gz-bomb":
        return await faults.send_bomb_file(conn)
    return Response(404, b"unknown sitemap fault", "text/plain")


@cache
def monster(kind: str) -> bytes:
    """20 MB article page, 100k nested divs, or 200k links (scenario 23)."""
    if kind == "nested":
        depth = 100_000
        return b"<html><body>" + b"<div>" * depth + b"deep" + b"</div>" * depth + b"</body></html>"
    if kind == "links":
        links = b"".join(b'<a href="/l/%d.html">link %d</a> ' % (i, i) for i in range(200_000))
        return b"<html><body><p>Index</p>" + links + b"</body></html>"
    para = "".join(f"<p>{escape(p)}</p>" for p in fault_article().paragraphs).encode()
    filler = para * (20 * 1024 * 1024 // len(para) + 1)
    head = b"<html><head><title>Big</title></head><body><article>"
    return head + filler + b"</article></body></html>"


async def _monster(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    kind = args[0] if args else "big"
    if kind not in ("big", "nested", "links"):
        return Response(404, b"unknown monster", "text/plain")
    return Response(200, await asyncio.to_thread(monster, kind))


async def _empty(state: State, req: Request, conn: Conn, args: list[str]) -> Response:
    """A page with chrome and no article (scenario 24)."""
    body = (
        pages.header(FAULT_PUBLISHER)
        + "<main><p>Coming soon.</p></main>"
        + pages.footer(FAULT_PUBLISHER)
    )
    return Response(
        200,
        f"<!DOCTYPE html><html><head><title>Soon</title></head><body>{body}</body></html>".encode(),
    )


HANDLERS: dict[str, Handler] = {
    "type": _type,
    "charset": _charset,
    "feed": _feed,
    "sitemap": _sitemap,
    "monster": _monster,
    "empty": _empty,
    "links": _links,
}
