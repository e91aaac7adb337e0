"""The dates a page prints by its headline, each with the label before it.

A reader dates an article by the day printed under its headline, not by its JSON-LD. Many
publishers declare a first publication (``datePublished``) but print only the day of the
last revision, with no label: that printed day is the one the publisher presents as the
article's date. A day printed after "Updated" (or its translations) is a revision's, and
stays the modified date. Only short pieces of text near the ``<h1>`` are read (a date line,
a byline), never the body's sentences, and only days written out in full: "March 3, 2024",
"3. März 2024", "3 de marzo de 2024", "2024-03-03", "03.03.2024".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

# month names (and their short forms, as prefixes) in the languages of most sets' pages
_MONTH_NAMES = {
    1: "january janvier januar jänner enero gennaio januari janeiro",
    2: "february février fevrier februar febrero febbraio februari fevereiro",
    3: "march mars märz maerz marzo maart março",
    4: "april avril abril aprile",
    5: "may mai mayo maggio mei maio",
    6: "june juin juni junio giugno junho",
    7: "july juillet juli julio luglio julho",
    8: "august août aout agosto augustus",
    9: "september septembre septiembre settembre setembro",
    10: "october octobre oktober octubre ottobre oktober outubro",
    11: "november novembre noviembre novembre novembro",
    12: "december décembre decembre dezember diciembre dicembre dezembro",
}
_SHORT = 3  # "Dec", "Okt", "Sept.": a prefix of at least three letters names the month
_WORD = r"[^\W\d_]{3,10}"
_YEAR = r"(?P<y>(?:19|20)\d\d)"
_DAY = r"(?P<d>[0-3]?\d)"
_PATTERNS = (
    # "March 3, 2024", "Dec. 09, 2025", "March 3rd 2024"
    re.compile(rf"\b(?P<mon>{_WORD})\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}\b"),
    # "3 March 2024", "3. März 2024", "3 de marzo de 2024"
    re.compile(rf"\b{_DAY}\.?\s+(?:de\s+)?(?P<mon>{_WORD})\.?,?\s+(?:de\s+)?{_YEAR}\b"),
    re.compile(rf"\b{_YEAR}-(?P<m>[01]\d)-{_DAY}\b"),
    re.compile(rf"\b{_DAY}\.(?P<m>[01]?\d)\.{_YEAR}\b"),
)
# "Updated", "Last updated", "Aktualisiert", "Mis à jour", "Actualizado", "Aggiornato"…:
# the words of a revision's label, here and in scraper.extract.dates' "Updated …" lines
UPDATE_WORDS = (
    r"updat|modif|aktualisiert|geändert|mis à jour|actualiz|aggiornat|bijgewerkt|oppdatert|"
    r"uppdaterad|opdateret|zaktualizowano"
)
_UPDATE_LABEL = re.compile(rf"{UPDATE_WORDS}|revis", re.I)  # "Revised March 3" too
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_MAX_TEXT = 90  # a date line or a byline; a sentence of the body is longer
_BEFORE_H1, _AFTER_H1 = 10, 30  # text pieces read around the headline
_NO_H1 = 60  # without a headline: the first pieces of the page
_MAX_PIECES = 1500  # bounds the walk on huge pages


@dataclass(frozen=True)
class ShownDate:
    """A day printed near the headline and whether a revision label precedes it."""

    day: date
    updated: bool


def shown_dates(tree: LexborHTMLParser) -> list[ShownDate]:
    """The days printed in short pieces of text around the headline, in page order."""
    pieces = _pieces_near_headline(tree)
    out: list[ShownDate] = []
    previous = ""
    for text in pieces:
        if len(text) <= _MAX_TEXT:
            for day, start in _days(text):
                label = text[:start] or previous
                updated = bool(_UPDATE_LABEL.search(label[-40:]))
                out.append(ShownDate(day, updated))
        previous = text
    return out


def _pieces_near_headline(tree: LexborHTMLParser) -> list[str]:
    """The visible text pieces near the (first) ``<h1>`` (the first ones if it has none)."""
    body = tree.body
    if body is None:
        return []
    pieces: list[str] = []
    headline_at: int | None = None
    for node in body.traverse(include_text=True):
        if node.tag == "h1" and headline_at is None:
            headline_at = len(pieces)
        elif node.tag == "-text":
            raw = node.text_content
            if raw and not raw.isspace() and not _hidden(node):
                pieces.append(raw)  # its spaces are tidied only if it is read (most are not)
        if len(pieces) >= _MAX_PIECES or (
            headline_at is not None and len(pieces) > headline_at + _AFTER_H1
        ):
            break
    if headline_at is None:
        return [" ".join(raw.split()) for raw in pieces[:_NO_H1]]
    window = pieces[max(0, headline_at - _BEFORE_H1) : headline_at + _AFTER_H1]
    return [" ".join(raw.split()) for raw in window]


def _hidden(node: LexborNode) -> bool:
    parent = node.parent
    return parent is not None and parent.tag in _SKIP


def _days(text: str) -> list[tuple[date, int]]:
    """Each full day written in ``text`` with where it starts."""
    found: list[tuple[date, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            day = _day(match)
            if day is not None and all(start != match.start() for _, start in found):
                found.append((day, match.start()))
    return sorted(found, key=lambda item: item[1])


def _day(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    month = _month(groups["mon"]) if groups.get("mon") else int(groups["m"])
    if month is None:
        return None
    try:
        return date(int(groups["y"]), month, int(groups["d"]))
    except ValueError:
        return None


def _month(word: str) -> int | None:
    word = word.casefold()
    if len(word) < _SHORT:
        return None
    for number, names in _MONTH_NAMES.items():
        if any(
            name.startswith(word) if len(word) < len(name) else name == word
            for name in names.split()
        ):
            return number
    return None
