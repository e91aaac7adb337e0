"""trafilatura's author search (``trafilatura.metadata.extract_author``) in one walk of the tree.

trafilatura looks for an author with five XPath expressions (two that prune comments, side
bars and dates, three that find a byline, tried in turn) on a copy of the page. libxml2
walks the whole tree for each of them, and tests most class names through a regular
expression called back into Python: about 12 ms a page where no author is found, most of
:func:`scraper.extract.metafallback.fill_from_trafilatura`'s cost (trafilatura set, 2026-12).
Here the same predicates are read from each element's attributes in one walk, on the
caller's own tree (no copy): the same author on every page of the shared sets, in about a
fifth of the time. ``tests/extract/test_pageauthor.py`` holds it to trafilatura's own search.
"""

from __future__ import annotations

import re

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors
from trafilatura.utils import trim
from trafilatura.xml import delete_element

_PRUNED_TAGS = frozenset({"a", "div", "section", "span"})
_PRUNED_ID = re.compile(r"^comments|comment-?list|ProductReviews")
_PRUNED_CLASS = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
    r"article-(?:share|support)|print|category|meta-date|meta-reviewer"
)
_PRUNED_AFTER = XPath("//time|//figure")
_FIRST_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_FIRST_CLASS = re.compile(r"author-?name|AuthorName|authorName")
_SECOND_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
_SECOND_ID = re.compile(r"author|zuozhe|bianji|xiaobian")
_SECOND_CLASS = re.compile(
    r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_LAST_ID = re.compile(r"[Aa]uthor")
_LAST_CLASS = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
_MAX_LEN = 120


def page_author(tree: HtmlElement) -> str | None:
    """The author trafilatura's ``extract_author`` finds in ``tree``, which is pruned in place."""
    for elem in [e for e in tree.iter(*_PRUNED_TAGS) if _pruned(e)]:
        delete_element(elem)  # the tail text is kept, as trafilatura's pruning does
    for elem in _PRUNED_AFTER(tree):
        delete_element(elem)
    for candidates in _candidates(tree):
        for elem in candidates:
            content = trim(" ".join(elem.itertext()))
            if content and 2 < len(content) < _MAX_LEN:
                return normalize_authors(None, content)
    return None


def _pruned(elem: HtmlElement) -> bool:
    ident, cls = elem.get("id") or "", elem.get("class") or ""
    return (
        ident == "comments"
        or cls in ("comments", "title", "date")
        or bool(_PRUNED_ID.search(ident) or _PRUNED_CLASS.search(cls))
        or "Figure" in (elem.get("data-component") or "")
    )


def _candidates(tree: HtmlElement) -> tuple[list[HtmlElement], ...]:
    """The elements each of the three byline expressions selects, in document order."""
    first: list[HtmlElement] = []
    second: list[HtmlElement] = []
    last: list[HtmlElement] = []
    signed = {r.getparent() for r in tree.iter("rel") if r.text_content() == "me"}
    for elem in tree.iter():
        tag = elem.tag
        if not isinstance(tag, str):
            continue  # a comment or a processing instruction
        if not elem.keys() and tag != "author" and elem not in signed:
            continue  # no attribute: most elements, and no expression can select them
        ident, cls = elem.get("id") or "", elem.get("class") or ""
        itemprop = elem.get("itemprop") or ""
        if tag == "author" or (tag in _FIRST_TAGS and _first(elem, ident, cls, itemprop, signed)):
            first.append(elem)
        if tag in _SECOND_TAGS and (
            cls in ("byline", "username", "byl", "BBL")
            or "author" in itemprop
            or bool(_SECOND_ID.search(ident) or _SECOND_CLASS.search(cls))
        ):
            second.append(elem)
        if (
            "Byline" in (elem.get("data-component") or "")
            or "author" in itemprop
            or bool(_LAST_ID.search(ident) or _LAST_CLASS.search(cls))
        ):
            last.append(elem)
    return first, second, last


def _first(
    elem: HtmlElement, ident: str, cls: str, itemprop: str, signed: set[HtmlElement]
) -> bool:
    return (
        elem.get("rel") == "author"
        or ident == "author"
        or cls == "author"
        or itemprop == "author name"
        or elem in signed
        or elem.get("data-testid") in ("AuthorCard", "AuthorURL")
        or bool(_FIRST_CLASS.search(cls))
    )
