"""'No article' for pages that are not articles: listings and collections (hand-written pages)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from selectolax.lexbor import LexborHTMLParser

import scraper.extract.pagekind as pagekind
from scraper.extract.extractor import extract_page
from scraper.extract.kindsigns import article_marks, read_signs
from scraper.extract.metadata import jsonld_objects, meta_tags
from scraper.extract.pagekind import NOT_AN_ARTICLE, PageSigns, is_not_article, listing_score
from tests.paths import FIXTURES

PAGES = FIXTURES / "pagekind"


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("section-front.html", "https://gazette.example/news"),  # declares CollectionPage
        ("product-collection.html", "https://shop.example/collections/walking-boots"),
        # no schema at all: its cards, their thumbnails and a next page say what it is
        ("tag-page.html", "https://gazette.example/tag/harbour"),
        # calls itself an article (og:type) under a slug: its cards, filters and buttons
        ("recipe-category.html", "https://kitchen.example/recipes/quick-weeknight-dinners"),
    ],
)
def test_listings_and_collections_give_no_article(name: str, url: str) -> None:
    got = extract_page(_page(name), url)
    assert got.text == ""
    assert NOT_AN_ARTICLE in got.warnings


@pytest.mark.parametrize(
    ("name", "url", "phrase"),
    [
        (
            "article-with-teasers.html",
            "https://gazette.example/news/2026/03/01/council-votes-to-widen-the-harbour-wall",
            "Work starts in May",
        ),
        (  # eight teaser cards after the story
            "article-with-related-grid.html",
            "https://gazette.example/news/2026/03/01/harbour-board-votes-to-rebuild-the-north-pier",
            "the motion passed by seven votes to two",
        ),
        (  # many short sections, each with a price and a shop link
            "best-boots-guide.html",
            "https://outdoor.example/gear/best-walking-boots-2026",
            "a leather boot built to be resoled",
        ),
        (  # short timed entries, each in a block of its own, no schema
            "live-regatta.html",
            "https://gazette.example/sport/harbour-regatta-live",
            "for the first time in eleven years",
        ),
        (  # three paragraphs above a dozen teasers, og:type website, a two-word slug: its
            # one byline is what says it is a story
            "short-story-with-byline.html",
            "https://quay.example/journal/harbour-wall",
            "the wall will rise by a metre",
        ),
    ],
)
def test_articles_that_look_a_bit_like_listings_keep_their_text(
    name: str, url: str, phrase: str
) -> None:
    got = extract_page(_page(name), url)
    assert phrase in got.text
    assert NOT_AN_ARTICLE not in got.warnings


def _signs(
    html: str, url: str = "https://site.example/section/some-story-about-things"
) -> PageSigns:
    tree = LexborHTMLParser(html)
    return read_signs(tree, jsonld_objects(tree), meta_tags(tree), url, "A title")


_PROSE = "The board met on Monday and agreed the plan after a long debate about its cost. " * 3
_ARTICLE_BODY = f"<main><h1>A story</h1><div>{f'<p>{_PROSE}</p>' * 6}</div></main>"
_CARDS = "".join(
    f'<div class="card"><a href="/s/{i}"><img src="/{i}.jpg"></a>'
    f'<h3><a href="/s/{i}">Story number {i} about the harbour works</a></h3>'
    f"<p>The harbour works reach another stage this week, says the board.</p></div>"
    for i in range(10)
)
_LISTING_BODY = f"<main><h1>News</h1><div>{_CARDS}</div></main>"


def test_running_prose_is_one_run_and_teaser_summaries_are_not() -> None:
    article, listing = _signs(_ARTICLE_BODY), _signs(_LISTING_BODY)
    assert article.prose_run >= 6 * len(_PROSE.strip()) and article.prose_chars > 0
    assert listing.prose_run < 100


def test_entries_that_link_nowhere_add_up_to_one_run() -> None:
    entries = "".join(
        f'<div class="entry"><time>10:{i}0</time><p>{_PROSE}</p></div>' for i in range(5)
    )
    assert _signs(f"<main>{entries}</main>").prose_run >= 5 * len(_PROSE.strip())


def test_the_main_block_of_a_listing_divides_into_cards_that_link_out() -> None:
    listing, article = _signs(_LISTING_BODY), _signs(_ARTICLE_BODY)
    assert listing.main_card_share == 1.0 and listing.main_link_share > 0.3
    assert article.main_card_share == 0.0 and article.main_link_share == 0.0
    assert listing.linked_images == 10 and listing.heading_links == listing.headings == 10


@pytest.mark.parametrize(
    ("url", "slug_words", "listing_word", "day"),
    [
        ("https://site.example/news/2026/03/01/harbour-wall-to-be-widened", 5, False, True),
        ("https://site.example/2026/03/", 1, False, False),  # a month's archive
        ("https://site.example/tag/harbour", 1, False, False),
        ("https://site.example/news", 1, True, False),
        ("https://site.example/blog/page/3", 1, True, False),
        ("https://site.example/", 0, True, False),
    ],
)
def test_the_url_shape(url: str, slug_words: int, listing_word: bool, day: bool) -> None:
    signs = _signs("<p>x</p>", url)
    assert (signs.url_slug_words, signs.url_listing_word, signs.url_day) == (
        slug_words,
        listing_word,
        day,
    )


def test_head_signs_schema_og_type_date_and_next_page() -> None:
    head = (
        '<head><meta property="og:type" content="Website">'
        '<meta property="article:published_time" content="2026-03-01">'
        '<link rel="next" href="/news/page/2">'
        '<script type="application/ld+json">{"@type": ["CollectionPage"]}</script></head>'
    )
    signs = _signs(f"<html>{head}<body><p>x</p></body></html>")
    assert signs.listing_schema and not signs.article_schema
    assert (signs.og_type, signs.dated, signs.paginated) == ("website", True, True)
    assert not _signs("<p>x</p>").dated and not _signs("<p>x</p>").paginated


def test_shop_signs_prices_product_cards_and_buttons() -> None:
    cards = "".join(
        f'<div class="product-card"><a href="/p/{i}"><img src="/{i}.jpg">Boot {i}</a>'
        f"<span>$1{i}9</span><button>Add to cart</button></div>"
        for i in range(6)
    )
    signs = _signs(f"<main>{cards}</main>")
    assert (signs.prices, signs.product_marks, signs.buttons) == (6, 6, 6)


def test_script_and_style_text_is_not_counted_and_the_tree_is_left_as_it_is() -> None:
    html = f"<body><script>{'var x = 1;' * 500}</script><style>p {{}}</style><p>{_PROSE}</p></body>"
    tree = LexborHTMLParser(html)
    before = tree.html
    signs = read_signs(tree, [], {}, "https://site.example/a-b-c", None)
    assert signs.chars == len(_PROSE.strip())
    assert tree.html == before  # the extractor goes on with this tree


_LISTING = PageSigns(
    article_schema=False,
    listing_schema=True,
    og_type="website",
    url_slug_words=1,
    url_listing_word=True,
    url_day=False,
    dated=False,
    paginated=True,
    title_words=2,
    chars=3000,
    link_share=0.6,
    heading_links=20,
    headings=20,
    prose_chars=0,
    prose_run=0,
    prices=0,
    linked_images=20,
    times=10,
    product_marks=0,
    buttons=5,
    main_card_share=1.0,
    main_link_share=0.6,
    bylines=0,
)
_ARTICLE = replace(
    _LISTING,
    listing_schema=False,
    og_type="article",
    url_slug_words=6,
    url_listing_word=False,
    url_day=True,
    dated=True,
    paginated=False,
    title_words=10,
    link_share=0.1,
    heading_links=0,
    headings=5,
    prose_chars=2800,
    prose_run=2800,
    linked_images=0,
    times=1,
    buttons=0,
    main_card_share=0.0,
    main_link_share=0.0,
)


@pytest.mark.parametrize(
    "field",
    [
        "listing_schema",
        "url_slug_words",
        "url_listing_word",
        "url_day",
        "dated",
        "paginated",
        "title_words",
        "link_share",
        "heading_links",
        "prose_chars",
        "prose_run",
        "linked_images",
        "times",
        "buttons",
        "main_card_share",
        "main_link_share",
    ],
)
def test_each_sign_leans_the_way_it_should(field: str) -> None:
    # an article with one sign of a listing scores closer to a listing than it did
    one_sign = replace(_ARTICLE, **{field: getattr(_LISTING, field)})
    assert listing_score(one_sign) > listing_score(_ARTICLE)


def test_the_og_type_and_shop_signs_lean_towards_a_collection() -> None:
    for shop in (
        {"og_type": "product.group"},
        {"og_type": "website"},
        {"prices": 30},
        {"product_marks": 30},
    ):
        assert listing_score(replace(_ARTICLE, **shop)) > listing_score(_ARTICLE)


def test_the_two_ends_are_told_apart() -> None:
    assert is_not_article(_LISTING)
    assert not is_not_article(_ARTICLE)


def test_a_declared_article_type_always_keeps_the_page() -> None:
    assert not is_not_article(replace(_LISTING, article_schema=True))


def test_a_page_with_almost_no_visible_text_is_not_judged() -> None:
    # script-rendered pages ship the article as data: their empty DOM says nothing
    assert not is_not_article(replace(_LISTING, chars=50))


def test_a_headline_slug_or_one_byline_keeps_the_page() -> None:
    assert not is_not_article(replace(_LISTING, url_slug_words=5))
    assert not is_not_article(replace(_LISTING, bylines=1))
    assert not is_not_article(replace(_LISTING, bylines=2))


def test_a_byline_on_every_card_is_still_a_listing() -> None:
    cards = _CARDS.replace("<p>", '<p class="byline">By A. Writer</p><p>')
    signs = _signs(f"<main><h1>News</h1><div>{cards}</div></main>", "https://site.example/news")
    assert signs.bylines == 10
    assert is_not_article(replace(_LISTING, bylines=signs.bylines))


@pytest.mark.parametrize(
    ("head", "url", "byline"),
    [
        ('<script type="application/ld+json">{"@type": "NewsArticle"}</script>', "/news", ""),
        ("", "/news/council-agrees-the-harbour-plan-at-last", ""),
        ("", "/news", '<p class="byline">By Jane Doe</p>'),
    ],
)
def test_a_page_marked_as_an_article_is_kept_without_reading_its_body(
    monkeypatch: pytest.MonkeyPatch, head: str, url: str, byline: str
) -> None:
    # the teaser cards would make it a listing; the mark alone keeps it, and the costlier
    # body signs (prose runs, the main block) are never read
    html = f"<html><head>{head}</head><body>{byline}{_LISTING_BODY}</body></html>"
    unmarked = f"<html><head></head><body>{_LISTING_BODY}</body></html>"
    assert NOT_AN_ARTICLE in extract_page(unmarked.encode(), "https://site.example/news").warnings
    url = f"https://site.example{url}"
    tree = LexborHTMLParser(html)
    assert article_marks(tree, jsonld_objects(tree), url) == (
        (lambda s: (s.article_schema, s.url_slug_words, s.bylines))(_signs(html, url))
    )
    monkeypatch.setattr(pagekind, "read_signs", lambda *a: pytest.fail("body signs read"))
    got = extract_page(html.encode(), url)
    assert NOT_AN_ARTICLE not in got.warnings
