"""HTML pages in the style of real publisher sites: chrome, inline teasers, related lists."""

from __future__ import annotations

import json
from html import escape

from tests.simulator.site import MISSING_PATH, PRIVATE_PATH, Article, Publisher

_WORDS = {
    "en": {
        "by": "By",
        "related": "Related Article:",
        "also": "Read Also:",
        "more": "More stories",
        "news": "Sign up for our morning newsletter",
        "share": "Share this story",
        "rights": "All rights reserved.",
        "home": "Home",
        "latest": "Latest news",
        "removed": "An older story",
        "agency": "PHOTO AGENCY",
        "comments": "Join the Discussion",
    },
    "de": {
        "by": "Von",
        "related": "Lesen Sie auch:",
        "also": "Mehr zum Thema:",
        "more": "Weitere Artikel",
        "news": "Jetzt den Newsletter abonnieren",
        "share": "Artikel teilen",
        "rights": "Alle Rechte vorbehalten.",
        "home": "Startseite",
        "latest": "Aktuelle Nachrichten",
        "removed": "Ein älterer Artikel",
        "agency": "FOTOAGENTUR",
        "comments": "Diskutieren Sie mit",
    },
}
_SECTIONS = ("world", "business", "tech", "culture", "sport")


def _e(text: str) -> str:
    return escape(text, quote=True)


def header(pub: Publisher) -> str:
    """Site header with logo, navigation and a search form."""
    w = _WORDS[pub.lang]
    nav = "".join(f'<li><a href="/section/{s}/">{s.title()}</a></li>' for s in _SECTIONS)
    return (
        f'<header class="site-header"><a class="logo" href="/">{_e(pub.name)}</a>'
        f'<nav class="main-nav"><ul><li><a href="/">{w["home"]}</a></li>{nav}</ul></nav>'
        '<form class="search" action="/search"><input name="q" placeholder="Search"></form>'
        "</header>"
    )


def footer(pub: Publisher) -> str:
    """Footer with legal links and the copyright line."""
    w = _WORDS[pub.lang]
    return (
        '<footer class="site-footer"><ul class="legal"><li><a href="/about/">About us</a></li>'
        '<li><a href="/privacy/">Privacy</a></li><li><a href="/contact/">Contact</a></li></ul>'
        f"<p>© 2026 {_e(pub.name)}. {w['rights']} Do not reproduce without permission.</p>"
        "</footer>"
    )


def _teaser(cls: str, label: str, other: Article) -> str:
    link = f'<a href="{other.path}">{_e(other.title)}</a>'
    return f'<p class="{cls}"><strong>{label}</strong> {link}</p>'


def _body(article: Article, others: list[Article], w: dict[str, str]) -> list[str]:
    """Paragraphs, with a teaser after the 1st, a photo after the 2nd, a teaser after the 3rd."""
    parts = []
    for i, para in enumerate(article.paragraphs):
        parts.append(f"<p>{_e(para)}</p>")
        if i == 0 and others:
            parts.append(_teaser("related-inline", w["related"], others[0]))
        if i == 1:
            parts.append(
                f'<figure class="photo"><img src="/img/{article.slug}.jpg" alt="">'
                f"<figcaption>A file photo for this story. | {w['agency']}</figcaption></figure>"
            )
        if i == 2 and len(others) > 1:
            teaser = _teaser("read-also-link", w["also"], others[1])
            parts.append(f'<div class="read-also">{teaser}</div>')
    return parts


def json_ld(article: Article, pub: Publisher, canonical: str) -> str:
    """schema.org NewsArticle metadata."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "author": {"@type": "Person", "name": article.author},
        "datePublished": article.published.isoformat(),
        "dateModified": article.published.isoformat(),
        "inLanguage": article.lang,
        "mainEntityOfPage": canonical,
        "publisher": {"@type": "Organization", "name": pub.name},
    }
    # "</" must not appear inside a script element (HTML parsing rule), so escape the slash.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def article_page(
    article: Article, pub: Publisher, base: str, others: list[Article], *, amp: bool = False
) -> str:
    """The full article page (or its AMP twin, whose rel=canonical points at the article)."""
    w = _WORDS[pub.lang]
    canonical = base + article.path
    related = "".join(f'<li><a href="{o.path}">{_e(o.title)}</a></li>' for o in others[:4])
    amp_attr = " amp" if amp else ""
    amp_link = "" if amp else f'<link rel="amphtml" href="{base}{article.amp_path}">'
    when = article.published
    return f"""<!DOCTYPE html>
<html lang="{article.lang}"{amp_attr}><head><meta charset="utf-8">
<title>{_e(article.title)} | {_e(pub.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{_e(article.paragraphs[0][:150])}">
<meta property="og:title" content="{_e(article.title)}">
<meta property="og:url" content="{canonical}"><meta property="og:type" content="article">
<meta property="og:site_name" content="{_e(pub.name)}">
<meta name="author" content="{_e(article.author)}">
<meta property="article:published_time" content="{article.published.isoformat()}">
<link rel="canonical" href="{canonical}">{amp_link}
<script type="application/ld+json">{json_ld(article, pub, canonical)}</script>
</head><body>
{header(pub)}
<div class="ad-slot" id="top-banner">Advertisement</div>
<main><article class="story">
<p class="kicker"><a href="/section/{article.section}/">{_e(article.section.title())}</a></p>
<h1 class="headline">{_e(article.title)}</h1>
<div class="byline">{w["by"]} <a rel="author" href="/authors/">{_e(article.author)}</a>
<time datetime="{when.isoformat()}">{when:%B %d, %Y %H:%M} UTC</time></div>
<div class="share-bar">{w["share"]}: <a href="/share/mail">Email</a> <a href="/share/x">X</a></div>
<div class="article-body">
{chr(10).join(_body(article, others, w))}
</div>
<aside class="newsletter-box"><h3>{w["news"]}</h3><form action="/newsletter/">
<input name="email" type="email"><button>Subscribe</button></form></aside>
<div class="comments"><a href="#comments">{w["comments"]}</a></div>
</article>
<section class="related"><h2>{w["more"]}</h2><ul class="related-list">{related}</ul></section>
</main>
{footer(pub)}
</body></html>
"""


def listing_page(pub: Publisher, articles: list[Article], *, title: str | None = None) -> str:
    """Front page: teasers for every article plus the special links the crawler must handle."""
    w = _WORDS[pub.lang]
    items = []
    for i, a in enumerate(articles):
        # One teaser carries tracking parameters, one points at the AMP twin (issue: dedup).
        href = a.tracking_path if i == 1 else a.amp_path if i == 2 else a.listed_path
        items.append(
            f'<li class="teaser"><a href="{href}"><h3>{_e(a.title)}</h3></a>'
            f"<p>{_e(a.paragraphs[0][:140])}…</p></li>"
        )
    if articles:
        first = articles[0].listed_path
        items.append(f'<li class="teaser"><a href="{first}#comments">Comments</a></li>')
    extras = (
        f'<li><a href="{MISSING_PATH}">{w["removed"]}</a></li>'
        f'<li><a href="{PRIVATE_PATH}">Staff only</a></li>'
        '<li><a href="/tag/weather/">Weather</a></li>'
    )
    return f"""<!DOCTYPE html>
<html lang="{pub.lang}"><head><meta charset="utf-8"><title>{_e(title or pub.name)}</title>
<link rel="alternate" type="application/rss+xml" href="/feed.rss">
<link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body>
{header(pub)}
<main><h1>{_e(title or w["latest"])}</h1><ul class="teasers">{"".join(items)}</ul>
<ul class="more-links">{extras}</ul></main>
{footer(pub)}
</body></html>
"""


def chrome_page(pub: Publisher, others: list[Article]) -> str:
    """An article URL after a template change: header, teasers and footer, no article."""
    teasers = "".join(_teaser("read-also", "Read also:", o) for o in others)
    return f"""<!DOCTYPE html>
<html lang="{pub.lang}"><head><meta charset="utf-8"><title>{_e(pub.name)}</title></head><body>
{header(pub)}
<main><div class="app-root" data-hydrate="article"></div><aside>{teasers}</aside></main>
{footer(pub)}
</body></html>
"""


def simple_page(title: str, body: str, lang: str = "en") -> str:
    """A bare page (error pages, the near-empty page)."""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"</head><body><h1>{_e(title)}</h1><p>{_e(body)}</p></body></html>\n"
    )
