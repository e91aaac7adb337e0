"""The signs of a page's kind, read from its parsed tree: what ``pagekind`` weighs.

Everything here reads the lexbor tree the extractor already built and leaves it as it is
(the pre-cleaner works on it next): no second parse, no node removed. Text inside
``script``, ``style`` and ``noscript`` is counted and taken off again rather than dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.metadata import ld_types

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "Report",
        "TechArticle",
        "ScholarlyArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "BackgroundNewsArticle",
        "LiveBlogPosting",
        "Review",
        "HowTo",
        "Recipe",
        "MedicalWebPage",
        "SocialMediaPosting",
        "DiscussionForumPosting",
        "PodcastEpisode",
        "VideoObject",
    }
)
LISTING_TYPES = frozenset(
    {
        "CollectionPage",
        "ItemList",
        "SearchResultsPage",
        "OfferCatalog",
        "ProductCollection",
        "ProfilePage",
    }
)
_LISTING_WORDS = frozenset(
    {
        "tag",
        "tags",
        "topic",
        "topics",
        "category",
        "categories",
        "section",
        "sections",
        "author",
        "authors",
        "archive",
        "archives",
        "search",
        "collections",
        "collection",
        "shop",
        "products",
        "news",
        "blog",
        "latest",
        "page",
        "browse",
        "c",
        "s",
        "all",
        "index",
        "home",
    }
)
# "$12", "€ 5", "12,99 €", "4.50 zł"; opening on a character set lets re skip ahead fast
# "$12", "€ 5", "12,99 €", "4.50 zł"; opening on a character set lets re skip ahead fast
_PRICE = re.compile(
    r"[0-9$€£¥](?:(?<=[$€£¥])\s?[0-9]|(?<=[0-9])[.,][0-9][0-9]\s?(?:€|EUR|USD|zł|kr))"
)
_TITLE_CUT = re.compile(r"\s+[|–—·»:-]\s+")
# a date in the path with a slug after it (/2026/03/01/harbour-wall); a path that ends at
# the date (/2026/03/) is that month's archive
_URL_DAY = re.compile(r"(?:/(?:19|20)\d\d/[01]?\d/|(?:19|20)\d\d-[01]\d-[0-3]\d).*[^\W\d]")
# Chinese, Japanese, Korean and Thai: no spaces between words
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_PROSE = 120  # characters: a paragraph at least this long is running text
_RUN_PART = 80  # characters: a paragraph at least this long adds to its container's run
_SHORTEST = _RUN_PART * 2 // 5  # characters below which even unspaced text is no run
_BLOCKS = "div, td, section, article, blockquote, font, span, li"
_HIDDEN = "script, style, noscript"
_HEADING_LINKS = "h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3, a[href] h4"
_PAGINATION = "a[rel~=next], link[rel~=next], [class*=paginat]"
_BYLINE = "[rel=author], [itemprop=author], [class*=byline]"
# a card that links elsewhere: a thumbnail or a linked headline
_TEASER_LINK = "a[href] img, " + _HEADING_LINKS
_MAIN_DEPTH = 30  # levels the walk to the main block goes down at most
_MAIN_SHARE = 0.6  # a child holding this share of its parent's text is the way down
_MAIN_PART = 20  # characters: a part of the main block shorter than this is not counted
# not parts of a page's text: code, comments, and the site's frame around the main block
_NOT_PARTS = frozenset(
    {"script", "style", "noscript", "template", "-text", "-comment", "nav", "header", "footer"}
    | {"aside"}
)


@dataclass(frozen=True)
class PageSigns:
    """What the page shows of its kind."""

    article_schema: bool
    listing_schema: bool
    og_type: str
    url_slug_words: int  # words in the last path segment (split on - and _)
    url_listing_word: bool  # the last segment is a section word, or a page number
    url_day: bool  # a date in the path (/2026/03/01/): how articles are filed
    dated: bool  # a published date declared (meta, JSON-LD, microdata)
    paginated: bool  # a link to the next page of the same list
    title_words: int  # in the page's title, site name cut off
    chars: int  # the body's visible text
    link_share: float  # of that text, the share inside links
    heading_links: int  # h2-h4 headings that link elsewhere (teasers)
    headings: int  # h2-h4 headings
    prose_chars: int  # text in paragraphs of at least _PROSE characters
    prose_run: int  # the most running text any one container holds
    prices: int
    linked_images: int  # images inside links: thumbnails of teasers and product cards
    times: int  # <time> elements
    product_marks: int  # elements whose class names a product (shop templates' cards)
    buttons: int  # filters, sorting, "add to cart", "load more"
    main_card_share: float  # of the main block's text, the share in parts that link out
    main_link_share: float  # of the main block's text, the share inside links
    bylines: int  # author marks (rel, itemprop, class): one or two on an article, one per card


def read_signs(
    tree: LexborHTMLParser,
    objects: Iterable[dict[str, Any]],
    metas: dict[str, str],
    url: str,
    title: str | None,
) -> PageSigns:
    """Collect the signs from the page's tree, its JSON-LD objects and its meta tags."""
    objects = list(objects)
    types = _types(objects)
    words, listing_word = _url_shape(url)
    return PageSigns(
        article_schema=bool(types & ARTICLE_TYPES),
        listing_schema=bool(types & LISTING_TYPES),
        og_type=(metas.get("og:type") or "").strip().lower(),
        url_slug_words=words,
        url_listing_word=listing_word,
        url_day=bool(_URL_DAY.search(urlsplit(url).path)),
        dated=_dated(tree, objects, metas),
        paginated=tree.css_first(_PAGINATION) is not None,
        title_words=_words(_TITLE_CUT.split(title or "")[0]),
        **_body_signs(tree.body),
    )


def article_marks(
    tree: LexborHTMLParser, objects: Iterable[dict[str, Any]], url: str
) -> tuple[bool, int, int]:
    """The three signs that alone keep a page an article, read without the costlier rest:
    a declared article type, the words of the URL's slug, and the byline marks in the body
    (the same values :func:`read_signs` gives ``article_schema``, ``url_slug_words`` and
    ``bylines``)."""
    body = tree.body
    return (
        bool(_types(objects) & ARTICLE_TYPES),
        _url_shape(url)[0],
        len(body.css(_BYLINE)) if body is not None else 0,
    )


def _body_signs(body: LexborNode | None) -> dict[str, Any]:
    if body is None:
        return dict.fromkeys(_BODY_FIELDS, 0)
    hidden = sum(_length(n) + 1 for n in body.css(_HIDDEN))
    text = body.text(deep=True, separator=" ", strip=True)
    chars = max(len(text) - hidden, 0)
    linked = sum(_length(a) for a in body.css("a[href]"))
    run, prose = _prose(body)
    card_share, main_links = _main_block(body)
    return dict(
        chars=chars,
        link_share=min(linked / chars, 1.0) if chars else 0.0,
        heading_links=len(body.css(_HEADING_LINKS)),
        headings=len(body.css("h2, h3, h4")),
        prose_chars=prose,
        prose_run=run,
        prices=len(_PRICE.findall(text)),
        linked_images=len(body.css("a[href] img")),
        times=len(body.css("time")),
        product_marks=len(body.css("[class*=product]")),
        buttons=len(body.css("button")),
        main_card_share=card_share,
        main_link_share=main_links,
        bylines=len(body.css(_BYLINE)),
    )


_BODY_FIELDS = (
    "chars link_share heading_links headings prose_chars prose_run prices linked_images times"
    " product_marks buttons main_card_share main_link_share bylines"
).split()


def _length(node: LexborNode) -> int:
    """The length of a node's text, each piece stripped (in C: no Python string work)."""
    return len(node.text(deep=True, separator=" ", strip=True))


def _prose(body: LexborNode) -> tuple[int, int]:
    """The largest run of running text in one container, and all running text.

    A run is what one element holds in paragraphs of its own, or in paragraphs of its
    children that link nowhere (or as text set straight into it between ``<br>``s, as older
    templates do): an article's body is one such run, and so are a live blog's entries,
    while a listing's teaser summaries each sit in a card that links to its story.
    """
    runs: Counter[int] = Counter()
    total = 0
    for p in body.css("p"):
        raw = p.text(deep=True, separator=" ")
        if len(raw) < _SHORTEST:
            continue
        n = _weight(" ".join(raw.split()))
        total += n if n >= _PROSE else 0
        parent = p.parent
        if n < _RUN_PART or parent is None:
            continue
        runs[parent.mem_id] += n
        # an entry of its own (a live blog's, a forum's) that links nowhere adds to the run
        # of the block holding the entries; a teaser's card links to its story
        outer = parent.parent
        if outer is not None and parent.tag != "body" and parent.css_first(_TEASER_LINK) is None:
            runs[outer.mem_id] += n
    for block in body.css(_BLOCKS):
        raw = block.text(deep=False)
        if len(raw) < _SHORTEST:
            continue
        n = _weight(" ".join(raw.split()))
        total += n if n >= _PROSE else 0
        if n >= _RUN_PART:
            runs[block.mem_id] += n
    return max(runs.values(), default=0), total


def _main_block(body: LexborNode) -> tuple[float, float]:
    """Where the page's text divides, and what it divides into.

    Go down from the body into the child holding most of the text while one does; the
    block reached is the page's main block. An article's divides into paragraphs, a
    listing's into cards that each link elsewhere. Returns the share of the block's text in
    such cards, and the share inside links.
    """
    node = body
    for _ in range(_MAIN_DEPTH):
        parts = _parts(node)
        if not parts:
            break
        biggest, child = max(parts, key=lambda part: part[0])
        if biggest < sum(n for n, _ in parts) * _MAIN_SHARE:
            break
        node = child
    parts = [(n, c) for n, c in _parts(node) if n >= _MAIN_PART]
    total = sum(n for n, _ in parts)
    if not total:
        return 0.0, 0.0
    cards = sum(
        n for n, c in parts if c.tag not in ("p", "a") and c.css_first(_TEASER_LINK) is not None
    )
    links = sum(_length(a) for a in node.css("a[href]"))
    return cards / total, min(links / total, 1.0)


def _parts(node: LexborNode) -> list[tuple[int, LexborNode]]:
    return [(_length(c), c) for c in node.iter() if c.tag not in _NOT_PARTS]


def _dated(tree: LexborHTMLParser, objects: list[dict[str, Any]], metas: dict[str, str]) -> bool:
    if metas.get("article:published_time") or any("datePublished" in o for o in objects):
        return True
    return tree.css_first("[itemprop=datePublished]") is not None


def _weight(text: str) -> int:
    """Characters, those of scripts written without spaces counted 2.5 times (one holds
    about what a word of 2-3 letters does elsewhere)."""
    return len(text) + (3 * len(_UNSPACED.findall(text))) // 2


def _words(text: str) -> int:
    """Words; in scripts written without spaces, one per two characters."""
    unspaced = len(_UNSPACED.findall(text))
    return len(_UNSPACED.sub(" ", text).split()) + unspaced // 2


def _types(objects: Iterable[dict[str, Any]]) -> set[str]:
    return {name.rsplit("/", 1)[-1] for obj in objects for name in ld_types(obj)}


def _url_shape(url: str) -> tuple[int, bool]:
    """Words in the path's last segment, and whether it names a section or a list page."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    last = re.sub(r"\.[a-z]{2,5}$", "", parts[-1].lower()) if parts else ""
    words = len([w for w in re.split(r"[-_+]", last) if w])
    listing = (
        not parts
        or last in _LISTING_WORDS
        or last.isdigit()
        and len(parts) >= 2
        and (parts[-2].lower() == "page")
    )
    return words, listing
