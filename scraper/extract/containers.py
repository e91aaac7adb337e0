"""An article body split over several containers: find every part's blocks.

Condé Nast-style pages split one body into several same-class containers around ad
slots, and trafilatura keeps only the first; the pre-cleaner hands these blocks on, and
:func:`scraper.extract.postclean.stitch` puts back what trafilatura left out.
"""

from __future__ import annotations

import functools

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.nodes import within

_MIN_BLOCK = 40  # characters: shorter paragraphs (datelines, captions) do not count
_FOOTER = frozenset({"footer"})
_LINKED_SHARE = 0.7


def container_blocks(tree: LexborHTMLParser) -> tuple[tuple[str, ...], int]:
    """Blocks of the article container(s): the parents holding most paragraph text.

    Condé Nast-style pages split one body into several same-class containers around ad
    slots; trafilatura then keeps only the first. Grouping paragraph parents by
    (tag, class without modifiers) finds all of them. Teaser cards (three or more parents
    of one paragraph each) are not a body and do not count against a body in parts.
    """
    chars: dict[tuple[str, str], int] = {}
    paras: dict[tuple[str, str], int] = {}
    members: dict[tuple[str, str], dict[int, LexborNode]] = {}
    for p in tree.css("p"):
        n = len(p.text(deep=True, strip=True))
        parent = p.parent
        # a page builder's wrapper class repeats in the footer: a body is never split there
        if n < _MIN_BLOCK or parent is None or within(p, _FOOTER):
            continue
        key = (parent.tag or "", _class_key(parent.attributes.get("class") or ""))
        chars[key] = chars.get(key, 0) + n
        paras[key] = paras.get(key, 0) + 1
        members.setdefault(key, {})[parent.mem_id] = parent
    if not chars:
        return (), 0
    best = max(chars, key=lambda k: chars[k])
    cards = 0  # only a body split in parts is weighed without the cards (else keep it strict)
    if len(members[best]) >= 2:
        cards = sum(
            c
            for k, c in chars.items()
            if k != best and len(members[k]) >= 3 and paras[k] == len(members[k])
        )
    if chars[best] < 0.6 * (sum(chars.values()) - cards):
        return (), 0
    nodes = list(members[best].values())
    return tuple(b for node in nodes for b in blocks_of(node)), len(nodes)


@functools.lru_cache(maxsize=1024)
def _class_key(classes: str) -> str:
    """A class string without its modifiers: "body articleBody -bottom-space" → "body articleBody".

    The parts of one split body often differ only by a modifier (a leading "-", a BEM
    "--" modifier, a responsive "lg:" utility).
    """
    return " ".join(
        t for t in classes.split() if not t.startswith("-") and "--" not in t and ":" not in t
    )


def blocks_of(node: LexborNode) -> list[str]:
    """The text of ``node``'s paragraphs, sub-headings, list items and quotes, in order; a
    list item is written as trafilatura writes one ("- …")."""
    out = []
    for child in node.css("p,h2,h3,h4,li,blockquote"):
        if child.tag in ("li", "blockquote") and child.css_first("p") is not None:
            continue
        text = " ".join(child.text(deep=True).split())
        if child.tag == "li" and _a_link(child, text):
            continue  # a list of links to other pages is not the body's own list
        if text:
            out.append(f"- {text}" if child.tag == "li" else text)
    return out


def _a_link(item: LexborNode, text: str) -> bool:
    """Whether a list item is mostly the text of its links (a headline, a menu entry)."""
    linked = sum(len("".join(a.text(deep=True).split())) for a in item.css("a[href]"))
    return linked > 0 and linked >= _LINKED_SHARE * len(text.replace(" ", ""))
