"""'No article' for pages that are not articles: listings and collections (hand-written pages)."""

from __future__ import annotations

from dataclasses import replace

from scraper.extract.extractor import extract_page
from scraper.extract.pagekind import NOT_AN_ARTICLE, PageSigns, is_not_article
from tests.paths import FIXTURES

PAGES = FIXTURES / "pagekind"


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_section_front_of_teasers_gives_no_article() -> None:
    got = extract_page(_page("section-front.html"), "https://gazette.example/news")
    assert got.text == ""
    assert NOT_AN_ARTICLE in got.warnings


def test_product_collection_gives_no_article() -> None:
    got = extract_page(
        _page("product-collection.html"), "https://shop.example/collections/walking-boots"
    )
    assert got.text == ""
    assert NOT_AN_ARTICLE in got.warnings


def test_article_with_a_box_of_teasers_keeps_its_text() -> None:
    url = "https://gazette.example/news/2026/03/01/council-votes-to-widen-the-harbour-wall"
    got = extract_page(_page("article-with-teasers.html"), url)
    assert "Work starts in May" in got.text
    assert NOT_AN_ARTICLE not in got.warnings


_LISTING = PageSigns(
    article_schema=False,
    listing_schema=True,
    og_type="website",
    url_depth=1,
    url_slug_words=1,
    url_listing_word=True,
    chars=3000,
    link_share=0.6,
    heading_links=20,
    prose_chars=0,
    prices=0,
    linked_images=20,
    articles=0,
    times=10,
    title_words=2,
)


def test_a_declared_article_type_always_keeps_the_page() -> None:
    assert is_not_article(_LISTING)
    assert not is_not_article(replace(_LISTING, article_schema=True))


def test_a_page_with_almost_no_visible_text_is_not_judged() -> None:
    # script-rendered pages ship the article as data: their empty DOM says nothing
    assert not is_not_article(replace(_LISTING, chars=50))
