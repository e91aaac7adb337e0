"""Language: declared unless the text says otherwise; detected when nothing is declared."""

from __future__ import annotations

from scraper.extract.extractor import extract_page
from scraper.extract.language import choose_language, detect
from tests.paths import FIXTURES

PAGES = FIXTURES / "pages"
ENGLISH = (
    "The council voted on Thursday to extend the night bus network to the northern "
    "suburbs, a change residents had requested for more than five years. "
) * 3


def test_undeclared_german_page_is_detected() -> None:
    got = extract_page(
        (PAGES / "stadtbote" / "radweg.html").read_bytes(),
        "https://www.stadtbote.example/lokales/radweg-kanal",
    )
    assert (got.language, got.language_source) == ("de", "detected")


def test_declared_english_template_over_spanish_text_is_overruled() -> None:
    got = extract_page(
        (PAGES / "diario" / "mercado.html").read_bytes(),
        "https://diariodelvalle.example/ciudad/mercado-central",
    )
    assert (got.language, got.language_source) == ("es", "detected")


def test_declaration_that_the_text_confirms_is_kept() -> None:
    got = extract_page(
        (PAGES / "courier" / "council-budget.html").read_bytes(),
        "https://www.riverside-courier.example/news/2024/03/04/council",
    )
    assert (got.language, got.language_source) == ("en", "declared")


def test_short_text_keeps_the_declaration_and_detects_nothing() -> None:
    assert detect("Kurzmeldung: Brücke gesperrt.") is None
    assert choose_language("de", "Short teaser.") == ("de", "declared")
    assert choose_language(None, "Short teaser.") == (None, None)


def test_norwegian_variants_agree_with_the_model() -> None:
    text = (
        "Regjeringen la tirsdag fram et forslag om å bygge ut jernbanen mellom byene, "
        "og samferdselsministeren sa at arbeidet kan starte allerede neste år. "
    ) * 3
    assert choose_language("nb", text) == ("nb", "declared")


def test_detection_of_undeclared_english() -> None:
    assert choose_language(None, ENGLISH) == ("en", "detected")


def test_a_model_that_cannot_load_leaves_the_page_extracted(monkeypatch) -> None:
    # py3langid unpacks its model through a temporary file: a full disk must cost the
    # detection, not the article (found by the disk-full crash test).
    from py3langid.langid import LanguageIdentifier

    from scraper.extract import language

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(27, "File too large")

    language._identifier.cache_clear()
    monkeypatch.setattr(LanguageIdentifier, "from_model_file", full_disk)
    try:
        got = extract_page(
            (PAGES / "stadtbote" / "radweg.html").read_bytes(),
            "https://www.stadtbote.example/lokales/radweg-kanal",
        )
        assert len(got.text) > 500 and got.language_source != "detected"
        assert [w for w in got.warnings if w.startswith("language_detection_off")]
    finally:
        language._identifier.cache_clear()


def test_a_model_that_cannot_load_leaves_the_declared_language(monkeypatch) -> None:
    from py3langid.langid import LanguageIdentifier

    from scraper.extract import language

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(27, "File too large")

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", refuse)
    language._identifier.cache_clear()
    try:
        assert detect(ENGLISH) is None
        assert choose_language("de", ENGLISH) == ("de", "declared")
    finally:
        language._identifier.cache_clear()
