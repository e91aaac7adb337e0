"""Metadata never below trafilatura's: its findings fill our empty fields; authors are people."""

from __future__ import annotations

from datetime import UTC, datetime

import htmldate
import pytest

import scraper.extract.dates
from scraper.extract.dates import Dates
from scraper.extract.extractor import extract_page
from scraper.extract.metadata import PageMeta
from scraper.extract.metafallback import TRAFILATURA, fill_from_trafilatura, people
from tests.paths import FIXTURES

PAGES = FIXTURES / "metafallback"


def test_authors_are_people_without_roles_handles_or_by() -> None:
    assert people(["By Jane Doe, Staff Writer"]) == ("Jane Doe",)
    assert people(["Genevieve Carlton, Ph.D."]) == ("Genevieve Carlton",)
    assert people(["jrobison"]) == ()
    assert people(["Art Edwards says"]) == () and people(["Follow"]) == ()
    assert people(["Marketing, Event Coordinator"]) == ()
    assert people(["Jane Doe and John Roe"]) == ("Jane Doe", "John Roe")


def test_a_team_byline_is_a_credit_but_a_job_title_alone_is_not() -> None:
    assert people(["Resy Staff"]) == ("Resy Staff",)
    assert people(["The Diggs Team"]) == ("The Diggs Team",)
    assert people(["By Community Editor"]) == ("Community Editor",)
    assert people(["Senior Editor"]) == ()
    assert people(["Staff Writer"]) == ()


def test_a_byline_loses_its_lead_in_date_and_job_title() -> None:
    assert people(["View all posts by Ana Lima"]) == ("Ana Lima",)
    assert people(["Zeige alle Beiträge von Petra Lang"]) == ("Petra Lang",)
    assert people(["Autor Monika Berger, Lena Roth"]) == ("Monika Berger", "Lena Roth")
    assert people(["Author Ana Lima"]) == ("Ana Lima",)
    assert people(["Ana Lima Last Updated August 1"]) == ("Ana Lima",)
    assert people(["Ana Lima • March 3, 2025"]) == ("Ana Lima",)
    assert people(["Ana Lima December"]) == ("Ana Lima",)
    assert people(["Supermove February 8"]) == ("Supermove",)
    assert people(["Staff • March 3"]) == ()
    assert people(["Ana Lima Senior Autos Reporter"]) == ("Ana Lima",)
    assert people(["Ana Lima Founder"]) == ("Ana Lima",)
    # a date or a label alone is no credit; a name that is also a month stays whole
    assert people(["Updated January"]) == ()
    assert people(["Written By"]) == ()
    assert people(["Theresa May"]) == ("Theresa May",)
    assert people(["Guardian staff reporter"]) == ("Guardian staff reporter",)


def test_a_byline_our_rules_miss_comes_from_trafilatura() -> None:
    # no JSON-LD, no author meta tag: only the byline in the article
    got = extract_page(
        (PAGES / "byline-only.html").read_bytes(),
        "https://gazette.example/news/ferry-timetable-changes",
    )
    assert got.authors == ("Jane Doe",)


def test_trafilatura_fills_a_missing_publication_date() -> None:
    html = (PAGES / "updated-only.html").read_text("utf-8")
    filled = fill_from_trafilatura(
        PageMeta(title="t", authors=("Jane Doe",)), html, "https://gazette.example/news/harbour"
    )
    assert filled.dates.published == datetime(2026, 3, 3, 12, tzinfo=UTC)
    assert filled.dates.published_source == TRAFILATURA


def test_the_updated_date_never_becomes_the_publication_date() -> None:
    html = (PAGES / "updated-only.html").read_text("utf-8")
    modified = datetime(2026, 3, 3, 9, tzinfo=UTC)
    meta = PageMeta(
        title="t", authors=("Jane Doe",), dates=Dates(modified=modified, modified_source="json-ld")
    )
    filled = fill_from_trafilatura(meta, html, "https://gazette.example/news/harbour")
    assert filled.dates.published is None
    assert filled.dates.modified == modified


def test_our_own_fields_are_kept_when_found() -> None:
    meta = PageMeta(
        title="Our title",
        authors=("Ann Lee",),
        dates=Dates(published=datetime(2026, 1, 1, tzinfo=UTC), published_source="json-ld"),
    )
    html = (PAGES / "updated-only.html").read_text("utf-8")
    assert fill_from_trafilatura(meta, html, "https://gazette.example/x") == meta


def test_the_date_is_searched_once_per_page(monkeypatch: pytest.MonkeyPatch) -> None:
    # no declared publication date and none in the URL: the date guess and the fallback
    # to trafilatura's fields both want htmldate's answer; a day its search found is
    # never searched for again
    calls = []

    def counting(*args: object, **kwargs: object) -> str | None:
        calls.append(kwargs)
        return "2026-03-02"

    monkeypatch.setattr(htmldate, "find_date", counting)
    monkeypatch.setattr(scraper.extract.dates, "find_date", counting)
    scraper.extract.dates._htmldate.cache_clear()  # earlier tests read this page too
    got = extract_page(
        (PAGES / "updated-only.html").read_bytes(), "https://gazette.example/news/harbour-wall"
    )
    assert len(calls) == 1
    assert got.published == datetime(2026, 3, 2, tzinfo=UTC)


_ORGANISATION_CREDIT = (
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
    '"Goats leave the island", "datePublished": "2024-03-01T10:00:00Z", "author": '
    '{"@type": "Organization", "name": "Island Weekly"}}</script>'
)


def _story(byline: str, head: str = "") -> bytes:
    """A short story with ``byline`` above its paragraphs; ``head`` goes in its <head>."""
    prose = "".join(
        f"<p>The island's goats were removed over two winters, step {i}, and the seabirds "
        "came back to nest on the cliffs within a year.</p>"
        for i in range(6)
    )
    return (
        f"<html><head><title>Goats leave the island</title>{head}</head><body><article>"
        f"<h1>Goats leave the island</h1>{byline}{prose}</article></body></html>"
    ).encode()


def _org_page(byline: str) -> bytes:
    return _story(byline, head=_ORGANISATION_CREDIT)


def test_a_printed_byline_beats_an_organisation_credited_in_json_ld() -> None:
    page = _org_page('<p class="byline">By <a href="/authors/mara-holt">Mara Holt</a></p>')
    got = extract_page(page, "https://islandweekly.example/news/goats-leave")
    assert got.authors == ("Mara Holt",)


def test_an_organisation_credit_stays_where_no_person_is_printed() -> None:
    got = extract_page(_org_page(""), "https://islandweekly.example/news/goats-leave")
    assert got.authors == ("Island Weekly",)


def test_trafilatura_searches_for_an_author_only_where_its_search_can_find_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import trafilatura.metadata

    calls: list[object] = []
    real = trafilatura.metadata.extract_author

    def counting(tree: object) -> str | None:
        calls.append(tree)
        return real(tree)

    monkeypatch.setattr(trafilatura.metadata, "extract_author", counting)
    url = "https://islandweekly.example/news/goats-leave"
    # a byline our rules do not read, in a box classed for its writer: trafilatura's finds it
    signed = extract_page(_story('<div class="writer">Mara Lind</div>'), url)
    assert signed.authors == ("Mara Lind",) and len(calls) == 1
    # no markup that names an author anywhere: its whole-tree search is not run
    unsigned = extract_page(_story("<p>Harbour office</p>"), url)
    assert unsigned.authors == () and len(calls) == 1
    # the words in the page's text and a script only, in no attribute its search reads: the
    # same (it looks at class, id, itemprop, rel and data attributes alone)
    worded = _story(
        '<p>Our writer asks: who is the author of the byline?</p><p data-x="1">x</p>',
        head='<script>var authorName = "";</script><meta name="author" content="">',
    )
    assert extract_page(worded, url).authors == () and len(calls) == 1


def _self_credited(byline: str) -> bytes:
    """A page whose JSON-LD credits a Person named as the site itself."""
    return _story(
        byline,
        head='<meta property="og:site_name" content="Island Weekly">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Goats", '
        '"author": {"@type": "Person", "name": "Island Weekly"}}</script>',
    )


def test_the_site_credited_as_its_own_author_yields_to_a_printed_person() -> None:
    url = "https://islandweekly.example/news/goats-leave"
    printed = extract_page(_self_credited("<p><em>Von Mara Holt</em></p>"), url)
    assert printed.authors == ("Mara Holt",)
    # trafilatura's search finds only the site's name again, spelt its way: ours stands
    again = extract_page(_self_credited('<div class="author">ISLAND WEEKLY</div>'), url)
    assert again.authors == ("Island Weekly",)


def test_newsroom_initials_with_a_dot_are_cut() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": '
        '[{"@type": "Person", "name": "Mara Holt"}, {"@type": "Person", "name": "Ida Berg (ib.)"}]}'
        "</script>"
    )
    got = extract_page(_story("", head=head), "https://islandweekly.example/news/goats-leave")
    assert got.authors == ("Mara Holt", "Ida Berg")
