"""Cleaning before trafilatura: drop boilerplate nodes by structure with selectolax.

Everything is decided on the intact tree first, then only the top-most doomed nodes are
decomposed (lexbor frees a node's subtree on decompose, so descendants must not be touched
afterwards). A guard keeps any node that holds most of the page's text: an ASP.NET page
wraps everything in one ``<form>``, and some themes put "comments-enabled" on the article.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract import patterns as P
from scraper.extract.boxes import inserted, picture_boxes, social_embeds
from scraper.extract.containers import blocks_of, container_blocks
from scraper.urls import host_of

# Tags that never hold article prose (captions belong in metadata, not in the body).
DROP_TAGS = (
    "form",
    "aside",
    "nav",
    "footer",
    "figure",
    "figcaption",
    "button",
    "dialog",
    "template",
    "iframe",
    "svg",
    "select",
    "textarea",
    "noscript",
    "style",
)
# class/id words of page furniture, matched as whole words of the attribute (- and _ split).
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(related|newsletters?|share|sharing|sharebar|social|socials|comments?|"
    r"commentlist|disqus|promo|promos|recommend\w*|subscribe|subscription|outbrain|taboola|"
    r"advert\w*|ads|adslot|ad-slot|banner|cookie\w*|consent|breadcrumbs?|tags|taglist|"
    r"author-bio|authorbox|more-stories|moreStories|read-more|readmore|also-read|sidebar|"
    r"most-read|mostread|popular|trending|teaser-list|teaserlist|newsticker|byline|"
    r"caption|credits?|copyright|skip-link|visually-hidden|sr-only|print-only|modal|lightbox|"
    r"factbox|fact-box|faktbox|faktenbox|infobox|info-box)"
    r"(?=$|[\s_-])",
    re.I,
)
_BEM = re.compile(r"[A-Za-z][\w-]*--[\w-]+$")  # block__element--modifier
_EXPANDER = re.compile(r"read-?more", re.I)
_LAYOUT = re.compile(
    r"content|body|article|main|text|story|entry|container|layout|grid|enabled|with|has|"
    r"page|column|wrapper",
    re.I,
)
# the boxes that hold a link: lexbor's :has() finds them in one pass over the tree, where a
# query per box cost ~0.7 ms a page (trafilatura set)
_LINKED_BOXES = ",".join(f"{tag}:has(a)" for tag in ("ul", "ol", "p", "div", "section"))
_MAILTO = re.compile(r"mailto:|tel:", re.I)
_REFERENCE = re.compile(r"https?://|www\.|[\w.+-]+@[\w-]+\.", re.I)
_GUARD_SHARE = 0.25  # never drop a node holding more than this share of the page's prose
_PROSE = 80
_LINK_DENSE = 0.7
_CITED_SHARE = 0.8  # of a list's links going to other sites, for it to be a list of citations
_CITED_WORDS = 3  # words per link text, on average: titles, not "Facebook"
# Control-picture symbols: trafilatura keeps them (private-use characters it strips), and
# they do not occur in prose.
LINE_BREAK = "\u241e"
PARA_BREAK = "\u241f"
_SLUG_SPLIT = re.compile(r"[\W_]+")
_LETTER = re.compile(r"[^\W\d_]")
_SLUG_WORDS = 4  # "more-stories-list-wrapper" is a name; a heading's slug runs longer
_SLUG_SHARE = 0.6
_SLUG_TEXT = 300  # characters of the node's text where its heading stands
_PITCH_MAX = 300  # a pitch sentence or button; longer text is prose that mentions one
_PITCH_BOX_MAX = 1500


@dataclass(frozen=True)
class PreCleaned:
    """The cleaned page plus the article container's blocks, for stitching split bodies."""

    html: str
    container_blocks: tuple[str, ...] = ()
    containers: int = 0
    # the page's visible text (scripts and styles out, text nodes joined by a space), taken
    # before the boilerplate is dropped; None when not taken
    page_text: str | None = field(default=None, repr=False)

    @functools.cached_property
    def page_chars(self) -> int | None:
        """Characters of :attr:`page_text` with every run of white space as one: no
        extraction of the page can return more. Counted only when asked (the split costs
        about as much as taking the text, and most pages never need it)."""
        if self.page_text is None:
            return None
        return sum(len(word) + 1 for word in self.page_text.split())


def preclean(
    tree: LexborHTMLParser,
    drop_selectors: tuple[str, ...] = (),
    body_selectors: tuple[str, ...] = (),
    title: str | None = None,
    url: str = "",
) -> PreCleaned:
    """Remove boilerplate nodes from ``tree`` in place and return the cleaned HTML.

    ``url`` is where the page was fetched: its site's links are the ones that can be teasers.
    """
    body = tree.body
    if body is None:
        return PreCleaned(tree.html or "")
    _drop(tree, [n for sel in drop_selectors for n in _select(tree, sel)])
    if body_selectors:
        kept = [n for sel in body_selectors for n in _select(tree, sel)]
        if kept:
            return _only(tree, kept)
    _drop(tree, list(tree.css("script,style,template")))
    page_text = body.text(deep=True, separator=" ")  # see PreCleaned.page_chars
    flatten_ruby(tree)
    _drop(tree, other_articles(tree, title))
    guard = _Guard.of(tree, body)
    doomed = [n for n in tree.css(",".join(DROP_TAGS)) if guard.small(n) and not _table(n)]
    # a named box set among the body's paragraphs goes whatever it holds (a transcript box)
    doomed += [
        n for n in tree.css("[class],[id]") if _furniture(n) and (guard.small(n) or inserted(n))
    ]
    home = own_hosts(tree, url)
    doomed += [n for n in tree.css(_LINKED_BOXES) if _link_dense(n, guard, home)]
    doomed += pitch_boxes(tree, guard)
    doomed += social_embeds(tree)
    doomed += picture_boxes(tree)
    _drop(tree, doomed)
    mark_line_breaks(tree)
    blocks, containers = container_blocks(tree)
    return PreCleaned(tree.html or "", blocks, containers, page_text)


def flatten_ruby(tree: LexborHTMLParser) -> None:
    """Turn ``<ruby>`` annotations into plain inline text, as a non-ruby browser shows them.

    Per the HTML spec, ``<rp>`` holds the fallback parentheses around the reading: with them
    the reading stays ("尹錫悦（ユンソンニョル）"); without them only the base text does.
    Left as markup, trafilatura breaks the sentence into one line per ruby element.
    """
    rubies = tree.css("ruby")
    if not rubies:
        return
    for ruby in rubies:
        if ruby.css_first("rp") is None:
            for reading in ruby.css("rt"):
                reading.decompose()
    tree.unwrap_tags(["ruby", "rb", "rt", "rp", "rtc"])


def mark_line_breaks(tree: LexborHTMLParser) -> None:
    """Mark each ``<br>`` inside text with :data:`LINE_BREAK` or :data:`PARA_BREAK`.

    trafilatura makes every ``<br>`` a new block, so a paragraph hard-wrapped with ``<br>``
    would come out as several paragraphs; lexbor's text drops it, gluing the words on
    either side. The marker goes before the ``<br>`` (which stays, so trafilatura sees the
    page it always saw): a lone one is a line break inside the paragraph, a run of two or
    more a paragraph break (old templates separate paragraphs that way).
    """
    marks: list[tuple[LexborNode, str]] = []
    for br in tree.css("br"):
        before, after = _neighbour(br, forward=False), _neighbour(br, forward=True)
        if before is None or after is None or before.tag == "br":
            continue  # an edge of a block, or inside a run (its first <br> speaks for it)
        marks.append((br, PARA_BREAK if after.tag == "br" else LINE_BREAK))
    for node, mark in marks:  # decided on the intact tree first
        node.insert_before(f" {mark} ")


def _neighbour(node: LexborNode, *, forward: bool) -> LexborNode | None:
    """The nearest sibling that is not whitespace-only text."""
    sib = node.next if forward else node.prev
    while sib is not None and sib.tag == "-text" and not (sib.text_content or "").strip():
        sib = sib.next if forward else sib.prev
    return sib


def _select(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    try:
        return list(tree.css(selector))
    except Exception:  # a bad selector in a seed file must not stop the page
        return []


def _furniture(node: LexborNode) -> bool:
    if node.tag in ("html", "body", "main", "article"):
        return False
    attrs = node.attributes
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    hits = _furniture_words(names)
    if not hits or _named_after_text(node, names) or _mid_sentence(node):
        return False
    if all(_EXPANDER.fullmatch(h) for h in hits):
        # "read more" on a box of prose is a collapsed-text toggle, not a teaser link
        return len(node.text(deep=True, strip=True)) < 200
    return True


def _mid_sentence(node: LexborNode) -> bool:
    """A link with words of its sentence on both sides: "After <a class="recommendation-
    inline-link">announcing your engagement</a>, you may …". Its class names where it
    leads, not a box of the page: dropping it would cut words out of the sentence."""
    if node.tag != "a":
        return False
    before, after = node.prev, node.next
    return (
        before is not None
        and after is not None
        and before.tag == "-text"
        and after.tag == "-text"
        and _LETTER.search(before.text_content or "") is not None
        and _LETTER.search(after.text_content or "") is not None
    )


def _named_after_text(node: LexborNode, names: str) -> bool:
    """Whether the furniture words come only from a slug of the node's own text.

    Templates give a section or heading an anchor id made of its heading's words
    ("how-popular-are-meditation-and-mindfulness", for a table of contents): a word of the
    heading is not a word about the box. A slug is a token of several words, most of them
    words of the node's text.
    """
    tokens = [t for t in names.split() if _furniture_token(t)]
    parts = [[w for w in _SLUG_SPLIT.split(t.casefold()) if w] for t in tokens]
    if any(len(p) < _SLUG_WORDS for p in parts):
        return False
    words = set(_SLUG_SPLIT.split(node.text(deep=True)[:_SLUG_TEXT].casefold()))
    return all(sum(w in words for w in p) >= max(_SLUG_WORDS, _SLUG_SHARE * len(p)) for p in parts)


@functools.lru_cache(maxsize=16384)  # a template repeats its class strings across the page
def _furniture_words(attrs: str) -> tuple[str, ...]:
    """Furniture words of a class/id string, token by token: a word never spans a space, and
    templates repeat the same tokens (utility classes, BEM names) far more than whole strings."""
    return tuple(hit for token in attrs.split() if (hit := _furniture_token(token)))


@functools.lru_cache(maxsize=16384)
def _furniture_token(token: str) -> str | None:
    # a BEM modifier says what a block contains ("TestReport__Section--Ads"), not what it is
    token = token.split("--")[0] if _BEM.match(token) else token
    found = _FURNITURE.search(token)
    # "sidebar-grid__content", "comments-enabled", "share-container": layout, not furniture
    return found.group(1) if found and not _LAYOUT.search(token) else None


def _table(node: LexborNode) -> bool:
    """A <figure> wrapping a data table is content (comparison tables, results)."""
    return node.tag == "figure" and node.css_first("table") is not None


@dataclass(frozen=True)
class _Guard:
    """Says whether a node is small enough to drop: it must not hold much of the prose.

    Layout classes lie ("content without-sidebar", "article-ads-wrapper" around the body),
    so the guard weighs what a node holds, not what it is called. Prose is the text of
    paragraphs of 80+ characters; pages without such <p>s are weighed by plain text.
    """

    mass: dict[int, int]
    total: int
    by_text: bool

    @classmethod
    def of(cls, tree: LexborHTMLParser, body: LexborNode) -> _Guard:
        mass: dict[int, int] = {}
        for p in tree.css("p"):
            n = len(p.text(deep=True, strip=True))
            # a paragraph wrapped in a link is another article's teaser card, not prose
            node = p.parent if n >= _PROSE and not _in_link(p) else None
            while node is not None:
                mass[node.mem_id] = mass.get(node.mem_id, 0) + n
                node = node.parent
        total = mass.get(body.mem_id, 0)
        if total >= 500:
            return cls(mass, total, False)
        return cls(mass, len(body.text(deep=True, strip=True)), True)

    def small(self, node: LexborNode) -> bool:
        if self.by_text:
            return len(node.text(deep=True, strip=True)) <= _GUARD_SHARE * self.total
        return self.mass.get(node.mem_id, 0) <= _GUARD_SHARE * self.total


def _in_link(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == "a":
            return True
        parent = parent.parent
    return False


def other_articles(tree: LexborHTMLParser, title: str | None) -> list[LexborNode]:
    """Further ``<article>``s with their own headline: the next stories of an endless page.

    Infinite-scroll templates append the following articles, each an ``<article>`` with
    its own ``<h1>``. The page's article is the one whose h1 matches the title, else the
    first; every other top-level ``<article>`` holding an h1 goes.
    """
    arts = [a for a in tree.css("article") if a.css_first("h1") is not None]
    arts = [a for a in arts if not any(_inside(a, b) for b in arts if b is not a)]
    if len(arts) < 2:
        return []
    want = _alnum(title or "")
    main = next((a for a in arts if want and _alnum(_h1(a)) == want), arts[0])
    return [a for a in arts if a is not main]


def _h1(node: LexborNode) -> str:
    h1 = node.css_first("h1")
    return h1.text(deep=True) if h1 is not None else ""


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _inside(node: LexborNode, ancestor: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id == ancestor.mem_id:
            return True
        parent = parent.parent
    return False


def own_hosts(tree: LexborHTMLParser, url: str = "") -> frozenset[str]:
    """The page's own sites: where it was fetched and what its canonical URL names (a
    syndicated article names its first publisher there)."""
    found = {_host(url)}
    for selector, attr in (
        ('link[rel="canonical"]', "href"),
        ('meta[property="og:url"]', "content"),
    ):
        node = tree.css_first(selector)
        found.add(_host((node.attributes.get(attr) or "") if node is not None else ""))
    return frozenset(h for h in found if h)


@functools.lru_cache(maxsize=4096)  # nested boxes ask again for the same links
def _host(href: str) -> str | None:
    """The site an absolute link goes to (``www.`` aside); None for a relative one."""
    if not href.startswith(("http://", "https://")):
        return None
    return host_of(href).removeprefix("www.") or None


def _cites_elsewhere(links: list[LexborNode], texts: list[str], home: frozenset[str]) -> bool:
    """Whether a list's links are citations of other sites' pages, not teasers of this one.

    A related-stories list links the site's own pages; a changelog or a further-reading
    list names other sites' documents by their titles (several words each), and is the
    article's own text. Share buttons also link elsewhere, but by a word ("Facebook").
    ``texts`` are the links' texts. The word count is taken first: it needs no URL parsed.
    """
    if not home or sum(len(t.split()) for t in texts) < _CITED_WORDS * len(links):
        return False
    need, left = _CITED_SHARE * len(links), len(links)  # links away needed; that may be
    for a in links:
        h = _host(a.attributes.get("href") or "")
        if not h or any(h.endswith(o) or o.endswith(h) for o in home):
            left -= 1
            if left < need:  # too many stay on the site: no need to parse the rest
                return False
    return True


def _link_dense(node: LexborNode, guard: _Guard, home: frozenset[str] = frozenset()) -> bool:
    """A list or box that is mostly links: related headlines, tag clouds, link farms.

    Only a box dense with links is asked whether its links cite other sites (the dearer
    test, run on the few boxes that would otherwise go). The cheap tests go first: most
    boxes hold no link at all, or too few for their kind.
    """
    if not guard.small(node):  # the caller passes only boxes holding a link
        return False
    text = node.text(deep=True, strip=True)
    if not text or len(text) > 5000:
        return False
    links = node.css("a")
    # a list of two links or more, a short paragraph (only a headline link: an inline
    # teaser), or any other box of three links or more; then the share of its text in links
    if node.tag in ("ul", "ol"):
        few, share = len(links) < 2, _LINK_DENSE
    elif node.tag == "p":
        few, share = len(text) >= 200, 0.9
    else:
        few, share = len(links) < 3, 0.8
    if few:
        return False
    texts = [a.text(deep=True, strip=True) for a in links]
    if sum(map(len, texts)) < share * len(text):
        return False
    # a paragraph's link may be a reference: a mailto or a bare URL as its own text
    if node.tag == "p" and any(
        _MAILTO.match(a.attributes.get("href") or "") or _REFERENCE.match(a.text(strip=True))
        for a in links
    ):
        return False
    return not _cites_elsewhere(links, texts, home)


def pitch_boxes(tree: LexborHTMLParser, guard: _Guard) -> list[LexborNode]:
    """Paywall, subscription and donation boxes: the whole box around a pitch goes.

    The line rules drop a pitch sentence, but its box also holds a benefits list, a
    footnote, a heading ("Links lesen, …") and buttons. A box is the largest ancestor of a
    pitch (a sentence in :data:`scraper.extract.patterns.PITCH` or a call-to-action link) that
    holds no other prose paragraph and little of the page's text.
    """
    boxes: dict[int, LexborNode] = {}
    for trigger in _pitch_triggers(tree):
        box = _pitch_box(trigger, guard)
        if box is not None:
            boxes[box.mem_id] = box
    return list(boxes.values())


def _pitch_triggers(tree: LexborHTMLParser) -> list[LexborNode]:
    found = []
    for node in tree.css("p,h2,h3,h4,h5,dt,a,button"):
        text = " ".join(node.text(deep=True, strip=False).split())
        if not text or len(text) > _PITCH_MAX:
            continue
        if node.tag in ("a", "button"):
            if P.CALL_TO_ACTION.fullmatch(text):
                found.append(node)
        elif P.PITCH_LINE.search(text):
            found.append(node)
    return found


def _pitch_box(trigger: LexborNode, guard: _Guard) -> LexborNode | None:
    box, node = None, trigger.parent
    for _ in range(6):
        if node is None or node.tag in ("body", "html", "main", "article") or not guard.small(node):
            break
        if len(node.text(deep=True, strip=True)) > _PITCH_BOX_MAX or _holds_prose(node):
            break
        box, node = node, node.parent
    return box


def _holds_prose(node: LexborNode) -> bool:
    """A paragraph of prose that is not itself part of the pitch (an article's teaser text)."""
    for p in node.css("p"):
        text = " ".join(p.text(deep=True).split())
        if len(text) < _PROSE or P.PITCH_LINE.search(text):
            continue
        if not any(P.CALL_TO_ACTION.fullmatch(" ".join(a.text().split())) for a in p.css("a")):
            return True
    return False


def _drop(tree: LexborHTMLParser, nodes: list[LexborNode]) -> None:
    """Decompose the top-most of ``nodes`` (descendants go with their ancestor)."""
    doomed = {n.mem_id for n in nodes}
    for node in _topmost(nodes, doomed):
        node.decompose()


def _topmost(nodes: list[LexborNode], doomed: set[int]) -> list[LexborNode]:
    out, seen = [], set()
    for node in nodes:
        if node.mem_id in seen:
            continue
        seen.add(node.mem_id)
        parent, covered = node.parent, False
        while parent is not None:
            if parent.mem_id in doomed:
                covered = True
                break
            parent = parent.parent
        if not covered:
            out.append(node)
    return out


def _only(tree: LexborHTMLParser, kept: list[LexborNode]) -> PreCleaned:
    """Keep the head and just the publisher's declared body nodes."""
    head = tree.head.html if tree.head is not None else ""
    mark_line_breaks(tree)
    parts = [n.html or "" for n in _topmost(kept, {n.mem_id for n in kept})]
    html = f"<html>{head}<body><article>{''.join(parts)}</article></body></html>"
    blocks = tuple(b for n in kept for b in blocks_of(n))
    return PreCleaned(html, blocks, len(kept))
