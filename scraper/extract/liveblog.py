"""Live blogs: the timed entries of a JSON-LD ``LiveBlogPosting`` (``liveBlogUpdate``).

A live blog is a list of entries, not one body: each gets its time, headline and text,
oldest first, so a later fetch that adds entries only appends to the article's text.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from archive import ArticleUpdate
from scraper.extract.dates import parse_date
from scraper.extract.metadata import ld_types

_MAX_UPDATES = 2000
_MIN_TEXT = 200  # below this the entries carry headlines only: the page's text stays
_PROBE = 80  # characters of an entry's opening looked for in the page's text
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def live_updates(objects: list[dict[str, Any]]) -> tuple[ArticleUpdate, ...]:
    """The entries of the page's first ``LiveBlogPosting``, in time order (undated last)."""
    blog = next((o for o in objects if _is_live_blog(o)), None)
    if blog is None:
        return ()
    raw = blog.get("liveBlogUpdate")
    items = raw if isinstance(raw, list) else [raw]
    updates = [u for u in (_update(i) for i in items[:_MAX_UPDATES]) if u is not None]
    dated = sorted((u for u in updates if u.time is not None), key=_instant)
    return (*dated, *(u for u in updates if u.time is None))


def live_text(updates: tuple[ArticleUpdate, ...], page_text: str) -> str | None:
    """The page's own lead, then its entries oldest first; None when they carry no article.

    Entries count when the page shows them (their opening is in the page's text): a feed
    may list hundreds that the page no longer displays, and a page whose JSON-LD lists
    entries it does not show is another kind of page. A page that renders its entries by
    script (its own text much shorter than theirs) gets them all.
    """
    if sum(len(u.text) for u in updates) < _MIN_TEXT:
        return None
    flat = _flat(page_text)
    shown = [u for u in updates if _flat(u.text or u.headline or "")[:_PROBE] in flat]
    if not shown:
        if len(page_text) * 2 > sum(len(u.text) for u in updates):
            return None
        shown = list(updates)
    entries = _flat(" ".join(f"{u.headline or ''} {u.text}" for u in shown))
    lead = [p for p in page_text.split("\n\n") if p.strip() and _flat(p) not in entries]
    return "\n\n".join(lead + [block for u in shown for block in _blocks(u)])


def _blocks(update: ArticleUpdate) -> list[str]:
    blocks = []
    if update.headline and not update.text.startswith(update.headline):
        blocks.append(update.headline)
    if update.text:
        blocks.append(update.text)
    return blocks


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


def _is_live_blog(obj: dict[str, Any]) -> bool:
    return "LiveBlogPosting" in ld_types(obj)


def _update(item: Any) -> ArticleUpdate | None:
    if not isinstance(item, dict):
        return None
    when = next(
        (
            d
            for d in (
                parse_date(_string(item.get(k)))
                for k in ("datePublished", "dateCreated", "dateModified")
            )
            if d is not None
        ),
        None,
    )
    headline = _plain(_string(item.get("headline")))
    text = _paragraphs(_string(item.get("articleBody")) or _string(item.get("text")))
    if not headline and not text:
        return None
    return ArticleUpdate(time=when, headline=headline or None, text=text)


def _instant(update: ArticleUpdate) -> datetime:
    return update.time or _EARLIEST


def _string(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def _plain(value: str | None) -> str:
    """One line of text: markup and entities resolved, whitespace collapsed."""
    if not value:
        return ""
    if "<" in value:
        value = LexborHTMLParser(value).text(deep=True, separator=" ")
    return " ".join(html.unescape(value).split())


def _paragraphs(value: str | None) -> str:
    """An entry's body as paragraphs separated by a blank line, markup or plain text."""
    if not value:
        return ""
    if "<" in value:
        tree = LexborHTMLParser(value)
        blocks = [n.text(deep=True) for n in tree.css("p, li, h2, h3, blockquote")]
        if blocks:
            value = "\n".join(blocks)
        else:
            value = tree.text(deep=True, separator="\n")
    lines = (" ".join(html.unescape(line).split()) for line in value.splitlines())
    return "\n\n".join(line for line in lines if line)
