"""Continuation links of a multi-page article: followed only within the article's pages."""

from __future__ import annotations

import re

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.extractor import extract_page
from scraper.extract.pagination import MAX_PAGES, PageOf, marked_page, page_links, page_of

BASE = "https://news.example/2024/05/council-votes.html"


def _links(body: str, url: str = BASE, *patterns: str) -> tuple[str | None, str | None]:
    tree = LexborHTMLParser(f"<html><head></head><body>{body}</body></html>")
    return page_links(tree, url, tuple(re.compile(p) for p in patterns))


@pytest.mark.parametrize(("url", "number"), [
    (BASE, 1),
    (BASE + "?page=3", 3),
    ("https://news.example/2024/05/council-votes-2.html", 2),
    ("https://news.example/story/council-votes/2/", 2),
    ("https://news.example/blog/page/4/", 1),  # an archive listing's page, not a post's
])  # fmt: skip
def test_page_numbers_in_query_path_and_file_name(url: str, number: int) -> None:
    assert page_of(url).number == number


def test_pages_of_one_article_share_their_base_and_others_do_not() -> None:
    assert page_of(BASE + "?page=2").base == page_of(BASE).base
    assert page_of("https://news.example/2024/05/council-votes-2.html").base == page_of(BASE).base
    assert page_of("https://news.example/2024/05/other.html?page=2").base != page_of(BASE).base


def test_rel_next_and_the_numbered_pagination_lead_to_page_two() -> None:
    assert _links('<link rel="next" href="?page=2">', BASE) == (BASE + "?page=2", None)
    nav = '<nav><a href="council-votes.html">1</a> <a href="council-votes.html?page=2">2</a></nav>'
    assert _links(nav) == (BASE + "?page=2", None)


def test_a_next_link_to_another_story_or_host_is_not_a_continuation() -> None:
    other = '<link rel="next" href="/2024/05/budget-passes.html">'
    assert _links(other) == (None, None)
    elsewhere = (
        '<a rel="next" href="https://mirror.example/2024/05/council-votes.html?page=2">2</a>'
    )
    assert _links(elsewhere) == (None, None)


def test_comment_and_listing_pagination_is_not_a_continuation() -> None:
    assert _links('<a rel="nofollow" href="?page=2">2</a>') == (None, None)
    many = "".join(f'<a href="?page={n}">{n}</a>' for n in (2, 3, MAX_PAGES + 2))
    assert _links(many) == (None, None)


def test_a_later_page_names_the_first_page_it_links() -> None:
    nav = (
        '<a rel="prev" href="council-votes.html?page=2">back</a>'
        '<a href="council-votes.html">1</a><a href="?page=4">4</a>'
    )
    assert _links(nav, BASE + "?page=3") == (BASE + "?page=4", BASE)


def test_a_later_page_without_links_back_names_no_first_page() -> None:
    assert _links("<p>the end of the story</p>", BASE + "?page=3") == (None, None)


def test_the_chain_stops_at_the_cap() -> None:
    url = f"{BASE}?page={MAX_PAGES}"
    assert _links(f'<link rel="next" href="?page={MAX_PAGES + 1}">', url) == (None, None)


def test_a_seed_pattern_reads_the_publishers_own_numbering() -> None:
    url = "https://news.example/2024/05/council-votes/seite-2"
    nav = '<a href="/2024/05/council-votes/seite-3">weiter</a>'
    assert _links(nav, url) == (None, None)  # no general rule knows "seite-N"
    assert _links(nav, url, r"/seite-(\d+)$") == ("https://news.example/2024/05/council-votes/seite-3",
                                                 None)  # fmt: skip


def test_extraction_reports_the_links_from_the_page_before_cleaning() -> None:
    para = "<p>" + "The council met late into the night to settle the matter. " * 6 + "</p>"
    html = (
        f"<html><head><title>Council</title></head><body><article>{para * 3}"
        '<nav class="pagination"><a href="?page=2" rel="next">Next page</a></nav>'
        "</article></body></html>"
    )
    ext = extract_page(html.encode(), BASE)
    assert (ext.next_page, ext.first_page) == (BASE + "?page=2", None)
    assert "Next page" not in ext.text


def test_only_an_unambiguous_marker_makes_a_later_page_from_its_url_alone() -> None:
    # Admission leaves a later page to its first page's job by the URL alone: a page query
    # parameter or the seed's pattern says so; a number ending a slug may be its own story.
    assert marked_page("https://n.example/a/story.html?page=2") == PageOf(
        "n.example/a/story.html", 2
    )
    assert marked_page("https://n.example/a/results-2.html") is None
    assert marked_page("https://n.example/a/story/2/") is None
    seed_pattern = (re.compile(r"/seite-(\d+)$"),)
    assert marked_page("https://n.example/a/story/seite-3", seed_pattern) == PageOf(
        "n.example/a/story", 3
    )
