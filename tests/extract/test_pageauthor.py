"""trafilatura's author search in one walk: the same author as trafilatura's own search."""

from __future__ import annotations

import pytest
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html

from scraper.extract.pageauthor import page_author

_PARA = "<p>The council met on Tuesday to discuss the new cycle lanes on the high street.</p>"


def _page(inner: str) -> str:
    return f"<html><head><title>Cycle lanes</title></head><body>{inner}{_PARA}</body></html>"


PAGES = {
    "class author-name": (_page('<div class="post-author-name">Jane Doe</div>'), "Jane Doe"),
    "rel author": (_page('<p>By <a rel="author" href="/jd">Jane Doe</a></p>'), "Jane Doe"),
    "author element": (_page("<author>Jane Doe</author>"), "Jane Doe"),
    # a commenter's name and a side bar's are pruned before the byline is looked for
    "comments pruned": (
        _page(
            '<section id="comments-list"><span class="author">Grumpy Reader</span></section>'
            '<div class="sidebar"><span class="author">Other Writer</span></div>'
            '<span class="byline-text">John Smith</span>'
        ),
        "John Smith",
    ),
    # the first expression wins over a later one earlier in the page
    "first expression first": (
        _page(
            '<span class="writer">Ann Other</span><div class="meta">'
            '<span class="authorName">Jane Doe</span></div>'
        ),
        "Jane Doe",
    ),
    # a date inside the byline goes with the pruning, the name stays
    "date pruned": (
        _page('<p class="byline">Jane Doe <time>3 March 2024</time></p>'),
        "Jane Doe",
    ),
    "a child rel element": (_page("<span>Jane Doe<rel>me</rel></span>"), "Jane Doe me"),
    "too long a byline": (_page(f'<div class="author">{"Jane Doe " * 20}</div>'), None),
    "no byline": (_page(""), None),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_author_is_the_one_trafilatura_finds(name: str) -> None:
    html, expected = PAGES[name]
    ours, theirs = load_html(html), load_html(html)
    assert page_author(ours) == expected
    assert extract_author(theirs) == expected  # trafilatura's own search agrees
