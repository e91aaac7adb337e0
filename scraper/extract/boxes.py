"""Boxes set into an article's body: named inserts that hold much text, and embedded posts.

The pre-cleaner (:mod:`scraper.extract.preclean`) keeps any node holding a large share of
the page's prose, since layout classes lie. A box *inside* the body is told apart by where
it sits: its parent holds the article's own paragraphs beside it. A wrapper around the body
has no such siblings.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

_PROSE = 80  # characters: a paragraph of the article, not a label or a caption
_SIBLING_PARAGRAPHS = 2


def inserted(node: LexborNode) -> bool:
    """Whether ``node`` sits among the article's paragraphs (a fact box, a transcript box).

    Two or more paragraphs of prose must be its siblings: the text it is set into.
    """
    parent = node.parent
    if parent is None:
        return False
    found = 0
    child = parent.child
    while child is not None:
        if child.mem_id != node.mem_id and _prose(child):
            found += 1
            if found >= _SIBLING_PARAGRAPHS:
                return True
        child = child.next
    return False


def _prose(node: LexborNode) -> bool:
    """A paragraph of the article's own: a ``<p>`` of at least :data:`_PROSE` characters."""
    return node.tag == "p" and len(node.text(deep=True, strip=True)) >= _PROSE


# Embeds of social posts as their platforms' snippets print them (a blockquote with the
# post's text, its author and date), before their script turns them into a frame.
SOCIAL_EMBEDS = (
    "blockquote.twitter-tweet",
    "blockquote.twitter-video",
    "blockquote.instagram-media",
    "blockquote.tiktok-embed",
    "blockquote.bluesky-embed",
    "blockquote.threads-media",
    "blockquote.mastodon-embed",
    "div.fb-post",
    "blockquote.reddit-embed-bq",
)


def social_embeds(tree: LexborHTMLParser) -> list[LexborNode]:
    """Embedded social posts: quoted from elsewhere, not the publisher's article text."""
    return list(tree.css(",".join(SOCIAL_EMBEDS)))


_PICTURE_NOTE_MAX = 400  # characters: a caption or a short profile, not a paragraph run
_OWN_TEXT = "p,h1,h2,h3,h4,h5,h6"  # a box with these has text of its own (pros and cons)


def picture_boxes(tree: LexborHTMLParser) -> list[LexborNode]:
    """Image boxes set among the paragraphs: a picture with its caption or a short profile.

    Templates that do not use ``<figure>`` wrap a picture and its caption (or a portrait and
    a two-line bio of a person named in the story) in a plain ``<div>``. Such a box holds an
    image, no paragraph or heading of its own and little text, and sits beside the body's
    paragraphs (only their parents' children are looked at: a page has few such parents).
    """
    prose: dict[int, int] = {}
    parents: dict[int, LexborNode] = {}
    for p in tree.css("p"):
        parent = p.parent
        if parent is not None and _prose(p):
            prose[parent.mem_id] = prose.get(parent.mem_id, 0) + 1
            parents[parent.mem_id] = parent
    found = []
    for key, parent in parents.items():
        if prose[key] < _SIBLING_PARAGRAPHS:
            continue
        child = parent.child
        while child is not None:
            if child.tag in ("div", "section") and _picture_note(child):
                found.append(child)
            child = child.next
    return found


def _picture_note(node: LexborNode) -> bool:
    if node.css_first("img,picture") is None or node.css_first(_OWN_TEXT) is not None:
        return False
    return len(node.text(deep=True, strip=True)) <= _PICTURE_NOTE_MAX
