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
    assert people(["Marketing, Event Coordinator"]) == ()
    assert people(["Jane Doe and John Roe"]) == ("Jane Doe", "John Roe")


def test_a_team_byline_is_a_credit_but_a_job_title_alone_is_not() -> None:
    assert people(["Resy Staff"]) == ("Resy Staff",)
    assert people(["The Diggs Team"]) == ("The Diggs Team",)
    assert people(["By Community Editor"]) == ("Community Editor",)
    assert people(["Senior Editor"]) == ()
    assert people(["Staff Writer"]) == ()


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
