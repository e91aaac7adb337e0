"""The day a page prints by its headline: read in several languages, labels kept."""

from __future__ import annotations

from datetime import date

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.showndates import ShownDate, shown_dates

SENTENCE = (
    "On March 9, 2021 the council met for the first time since the flood and agreed to "
    "rebuild the bridge before the winter."
)


def _shown(header: str, before: str = "", after: str = "") -> list[ShownDate]:
    html = (
        f"<html><body>{before}<article><h1>Bridge to reopen</h1>{header}"
        f"<p>{SENTENCE}</p>{after}</article></body></html>"
    )
    return shown_dates(LexborHTMLParser(html))


@pytest.mark.parametrize(
    ("printed", "day"),
    [
        ("March 3, 2024", date(2024, 3, 3)),
        ("Dec. 09, 2025", date(2025, 12, 9)),
        ("November 4th, 2025 • 5 min read", date(2025, 11, 4)),
        ("3. März 2024, 11.08 Uhr", date(2024, 3, 3)),
        ("Monday, 6 January 2020", date(2020, 1, 6)),
        ("3 de marzo de 2024", date(2024, 3, 3)),
        ("12 décembre 2023", date(2023, 12, 12)),
        ("2024-03-03", date(2024, 3, 3)),
        ("18.07.2024", date(2024, 7, 18)),
    ],
)
def test_printed_days_are_read(printed: str, day: date) -> None:
    assert _shown(f"<p class='meta'><span>{printed}</span></p>") == [ShownDate(day, False)]


def test_a_day_after_updated_is_a_revisions() -> None:
    got = _shown("<p>March 3, 2024. <i>Updated: March 7, 2024</i></p>")
    assert got == [ShownDate(date(2024, 3, 3), False), ShownDate(date(2024, 3, 7), True)]
    got = _shown("<div>Last updated:</div><div>Dec 12, 2025</div>")
    assert got == [ShownDate(date(2025, 12, 12), True)]
    assert _shown("<p>Aktualisiert am 17.01.2021</p>") == [ShownDate(date(2021, 1, 17), True)]


def test_sentences_and_far_teasers_are_not_read() -> None:
    teasers = "".join(f"<li><a>Story {n}</a> <span>May {n}, 2019</span></li>" for n in range(20))
    near = _shown("<p>By Jane Doe</p>", before=f"<ul>{teasers}</ul>")
    assert len(near) < 10  # only the last few teasers before the headline are in reach
    assert _shown("") == []  # the body's sentence names a day, but it is no date line
    # a word that is no month, and a day that does not exist
    assert _shown("<p>Room 3, 2024 floor</p><p>31.02.2024</p>") == []


def test_script_text_is_not_read() -> None:
    assert _shown('<script>var d = "March 3, 2024";</script>') == []
