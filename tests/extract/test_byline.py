"""The byline printed on the page: the author of pages that declare none in their markup."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.byline import page_byline
from scraper.extract.extractor import extract_page

_PROSE = " ".join(
    f"<p>The harbour board met on Tuesday to settle the winter ferry timetable, item {i}, "
    "after a season of cancelled crossings and long queues at the slipway.</p>"
    for i in range(8)
)


def _page(header: str, after: str = "") -> bytes:
    return (
        "<html><head><title>Winter ferry timetable settled</title></head><body>"
        f"<article><h1>Winter ferry timetable settled</h1>{header}{_PROSE}</article>"
        f"{after}</body></html>"
    ).encode()


def test_an_author_page_link_is_the_byline() -> None:
    page = _page('<div class="meta"><a href="/authors/ana-lima/">Ana Lima</a></div>')
    got = extract_page(page, "https://harbour.example/news/winter-ferry-timetable-settled")
    assert got.authors == ("Ana Lima",)


def test_a_written_by_label_names_the_next_element() -> None:
    page = _page('<div><p class="label">Written by</p><p class="name">Tomás Ruiz</p></div>')
    got = extract_page(page, "https://harbour.example/news/winter-ferry-timetable-settled")
    assert got.authors == ("Tomás Ruiz",)
    inline = _page("<p>Written by Tomás Ruiz</p>")
    assert page_byline(LexborHTMLParser(inline.decode())) == ("Tomás Ruiz",)


def test_cards_of_other_articles_are_not_a_byline() -> None:
    cards = "".join(
        f'<div class="card"><a href="/author/{slug}">{name}</a></div>'
        for slug, name in [
            ("ana-lima", "Ana Lima"),
            ("tomas-ruiz", "Tomás Ruiz"),
            ("jo-park", "Jo Park"),
            ("lee-chan", "Lee Chan"),
        ]
    )
    tree = LexborHTMLParser(_page("", f"<section>{cards}</section>").decode())
    assert page_byline(tree) == ()


def test_a_link_that_does_not_spell_the_author_page_or_names_furniture_is_not_one() -> None:
    elsewhere = _page('<a href="/authors/ana-lima/">Harbour Board</a>')
    assert page_byline(LexborHTMLParser(elsewhere.decode())) == ()
    furniture = _page("<div><span>By</span><span>Recent Posts</span></div>")
    assert page_byline(LexborHTMLParser(furniture.decode())) == ()
    in_footer = _page("", '<footer><a href="/author/ana-lima">Ana Lima</a></footer>')
    assert page_byline(LexborHTMLParser(in_footer.decode())) == ()


def _byline(header: str) -> tuple[str, ...]:
    return page_byline(LexborHTMLParser(_page(header).decode()))


def test_a_by_line_with_a_date_or_a_role_after_the_name() -> None:
    assert _byline("<p>by: Ines Kovač, Dec 17, 2025</p>") == ("Ines Kovač",)
    assert _byline('<div>By <a href="/staff/ana-lima">Ana Lima</a> · Review Editor</div>') == (
        "Ana Lima",
    )
    assert _byline('<h2>By <a href="/p/7">Ana Lima</a>.</h2>') == ("Ana Lima",)


def test_a_heading_or_contributors_label_names_what_follows() -> None:
    assert _byline("<h3>Author</h3><p>Lisa D. Ellis</p>") == ("Lisa D. Ellis",)
    assert _byline("<h2>Article by</h2><div>Matias Heikkilä</div>") == ("Matias Heikkilä",)
    assert _byline("<div><strong>Contributors:</strong> Janet Lowry</div>") == ("Janet Lowry",)


def test_a_by_phrase_that_is_no_name_is_not_a_byline() -> None:
    assert _byline("<p>By continuing you agree to our terms</p>") == ()
    assert _byline("<h3>About the author</h3><p>Lisa Ellis writes about boats.</p>") == ()


def test_a_byline_labelled_in_the_article_language_is_read() -> None:
    for header in (
        "<p><em>Von Jana Beispiel</em></p>",
        "<p><i>von Jana Beispiel</i></p>",
        '<div class="meta">Ein Artikel von <strong>Jana Beispiel</strong> | 27.01.2022</div>',
        "<p><strong>Text:</strong> Jana Beispiel</p>",
        "<p><b>Von:</b><br> <br> Jana Beispiel</p>",
        "<p>Par <a href='/node/jana'>Jana Beispiel</a></p>",
    ):
        tree = LexborHTMLParser(_page(header).decode())
        assert page_byline(tree) == ("Jana Beispiel",), header
    # "Text" without its colon opens a sentence, not a byline; nor does a label's letters
    # opening a longer word ("DIRIGIDO A", "PORADY KULINARNE", "Bygone Days")
    for text in ("Text Messages Sent", "DIRIGIDO A NADIE", "PORADY KULINARNE", "Bygone Days"):
        assert page_byline(LexborHTMLParser(_page(f"<p>{text}</p>").decode())) == (), text


def test_a_rel_author_link_counts_though_its_path_is_a_nickname() -> None:
    link = '<span class="by">von <a href="/author/jb77/" rel="author">Jana Beispiel</a></span>'
    assert page_byline(LexborHTMLParser(_page(link).decode())) == ("Jana Beispiel",)
    german_path = '<p><a href="/profil/207/Jana_Beispiel">Jana Beispiel</a></p>'
    assert page_byline(LexborHTMLParser(_page(german_path).decode())) == ("Jana Beispiel",)
