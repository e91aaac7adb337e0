"""Articles built the way publishers build issue 16's cases, with what a crawl must read.

``HostConfig.specials`` gives a host's first articles one kind each:

- ``paged``: three pages (``?page=2``, ``?page=3``) joined by rel=next/prev and a
  numbered pagination; ``paged-2``: the same, but discovery lists only page 2;
- ``figures``: a lead figure (the og:image) with caption and credit elements, an inline
  figure whose credit trails its caption, and related-link thumbnails that are not its own;
- ``paywalled``: JSON-LD ``isAccessibleForFree: false`` with a ``hasPart`` paywall
  selector, and the subscription prompt where the rest of the story would be;
- ``modified``: JSON-LD and meta ``dateModified`` five hours after ``datePublished``;
- ``undeclared``: no ``lang``, ``inLanguage`` or locale anywhere: detection must say;
- ``live``: a LiveBlogPosting whose ``liveBlogUpdate`` entries are the paragraphs, one
  every 20 minutes; ``State.live_entries`` (``Simulator.set_live_entries``) caps how many
  are out yet.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html import escape

from tests.simulator.pages import footer, header
from tests.simulator.site import SPECIAL_KINDS, Article, Publisher

KINDS = SPECIAL_KINDS

PAGES = 3
MODIFIED_AFTER = timedelta(hours=5)
ENTRY_GAP = timedelta(minutes=20)
LEAD_CREDIT = "Photo: Jane Roe / Harbor Agency"
INLINE_CREDIT = "Photo: Sam Field"


def _e(text: str) -> str:
    return escape(text, quote=True)


def page_parts(article: Article) -> list[tuple[str, ...]]:
    """A paged article's paragraphs, page by page (every page holds at least one)."""
    paras = article.paragraphs
    size = -(-len(paras) // PAGES)
    return [paras[i * size : (i + 1) * size] for i in range(PAGES)]


def image_urls(article: Article, base: str) -> tuple[str, str]:
    """The lead and the inline figure's absolute URLs."""
    return (f"{base}/img/{article.slug}-lead.jpg", f"{base}/img/{article.slug}-inline.jpg")


def captions(article: Article) -> tuple[str, str]:
    """The lead and inline figures' captions (credits apart)."""
    return (f"Scene of the story: {article.title[:40]}", "Residents at the morning meeting")


def modified_of(article: Article) -> datetime:
    return article.published + MODIFIED_AFTER


def live_entries(article: Article, count: int | None = None) -> list[tuple[datetime, str, str]]:
    """(time, headline, text) of the entries out, oldest first."""
    entries = [
        (article.published + ENTRY_GAP * i, f"Update {i + 1}", para)
        for i, para in enumerate(article.paragraphs)
    ]
    return entries[:count] if count is not None else entries


def page(
    article: Article,
    pub: Publisher,
    base: str,
    others: list[Article],
    *,
    number: int = 1,
    live_count: int | None = None,
) -> str:
    """The HTML of ``article`` (page ``number`` of a paged one)."""
    kind = article.special or ""
    canonical = base + article.path + (f"?page={number}" if number > 1 else "")
    data = _json_ld(article, pub, base, kind, live_count)
    lang = "" if kind == "undeclared" else f' lang="{article.lang}"'
    head = [
        f"<title>{_e(article.title)} | {_e(pub.name)}</title>",
        f'<link rel="canonical" href="{canonical}">',
        f'<meta property="article:published_time" content="{article.published.isoformat()}">',
        f'<script type="application/ld+json">{data}</script>',
    ]
    if kind == "figures":
        head.append(f'<meta property="og:image" content="{image_urls(article, base)[0]}">')
    if kind == "modified":
        when = modified_of(article).isoformat()
        head.append(f'<meta property="article:modified_time" content="{when}">')
    if kind.startswith("paged"):
        head += _page_links(article, base, number)
    body = _body(article, base, kind, number, live_count)
    related = "".join(
        f'<li><a href="{o.path}"><img src="/img/{o.slug}-thumb.jpg" alt="">{_e(o.title)}</a></li>'
        for o in others[:3]
    )
    return f"""<!DOCTYPE html>
<html{lang}><head><meta charset="utf-8">{"".join(head)}</head><body>
{header(pub)}
<main><article class="story"><h1 class="headline">{_e(article.title)}</h1>
<div class="byline">By {_e(article.author)}
<time datetime="{article.published.isoformat()}">{article.published:%B %d, %Y %H:%M}</time></div>
{body}
</article>
<section class="related"><h2>More stories</h2><ul class="related-list">{related}</ul></section>
</main>
{footer(pub)}
</body></html>
"""


def _json_ld(article: Article, pub: Publisher, base: str, kind: str, live_count: int | None) -> str:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting" if kind == "live" else "NewsArticle",
        "headline": article.title,
        "author": {"@type": "Person", "name": article.author},
        "datePublished": article.published.isoformat(),
        "publisher": {"@type": "Organization", "name": pub.name},
        "mainEntityOfPage": base + article.path,
    }
    if kind != "undeclared":
        data["inLanguage"] = article.lang
    if kind == "modified":
        data["dateModified"] = modified_of(article).isoformat()
    if kind == "paywalled":
        data["isAccessibleForFree"] = False
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".premium-content",
        }
    if kind == "live":
        data["liveBlogUpdate"] = [
            {
                "@type": "BlogPosting",
                "headline": head,
                "datePublished": when.isoformat(),
                "articleBody": text,
            }
            for when, head, text in reversed(live_entries(article, live_count))
        ]  # newest first, as live blogs list them
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _page_links(article: Article, base: str, number: int) -> list[str]:
    url = base + article.path
    links = []
    if number > 1:
        links.append(
            f'<link rel="prev" href="{url}' + (f'?page={number - 1}"' if number > 2 else '"') + ">"
        )
    if number < PAGES:
        links.append(f'<link rel="next" href="{url}?page={number + 1}">')
    return links


def _body(article: Article, base: str, kind: str, number: int, live_count: int | None) -> str:
    paras = list(article.paragraphs)
    if kind.startswith("paged"):
        paras = list(page_parts(article)[number - 1])
    if kind == "live":
        return "".join(
            f'<div class="live-entry"><time datetime="{when.isoformat()}">{when:%H:%M}</time>'
            f"<h2>{_e(head)}</h2><p>{_e(text)}</p></div>"
            for when, head, text in reversed(live_entries(article, live_count))
        )
    parts = [f"<p>{_e(p)}</p>" for p in paras]
    if kind == "figures":
        lead = image_urls(article, base)[0]
        cap_lead, cap_inline = captions(article)
        parts.insert(
            0,
            f'<figure class="lead-image"><img src="{lead}" alt="">'
            f'<figcaption><span class="caption">{_e(cap_lead)}</span> '
            f'<span class="credit">{_e(LEAD_CREDIT)}</span></figcaption></figure>',
        )
        parts.insert(
            2,
            f'<figure><img src="/img/{article.slug}-inline.jpg" alt="">'
            f"<figcaption>{_e(cap_inline)}. {_e(INLINE_CREDIT)}</figcaption>"
            "</figure>",
        )
    if kind == "paywalled":
        parts.append(
            '<div class="premium-content"><div class="paywall-prompt">'
            "<h3>Subscribe to keep reading</h3><p>This story is for subscribers. "
            '<a href="/subscribe/">Start your trial</a></p></div></div>'
        )
    if kind.startswith("paged"):
        parts.append(_pagination(article, number))
    return f'<div class="article-body">{"".join(parts)}</div>'


def _pagination(article: Article, number: int) -> str:
    items = []
    for n in range(1, PAGES + 1):
        href = article.path + (f"?page={n}" if n > 1 else "")
        items.append(f"<span>{n}</span>" if n == number else f'<a href="{href}">{n}</a>')
    if number < PAGES:
        items.append(f'<a rel="next" href="{article.path}?page={number + 1}">Next page</a>')
    return f'<nav class="pagination">{" ".join(items)}</nav>'
