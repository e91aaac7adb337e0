"""Golden tests: the seed publishers' pages extract to their clean text, boilerplate-free."""

from __future__ import annotations

import json

import pytest

from scraper.extract.evaluate import body_score
from tests.regen_golden import CASES, SEEDS, Case, golden_path, run_case


@pytest.mark.parametrize("case", CASES, ids=[c.page for c in CASES])
def test_page_matches_golden_and_seed_text(case: Case) -> None:
    got = run_case(case)
    expected = json.loads(golden_path(case).read_text("utf-8"))
    assert got == expected, "output changed: review, then run python -m tests.regen_golden"
    text = str(got["text"])
    clean = (SEEDS / case.clean_text).read_text("utf-8")
    score = body_score(text, clean)
    assert score.precision is not None and score.precision >= 0.99
    assert score.recall >= 0.99
    for line in case.boilerplate:
        assert line not in text, line
    assert "\ufffd" not in text


@pytest.mark.parametrize("case", CASES, ids=[c.page for c in CASES])
def test_paragraphs_are_the_seed_texts_paragraphs(case: Case) -> None:
    """Stored text holds one paragraph per block, blocks separated by a blank line."""
    text = str(run_case(case)["text"])
    clean = (SEEDS / case.clean_text).read_text("utf-8")
    want = [" ".join(p.split()) for p in clean.split("\n\n") if p.strip()]
    got = text.split("\n\n")
    assert "\n\n\n" not in text and text == text.strip()
    assert [" ".join(p.split()) for p in got] == want
    assert all("\n" not in p for p in got)  # no paragraph broken over lines


def test_curly_quotes_survive_every_page() -> None:
    for case in CASES:
        clean = (SEEDS / case.clean_text).read_text("utf-8")
        text = str(run_case(case)["text"])
        for mark in "’“”":
            assert text.count(mark) == clean.count(mark), (case.page, mark)


def test_metadata_of_seed_pages() -> None:
    by_page = {c.page: run_case(c) for c in CASES}
    tech = by_page["techtimes/little-giants.html"]
    assert tech["authors"] == ["Urian B."]
    assert tech["published"] == "2022-03-08T02:10:00-05:00"  # not dateModified
    assert tech["title"] == (
        "China's 'Little Giants' Initiative: How the CCP Is Betting on Small Tech Startups"
    )
    blog = by_page["blog/little-giants-cp1252.html"]
    assert blog["authors"] == ["Sam Carter"]  # "By" dropped
    assert blog["language"] == "en"
    assert blog == by_page["blog/little-giants.html"]
