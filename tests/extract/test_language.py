"""Language: declared unless the text says otherwise; detected when nothing is declared."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_a_model_that_cannot_load_leaves_the_page_extracted(monkeypatch, tmp_path) -> None:
    # py3langid unpacks its model through a temporary file: a full disk must cost the
    # detection, not the article (found by the disk-full crash test).
    from py3langid.langid import LanguageIdentifier

    from scraper.extract import language

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(27, "File too large")

    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path))  # no unpacked copy to fall back on
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


def test_a_model_that_cannot_load_leaves_the_declared_language(monkeypatch, tmp_path) -> None:
    from py3langid.langid import LanguageIdentifier

    from scraper.extract import language

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(27, "File too large")

    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(LanguageIdentifier, "from_model_file", refuse)
    language._identifier.cache_clear()
    try:
        assert detect(ENGLISH) is None
        assert choose_language("de", ENGLISH) == ("de", "declared")
    finally:
        language._identifier.cache_clear()


SAMPLES = [
    ENGLISH,
    "Der Stadtrat hat am Donnerstag beschlossen, das Netz der Nachtbusse bis in die nördlichen "
    "Vororte zu verlängern, eine Änderung, die sich die Anwohner seit Jahren gewünscht hatten. "
    * 2,
    "El ayuntamiento aprobó el jueves ampliar la red de autobuses nocturnos. " * 4,
]


@pytest.fixture
def fresh_model(monkeypatch, tmp_path):
    """The module's model forgotten, its cache folder empty; yields that folder."""
    from scraper.extract import language

    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path))
    language._identifier.cache_clear()
    yield tmp_path
    language._identifier.cache_clear()


def _must_not_unpack(*args: object, **kwargs: object) -> None:
    raise AssertionError("unpacked the packaged model although a cached copy exists")


def _ranks() -> list[object]:
    from scraper.extract.language import _identifier

    model = _identifier()
    assert model is not None
    return [model.rank(text) for text in SAMPLES]


def test_the_unpacked_model_is_kept_and_read_back_the_same(fresh_model, monkeypatch) -> None:
    from py3langid.langid import LanguageIdentifier

    from scraper.extract import language

    unpacked = _ranks()  # from the package's compressed file; leaves the cache behind
    assert [p.name for p in fresh_model.iterdir() if p.name.startswith("langid-")]
    language._identifier.cache_clear()

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", _must_not_unpack)
    assert _ranks() == unpacked
    assert [detect(text) for text in SAMPLES] == ["en", "de", "es"]


def test_a_damaged_cache_is_passed_over_and_mended(fresh_model, monkeypatch) -> None:
    from py3langid.langid import LanguageIdentifier

    from scraper.extract import language

    _ranks()
    (kept,) = [p for p in fresh_model.iterdir() if p.name.startswith("langid-")]
    (kept / "nextmove.npy").write_bytes(b"\x93NUMPY truncated")
    language._identifier.cache_clear()
    assert [detect(text) for text in SAMPLES] == ["en", "de", "es"]
    # and it was written anew: the next process reads it rather than unpacking again
    language._identifier.cache_clear()

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", _must_not_unpack)
    assert [detect(text) for text in SAMPLES] == ["en", "de", "es"]


def test_a_cache_folder_that_cannot_be_made_costs_nothing(monkeypatch, tmp_path: Path) -> None:
    from scraper.extract import language

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(blocker / "scraper"))
    language._identifier.cache_clear()
    try:
        assert [detect(text) for text in SAMPLES] == ["en", "de", "es"]
        assert blocker.read_text() == "a file where the cache folder would go"
    finally:
        language._identifier.cache_clear()


def test_the_widened_model_scores_as_the_packaged_one(fresh_model) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    packaged = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    assert _ranks() == [packaged.rank(text) for text in SAMPLES]  # unpacked here
    from scraper.extract import language

    language._identifier.cache_clear()
    assert _ranks() == [packaged.rank(text) for text in SAMPLES]  # read from the cache
