"""Boxes set into the body, embedded posts, image boxes, headlines, soft hyphens, sign-offs."""

from __future__ import annotations

from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.boxes import inserted, picture_boxes, social_embeds
from scraper.extract.evaluate import body_score, normalise_space, snippet_score, tokens
from scraper.extract.extractor import extract_page
from scraper.extract.metadata import read_meta
from scraper.extract.postclean import postclean
from scraper.extract.preclean import preclean

PAGE = Path(__file__).parents[1] / "fixtures" / "pages" / "kingsgazette" / "opening-day.html"
URL = "https://www.kingsgazette.example/news/opening-day"
PARA = "This paragraph is part of the article and it is long enough to count as real prose."


def _text() -> str:
    return extract_page(PAGE.read_bytes(), URL).text


def test_a_large_fact_box_among_the_paragraphs_goes_and_the_story_stays() -> None:
    text = _text()
    assert "programme in full" not in text
    assert "My council will" not in text  # the transcript holds most of the page's prose
    assert text.startswith("The harbour council opened its new session")
    assert text.endswith("keep their speeches short.")
    assert text.count("\n\n") == 8  # nine paragraphs of the story, none lost


def test_a_box_wrapping_the_whole_body_is_not_an_insert() -> None:
    tree = LexborHTMLParser(
        f'<html><body><div class="main"><div class="infobox-wrapper"><p>{PARA}</p>'
        f"<p>{PARA} Two.</p><p>{PARA} Three.</p></div></div></body></html>"
    )
    box = tree.css_first("div.infobox-wrapper")
    assert box is not None and not inserted(box)
    assert preclean(tree).html.count(PARA) == 3


def test_embedded_social_posts_are_not_article_text() -> None:
    text = _text()
    assert "Packed gallery" not in text
    assert "@harbourwatch" not in text
    tree = LexborHTMLParser(
        '<html><body><blockquote class="instagram-media"><p>post</p></blockquote>'
        "<blockquote><p>An ordinary quotation stays.</p></blockquote></body></html>"
    )
    assert [n.attributes.get("class") for n in social_embeds(tree)] == ["instagram-media"]


def test_soft_hyphens_are_stripped_from_the_text() -> None:
    text = _text()
    assert "\u00ad" not in text
    assert "fishing cooperatives" in text


def test_wire_credits_end_the_text_as_a_sign_off() -> None:
    assert "Reporting by" not in _text()
    body = f"{PARA}\n{PARA} Two.\nReporting by Jo Lee in Oslo; Editing by Sam Hale"
    assert postclean(body) == f"{PARA}\n\n{PARA} Two."
    for tag in ("MDR (dst)", "Sendung: Antenne Nord, 24.04.2024, 15:10 Uhr"):
        assert postclean(f"{PARA}\n{tag}") == PARA
    # the same words inside the text are reporting, and a bracketed acronym is prose
    assert postclean(f"Reporting by the council was late.\n{PARA}").startswith("Reporting")
    assert postclean(f"{PARA}\nNATO (the alliance) met.") == f"{PARA}\n\nNATO (the alliance) met."


def test_every_declared_headline_leading_the_body_goes() -> None:
    meta = read_meta(LexborHTMLParser(PAGE.read_text("utf-8")))
    assert meta.title is not None
    assert "Opening day: Council sets out nineteen bills for the harbour" in (
        meta.title,
        *meta.headlines,
    )
    # an alternativeHeadline holding sentences is the standfirst, not a headline
    assert not any(h.startswith("The council set out") for h in meta.headlines)
    shown = "Opening day Council sets out nineteen bills for the harbour"
    text = postclean(
        f"{shown}\n{PARA}",
        "Harbour council opens its new session",
        ("Opening day: Council sets out nineteen bills for the harbour",),
    )
    assert text == PARA
    h1 = LexborHTMLParser(
        "<html><body><h1><span>Kicker</span><span>Main headline of the day"
        "</span></h1></body></html>"
    )
    assert "Kicker Main headline of the day" in read_meta(h1).headlines


def test_metric_compares_text_without_soft_hyphens() -> None:
    assert tokens("Brenn\u00adpunkt der Woche") == ["Brennpunkt", "der", "Woche"]
    assert normalise_space("Helikopter\u00adlandeplatz  neu") == "Helikopterlandeplatz neu"
    assert body_score("ein Brennpunkt der Woche", "ein Brenn\u00adpunkt der Woche").exact
    assert snippet_score("Über­le­bens-Frage", ["Über\u00adle\u00adbens"], []).tp == 1


TALBOTE = Path(__file__).parents[1] / "fixtures" / "pages" / "talbote" / "waldbad.html"


def _talbote() -> str:
    return extract_page(TALBOTE.read_bytes(), "https://www.talbote.example/lokales/waldbad").text


def test_image_boxes_among_the_paragraphs_lose_their_caption_and_profile() -> None:
    text = _talbote()
    assert "am ersten Badetag" not in text  # a caption in a plain <div>, not a <figure>
    assert "Bäderchefin" not in text and "Anna Beispiel" not in text  # a portrait's bio
    assert text.count("\n\n") == 6  # five paragraphs of the story and the list, none lost


def test_an_image_box_with_a_heading_is_content() -> None:
    text = _talbote()
    assert "Das ist neu\n\n- ein Sprungturm mit drei Ebenen" in text
    tree = LexborHTMLParser(
        f'<html><body><div><p>{PARA}</p><p>{PARA} Two.</p><div class="pic"><img src="a.jpg">'
        'A caption.</div><div class="pic"><img src="b.jpg"><p>Own text.</p></div>'
        "</div></body></html>"
    )
    assert [n.text() for n in picture_boxes(tree)] == ["A caption."]


def test_reader_prompts_and_disclosures_in_the_body_go() -> None:
    text = _talbote()
    for gone in (
        "Affiliate-Links",
        "ohne Gewähr",
        "interessieren",
        "eingeloggt",
        "Keine Kommentare",
    ):
        assert gone not in text, gone
    assert text.endswith("im August bekannt geben.")
