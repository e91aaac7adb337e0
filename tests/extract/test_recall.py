"""Second pass on the page as fetched when the cleaned page gave trafilatura too little."""

from __future__ import annotations

import pytest

import scraper.extract.extractor as extractor
from scraper.extract.extractor import extract_page
from scraper.extract.preclean import PreCleaned

STEPS = [
    "Cut the fabric into a square a little larger than the table top, then fold it twice.",
    "Tie a string to a pencil and mark an arc from the folded corner outwards to the edge.",
    "Cut along the arc through all four layers, then unfold the circle and iron it flat.",
    "Hem the edge with a narrow double fold, pinning every few centimetres as you sew.",
    "Wash the cloth once before use so that the hem settles and the fabric stops shrinking.",
]
GUIDE = f"""<html><head><title>A round tablecloth in five steps</title></head><body>
<header><a href="/">Home</a> <a href="/diy">DIY</a></header>
<main><h1>A round tablecloth in five steps</h1>
{"".join(f"<p>{s} {s}</p>" for s in STEPS)}
</main><footer><a href="/imprint">Imprint</a></footer></body></html>"""

BRIEF = (
    "The bridge on the ring road reopens on Monday after four weeks of repairs to its "
    "expansion joints, the city's works department said on Friday afternoon."
)
SHORT_NEWS = f"""<html><head><title>Ring road bridge reopens</title></head><body>
<article><h1>Ring road bridge reopens</h1><p>{BRIEF}</p></article>
<aside class="rail"><h3>Elsewhere in the city</h3>
{
    "".join(
        f"<div><p>Harbour festival day {i}: music, food stalls and boat tours along the "
        f"quay for the whole family, with fireworks at ten.</p></div>"
        for i in range(12)
    )
}
</aside></body></html>"""


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URL of each trafilatura run the extractor makes, in order."""
    seen: list[str] = []
    real = extractor._trafilatura

    def counting(html: str, url: str) -> object:
        seen.append(url)
        return real(html, url)

    monkeypatch.setattr(extractor, "_trafilatura", counting)
    return seen


def test_a_cleaned_page_that_misleads_trafilatura_gets_the_whole_page_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # stand-in for a template where pre-cleaning leaves trafilatura one fragment
    fragment = PreCleaned(f"<html><body><article><p>{STEPS[0]}</p></article></body></html>")
    monkeypatch.setattr(extractor, "preclean", lambda *args, **kwargs: fragment)
    got = extract_page(GUIDE.encode(), "https://diy.example/round-tablecloth").text
    for step in STEPS:
        assert step in got


def test_a_short_article_keeps_its_text_and_gains_no_sidebar() -> None:
    got = extract_page(SHORT_NEWS.encode(), "https://city.example/bridge").text
    assert BRIEF in got
    assert "Harbour festival" not in got


def test_a_short_article_on_a_plain_page_is_read_once(runs: list[str]) -> None:
    # The page holds too little text for a second pass to gain twice as much: the common
    # short news item costs one trafilatura run, not two.
    page = SHORT_NEWS.replace(SHORT_NEWS[SHORT_NEWS.index("<aside") :], "</body></html>")
    got = extract_page(page.encode(), "https://city.example/bridge").text
    assert BRIEF in got
    assert len(runs) == 1
    runs.clear()
    extract_page(SHORT_NEWS.encode(), "https://city.example/bridge")  # a long sidebar: two
    assert len(runs) == 2


def test_a_short_article_that_is_much_of_its_page_is_read_once(runs: list[str]) -> None:
    # trafilatura kept over a fifth of the page's text: it found the article, and reading
    # the raw page again (the sidebar would pass the old size test) gains nothing
    body = "".join(f"<p>{BRIEF} {step}</p>" for step in STEPS[:4])
    rail = "".join(
        f"<div><p>Harbour festival day {i}: music and food stalls on the quay.</p></div>"
        for i in range(30)
    )
    page = f"<html><body><article>{body}</article><aside>{rail}</aside></body></html>"
    got = extract_page(page.encode(), "https://city.example/bridge").text
    assert all(step in got for step in STEPS[:4])
    assert "Harbour festival" not in got
    assert len(runs) == 1
