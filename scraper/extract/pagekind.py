"""Is this page an article at all? Listing pages, section fronts, tag, author, search and
date-archive pages and product collections give "no article".

Decided from the page's structure only, never from a list of sites (the signs are read in
``kindsigns``): the schema.org types it declares (``NewsArticle``/``Article``/``BlogPosting``
against ``CollectionPage``/``ItemList``/``SearchResultsPage``), ``og:type``, the shape of
its URL (an article's last path segment is usually a slug of several words, or sits under a
date; a listing's is a section word or nothing), whether it declares a published date and
links a next page, how much of its text is links, how much running prose it holds and how
much of that one container holds, prices and product cards, and what the page's main block
divides into: paragraphs, or cards that each link elsewhere. Each sign adds to a score; the
weights were fitted on half A of the three shared sets and checked on half B (``scraper
eval``), with the threshold set so that articles are almost never refused: a page stored
by mistake costs less than an article lost. For the same reason a page with a mark of an
article that listings almost never show (a declared article type, a headline's slug in its
URL, the one or two bylines of a story) is never refused, whatever its score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.kindsigns import (
    ARTICLE_TYPES,
    LISTING_TYPES,
    PageSigns,
    article_marks,
    read_signs,
)
from scraper.extract.metadata import meta_tags

__all__ = [
    "ARTICLE_TYPES",
    "LISTING_TYPES",
    "NOT_AN_ARTICLE",
    "PageSigns",
    "is_not_article",
    "listing_score",
    "not_an_article",
]

NOT_AN_ARTICLE = "not_an_article"  # the warning an Extraction carries when refused
_MIN_JUDGED = 200  # visible characters

# Logistic weights over the signs (bias first), fitted with an L2 penalty on half A of all
# three shared sets (wcxb-dev's listings and collections against every article of fundus,
# trafilatura and wcxb-dev), an article mistake weighed three times a missed listing; the
# penalty and the two marks below were chosen by cross-validation within half A (articles
# refused out of fold at the same share of listings refused), the bias so that half A's
# listings are refused as often as before (81 %). A page is "no article" when the score is
# above 0. A declared article type, or one of the marks of an article below, keeps the page.
_BIAS = 1.306
_WEIGHTS = {
    "listing_schema": 1.394,
    "og_article": -0.429,
    "og_website": 0.412,
    "og_product": 2.14,
    "slug_words": -1.567,
    "listing_word": 0.598,
    "link_share": 1.494,
    "prose": -0.247,
    "prices": 0.332,
    "chars": -0.03,
    "linked_images": 0.185,
    "times": 0.047,
    "title_words": -0.687,
    "prose_run": -0.244,
    "paginated": 0.667,
    "dated": -0.296,
    "url_day": -0.391,
    "run_share": -1.223,
    "product_marks": 0.248,
    "buttons": 0.374,
    "linked_headings": 0.615,
    "main_card_share": 0.962,
    "main_link_share": 0.766,
}
# Marks of an article that a listing almost never shows (2 of half A's 105 listings, and
# both "best X" guides): a last path segment of five words or more (a headline's slug), and
# one or two author marks (a listing's cards carry one each, or the page none).
_SLUG_KEPT = 5
_BYLINES_KEPT = (1, 2)


def listing_score(signs: PageSigns) -> float:
    """Above 0: the page is a listing or a collection, not an article."""
    og = signs.og_type
    values = {
        "listing_schema": float(signs.listing_schema),
        "og_article": float(og == "article"),
        "og_website": float(og in ("website", "")),
        "og_product": float(og.startswith("product")),
        "slug_words": min(signs.url_slug_words, 6) / 6,
        "listing_word": float(signs.url_listing_word),
        "link_share": signs.link_share,
        "prose": math.log1p(signs.prose_chars),
        "prices": math.log1p(signs.prices),
        "chars": math.log1p(signs.chars),
        "linked_images": math.log1p(signs.linked_images),
        "times": math.log1p(signs.times),
        "title_words": min(signs.title_words, 12) / 12,
        "prose_run": math.log1p(signs.prose_run),
        "paginated": float(signs.paginated),
        "dated": float(signs.dated),
        "url_day": float(signs.url_day),
        "run_share": signs.prose_run / max(signs.chars, 1),
        "product_marks": math.log1p(signs.product_marks),
        "buttons": math.log1p(signs.buttons),
        "linked_headings": signs.heading_links / max(signs.headings, 1),
        "main_card_share": signs.main_card_share,
        "main_link_share": signs.main_link_share,
    }
    return _BIAS + sum(_WEIGHTS[name] * value for name, value in values.items())


def is_not_article(signs: PageSigns) -> bool:
    """Whether the page should give "no article".

    A page whose DOM holds almost no text (script-rendered, its article shipped as data) is
    not judged: there is no structure to judge it by.
    """
    if signs.chars < _MIN_JUDGED or _marked_article(signs):
        return False
    return listing_score(signs) > 0


def _marked_article(signs: PageSigns) -> bool:
    """A declared article type, a headline's slug, or the one byline of an article."""
    return _marked(signs.article_schema, signs.url_slug_words, signs.bylines)


def _marked(article_schema: bool, slug_words: int, bylines: int) -> bool:
    low, high = _BYLINES_KEPT
    return article_schema or slug_words >= _SLUG_KEPT or low <= bylines <= high


def not_an_article(
    html: str, tree: LexborHTMLParser, objects: Iterable[dict[str, Any]], url: str
) -> bool:
    """The whole check on a page: its signs, then :func:`is_not_article`.

    The signs are read from ``tree`` (left as it is); ``html`` is the same page's text, not
    parsed again here.
    """
    objects = list(objects)
    if _marked(*article_marks(tree, objects, url)):  # most articles: the body is not read
        return False
    metas = meta_tags(tree)
    title_tag = tree.css_first("title")
    title = metas.get("og:title") or (title_tag.text() if title_tag is not None else None)
    return is_not_article(read_signs(tree, objects, metas, url, title))
