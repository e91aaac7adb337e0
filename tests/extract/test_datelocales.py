"""Dates in words are read in the page's own language (and English), not in all 200 locales."""

from __future__ import annotations

import htmldate.extractors as extractors
import pytest

from scraper.extract.datelocales import held_to, page_languages
from scraper.extract.dates import htmldate_day


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("de-AT", ("de", "en")),
        ("pt_BR", ("pt", "en")),
        ("EN", ("en",)),
        (None, None),
        ("", None),
        ("x-klingon-1", None),
    ],
)
def test_page_languages(declared: str | None, expected: tuple[str, ...] | None) -> None:
    assert page_languages(declared) == expected


def test_held_to_the_page_languages_then_put_back() -> None:
    original = extractors.get_external_parser
    with held_to(("fr", "en")):
        assert extractors.get_external_parser().locales == ["fr", "en"]
    assert extractors.get_external_parser is original
    with held_to(None):  # a page that declares no language: the full search
        assert extractors.get_external_parser is original
    with held_to(("zz",)):  # a code dateparser does not know: the full search too
        assert extractors.get_external_parser is original


def _page(lang: str, stamp: str) -> str:
    body = "<p>" + "Ein Absatz mit Text über den Hafen und das Wetter. " * 20 + "</p>"
    return (
        f'<html lang="{lang}"><head><title>Hafen</title></head><body><article>'
        f"<p class='stamp'>{stamp}</p>{body}</article></body></html>"
    )


def test_a_date_in_the_pages_own_words_is_still_found() -> None:
    html = _page("de", "Veröffentlicht am Dienstag, 5. März 2024, 14:30 Uhr")
    assert htmldate_day(html, None, "de") == "2024-03-05"
