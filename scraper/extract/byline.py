"""The byline printed on the page, for pages that declare no author in JSON-LD or meta tags.

Two shapes cover most templates that trafilatura's own author search misses:

- a link to the author's page (``/author/jane-doe``, ``/profil/207/jane-doe``) whose text is
  the name the path's last segment spells, or any ``rel="author"`` link to a name;
- a label ("By", "Written by", "Author", "Contributors", also as a small heading, and their
  German, French, Spanish, Italian, Dutch, Scandinavian and Polish forms: "Von", "Ein Artikel
  von", "Text:", "Par", "Por", "Di", "Door", "Av", "Przez") followed by the name, in one short
  element or the next one (past a line break); what follows the name after a
  separator ("Jane Doe, Dec 17, 2025", "Jane Doe · Review Editor") is not part of it.

Only the first byline in page order counts: cards of related articles further down carry
other people's names. A link byline counts only when the page links to at most three
authors (more is a listing of other articles, not a credit).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.nodes import within

_AUTHOR_PATH = re.compile(
    r"/(?:author|authors|writer|writers|contributor|contributors|people|profiles?|"
    r"autor|autoren|autorin|profil)/"
    r"(?:[^?#]*/)?([^/?#]+)/?(?:[?#]|$)",  # the last segment: "/profil/207/jana-doe"
    re.I,
)
_LABEL = re.compile(
    r"^(?:written by|words by|authored by|article by|posted by|contributors?|author|by|"
    # the same labels in the languages of most pages here ("Von", "Ein Artikel von",
    # "Par", "Por", "Di", "Door", "Av", "Af", "Przez"), and "Text:" with its colon
    r"ein artikel von|ein beitrag von|geschrieben von|text von|autorin|autor|von|"
    r"écrit par|par|escrito por|por|scritto da|di|door|av|af|przez|text(?=\s*:))"
    r"\b\s*:?\s*(.*)$",  # a whole word: "DIRIGIDO A", "Bygone" open no byline
    re.I,
)
# what follows a name in its byline: "Jane Doe, Dec 17, 2025", "Jane Doe · Review Editor"
_AFTER_NAME = re.compile(r"\s*[,|•·–—]\s.*$|\s*[,|•·.]\s*$")
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-Þ][\w'’.\-]*|van|von|der|den|de|del|la|le|da|di|du|bin)$")
# words of page furniture, never of a name ("Recent Posts", "View Profile")
_NOT_NAME = frozenset(
    """
recent posts post latest more popular related read view all share follow subscribe comments
comment news home about contact privacy policy terms profile author authors our team the
""".split()
)
_MAX_AUTHOR_LINKS = 3
_LABEL_TAGS = frozenset(
    {
        "p",
        "span",
        "div",
        "strong",
        "b",
        "em",
        "i",
        "small",
        "li",
        "dt",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
_SKIP = frozenset({"nav", "footer", "aside", "script", "style", "noscript", "template"})


def page_byline(tree: LexborHTMLParser) -> tuple[str, ...]:
    """The name the page's byline shows, or () when it shows none this module recognises."""
    body = tree.body
    if body is None:
        return ()
    return _linked(body) or _labelled(body)


def _linked(body: LexborNode) -> tuple[str, ...]:
    names: list[str] = []
    for link in body.css(
        'a[href*="/author"], a[rel~="author"], a[href*="/writer"], '
        'a[href*="/contributor"], a[href*="/people/"], a[href*="/profile"], '
        'a[href*="/autor"], a[href*="/profil/"]'
    ):
        if within(link, _SKIP):
            continue
        href = link.attributes.get("href") or ""
        name = " ".join(link.text(deep=True, separator=" ").split())
        found = _AUTHOR_PATH.search(href)
        if not _is_name(name):
            continue
        rel_author = "author" in (link.attributes.get("rel") or "").split()
        if found is None and not rel_author:
            continue
        # rel="author" is the page's own word; a path alone must spell the name
        if found is not None and not rel_author and not _spells(found.group(1), name):
            continue
        if name not in names:
            names.append(name)
    if not names or len(names) > _MAX_AUTHOR_LINKS:
        return ()
    return (names[0],)


def _labelled(body: LexborNode) -> tuple[str, ...]:
    for text in body.traverse(include_text=True):
        if text.tag != "-text":
            continue
        raw = text.text_content
        if not raw or len(raw) > 80 or raw.isspace():
            continue
        label = _LABEL.match(" ".join(raw.split()))
        node = text.parent
        if label is None or node is None or node.tag not in _LABEL_TAGS:
            continue
        own = " ".join(node.text(deep=True, separator=" ").split())
        if len(own) > 60 or within(node, _SKIP):
            continue
        rest = _LABEL.match(own)
        name = _AFTER_NAME.sub("", rest.group(1)).strip() if rest is not None else ""
        if name:
            if _is_name(name):
                return (name,)
            continue
        follower = node.next
        while follower is not None and (  # blanks and line breaks: "<b>Von:</b><br> Name"
            follower.tag == "br" or (follower.tag == "-text" and not follower.text().strip())
        ):
            follower = follower.next
        if follower is None:
            continue
        name = " ".join(follower.text(deep=True, separator=" ").split())
        if _is_name(name):
            return (name,)
    return ()


def _is_name(text: str) -> bool:
    words = text.split()
    return (
        2 <= len(words) <= 4
        and all(_NAME_WORD.match(w) for w in words)
        and not any(w.casefold() in _NOT_NAME for w in words)
    )


def _spells(slug: str, name: str) -> bool:
    """Whether the link's path segment is the name: "jane-doe" for "Jane Doe"."""
    first = _plain(name.split()[0])
    return bool(first) and first in _plain(slug)


def _plain(text: str) -> str:
    """Letters and digits only, accents dropped: "Tomás" → "tomas"."""
    bare = unicodedata.normalize("NFKD", unquote(text).casefold())
    return re.sub(r"[\W_]", "", "".join(c for c in bare if not unicodedata.combining(c)))
