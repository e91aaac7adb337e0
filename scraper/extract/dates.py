"""Publication and modification dates, each with the source it was read from.

The most reported date bug of news extractors is the modified date (or a date in the
URL) standing in for the publication date. Here the two are read from separate sources
and never cross: JSON-LD ``dateModified``, ``article:modified_time`` and "Updated …"
elements only ever give ``modified``. One exception is what the reader sees: where the
page declares a revision on another day and prints that day by its headline with no
"Updated" label (and never the declared day), the revision's date is the one the
publisher presents as the article's (:mod:`scraper.extract.showndates`); where no source
declares a publication date, the day printed by the headline is read before any guess.
Offsets are kept as the page wrote them. A date more
than a day in the future or before 1990 is dropped, its source logged (debug), and the
next source is tried (:func:`scraper.models.plausible_date`).
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from htmldate import find_date
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.datelocales import held_to, page_languages
from scraper.extract.showndates import UPDATE_WORDS, shown_dates
from scraper.models import plausible_date

LOG = logging.getLogger("scraper.extract")

JSON_LD = "json-ld"
META = "meta"
TIME_ELEMENT = "time element"
URL = "url"
TEXT = "text"
SHOWN = "shown"  # the day printed by the headline

PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "sailthru.date",
    "parsely-pub-date",
    "date",
    "article.published",
    "publication_date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
    "article.updated",
    "lastmod",
)
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_UPDATE_WORDS = re.compile(UPDATE_WORDS, re.I)
_MIN_OFFSET, _MAX_OFFSET = -12, 14  # the UTC offsets in use, in hours
_NEAR_ZONE = 10  # hours from UTC of most publishers' zones
_MAX_UPDATE_PROBES = 400  # bylines sit near the top; bounds the cost on huge pages
_UPDATE_CLASS = re.compile(r"updat|modif|edited|revis", re.I)
_URL_DATE = re.compile(
    r"/((?:19|20)\d\d)[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
    r"|/((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
}
_TEXT_UPDATE = re.compile(
    r"\b(?:last\s+)?updated(?:\s+on)?\s*:?\s*"
    r"(?:(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"
    r"|(?P<d2>\d{1,2})\s+(?P<mon2>[A-Za-z]{3,9})\.?\s+(?P<y2>\d{4})"
    r"|(?P<iso>\d{4}-\d\d-\d\d))",
    re.I,
)

# Java's Date.toString(), which some CMSs print into JSON-LD: "Fri Apr 28 19:20:36 CEST 2023"
_JAVA_DATE = re.compile(
    r"[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d\d?) (\d\d):(\d\d):(\d\d) ([A-Z]{2,4}) (\d{4})"
)
_ZONE_HOURS = {
    "UTC": 0,
    "GMT": 0,
    "WET": 0,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "JST": 9,
    "KST": 9,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}


@dataclass(frozen=True)
class Dates:
    """The article's publication and last-modification dates and where each came from."""

    published: datetime | None = None
    published_source: str | None = None
    modified: datetime | None = None
    modified_source: str | None = None


def read_dates(tree: LexborHTMLParser, ld: dict[str, Any], metas: dict[str, str]) -> Dates:
    """Dates declared by the page (JSON-LD, meta tags, ``<time>``); no guessing here."""
    published_time, modified_time = _time_elements(tree)
    published = pick_date(
        [(ld.get("datePublished"), JSON_LD), (ld.get("dateCreated"), JSON_LD)]
        + [(metas.get(k), META) for k in PUBLISHED_META]
        + [(published_time, TIME_ELEMENT)]
    )
    modified = pick_date(
        [(ld.get("dateModified"), JSON_LD)]
        + [(metas.get(k), META) for k in MODIFIED_META]
        + [(modified_time, TIME_ELEMENT)]
    ) or pick_date([(_updated_line(tree), TEXT)])  # the costlier probe only when needed
    published = _as_shown(tree, published, modified)
    return Dates(
        published=published[0] if published else None,
        published_source=published[1] if published else None,
        modified=modified[0] if modified else None,
        modified_source=modified[1] if modified else None,
    )


def _as_shown(
    tree: LexborHTMLParser,
    published: tuple[datetime, str] | None,
    modified: tuple[datetime, str] | None,
) -> tuple[datetime, str] | None:
    """The publication date as the page prints it by the headline (:mod:`.showndates`).

    Read only where the declared dates leave a doubt: none declared, or a revision on
    another day than the publication. A day printed after "Updated" is never taken; the
    declared publication stands whenever the page prints its day.
    """
    if published is not None and (modified is None or modified[0].date() == published[0].date()):
        return published
    plain = [s.day for s in shown_dates(tree) if not s.updated]
    if published is None:
        if not plain:
            return None
        noon = datetime.combine(plain[0], time(12), tzinfo=UTC)
        return (noon, SHOWN) if _kept(noon, SHOWN) else None
    if (
        modified
        and plain
        and plain[0] == modified[0].date()
        and not any(_may_fall_on(published[0], day) for day in plain)
    ):
        return modified[0], SHOWN  # the revision's day, printed as the article's date
    return published


def _may_fall_on(when: datetime, day: date) -> bool:
    """Whether ``when`` is on ``day`` where it was published: a UTC stamp says nothing of
    the publisher's zone, so any day it falls on within ten hours of UTC may be its own."""
    if when.utcoffset() != timedelta(0):
        return when.date() == day
    return any((when + timedelta(hours=h)).date() == day for h in (-_NEAR_ZONE, 0, _NEAR_ZONE))


def with_guess(dates: Dates, html_text: str, url: str) -> Dates:
    """Fill a missing publication date from the URL, else from htmldate's reading of the text."""
    if dates.published is not None:
        return _on_url_day(dates, url_date(url))
    from_url = url_date(url)
    if from_url is not None and _kept(from_url, URL):
        return _published(dates, from_url, URL)
    guessed = guess_date(html_text)
    if (
        guessed is None
        or not _kept(guessed, TEXT)
        or (dates.modified is not None and guessed.date() > dates.modified.date())
    ):
        return dates  # a "publication" after the last modification is not one
    # htmldate may have read the modified date itself: only its day is kept (a same-day
    # guess is right far more often than not: trafilatura set 0.823 with, 0.817 without)
    return _published(dates, guessed, TEXT)


def _on_url_day(dates: Dates, day: datetime | None) -> Dates:
    """A UTC publication time put in an offset where it falls on the URL's day.

    A stamp written in UTC says nothing of the publisher's own day, which is the one the
    page shows and the permalink (/2023/11/08/) was built from: an evening post in the
    Americas is the next day in UTC. The instant stays; only its offset changes, to the
    whole hour nearest zero (within UTC-12..+14) that puts it on the URL's day.
    """
    when = dates.published
    if when is None or day is None or when.utcoffset() != timedelta(0):
        return dates
    gap = (day.date() - when.date()).days
    if gap not in (-1, 1):
        return dates
    if gap == 1:  # east of UTC: the hours from the stamp to the URL day's midnight
        hours = math.ceil((_midnight(day) - when).total_seconds() / 3600)
    else:  # west: back past the midnight that began the stamp's own day
        hours = -math.floor((when - _midnight(when)).total_seconds() / 3600) - 1
    if not _MIN_OFFSET <= hours <= _MAX_OFFSET:
        return dates
    local = when.astimezone(timezone(timedelta(hours=hours)))
    if local.date() != day.date():
        return dates
    return Dates(local, dates.published_source, dates.modified, dates.modified_source)


def _midnight(when: datetime) -> datetime:
    return datetime.combine(when.date(), time(), tzinfo=UTC)


def _kept(when: datetime, source: str) -> bool:
    """Whether ``when`` is a plausible article date; if not, say which source gave it."""
    if plausible_date(when):
        return True
    LOG.debug(f"date {when.isoformat()} from {source} dropped: not between 1990 and tomorrow")
    return False


def _published(dates: Dates, when: datetime, source: str) -> Dates:
    return Dates(when, source, dates.modified, dates.modified_source)


def pick_date(values: list[tuple[Any, str]]) -> tuple[datetime, str] | None:
    """The first declared date, refined by a later value of the same day.

    Sources disagree in precision: a bare day, a zone-less time (read as UTC), or a full
    timestamp with its offset. A later value of the same (local) day that carries more
    (a time, then an explicit offset) wins over the first one.
    """
    best: tuple[datetime, str] | None = None
    best_rank = -1
    for value, source in values:
        text = _clean(value)
        parsed = parse_date(text)
        if text is None or parsed is None or not _kept(parsed, source):
            continue
        zoned = _OFFSET.search(text) or _JAVA_DATE.fullmatch(text)
        rank = 0 if len(text) <= 10 else 2 if zoned else 1
        if best is None:
            best, best_rank = (parsed, source), rank
        elif rank > best_rank and parsed.date() == best[0].date():
            best, best_rank = (parsed, source), rank
        if best_rank == 2:
            break
    return best


def _clean(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _time_elements(tree: LexborHTMLParser) -> tuple[str | None, str | None]:
    """The first publication-date and first modification-date ``<time datetime>``."""
    published: str | None = None
    modified: str | None = None
    for node in tree.css("time[datetime]"):  # document order, as a reader sees them
        value = node.attributes.get("datetime")
        if not value:
            continue
        if _is_update(node):
            modified = modified or value
        else:
            published = published or value
        if published and modified:
            break
    return published, modified


def _is_update(node: LexborNode) -> bool:
    """A ``<time>`` that dates an update: by itemprop, class, or the words before it."""
    attrs = node.attributes
    if (attrs.get("itemprop") or "").lower() == "datemodified":
        return True
    if (attrs.get("itemprop") or "").lower() == "datepublished":
        return False
    parent = node.parent
    for elem in (node, parent):
        if elem is not None and _UPDATE_CLASS.search(
            f"{elem.attributes.get('class') or ''} {elem.attributes.get('id') or ''}"
        ):
            return True
    return bool(_UPDATE_WORDS.search(_text_before(node)[-40:]))


def _text_before(node: LexborNode) -> str:
    """The words just before a node: its previous non-blank sibling's text ("Updated ")."""
    prev = node.prev
    while prev is not None:
        if prev.tag != "-text" and (prev.tag == "time" or prev.css_first("time") is not None):
            return ""  # those words label that other date
        text = prev.text(deep=True) if prev.tag != "-text" else (prev.text_content or "")
        if text and text.strip():
            return text
        prev = prev.prev
    return ""


def _updated_line(tree: LexborHTMLParser) -> str | None:
    """An "Updated March 9, 2022" line near the top of the body, as an ISO day."""
    body = tree.body
    if body is None:
        return None
    for node in body.css("p, span, small, time, div.date, div.meta")[:_MAX_UPDATE_PROBES]:
        text = " ".join((node.text(deep=False) or "").split())
        if not text or len(text) > 120:
            continue
        found = _TEXT_UPDATE.search(text)
        if found is not None:
            return _english_day(found)
    return None


def _english_day(found: re.Match[str]) -> str | None:
    if found.group("iso"):
        return found.group("iso")
    month_name = (found.group("mon") or found.group("mon2") or "").lower()
    month = next((n for m, n in _MONTHS.items() if m.startswith(month_name[:3])), None)
    day = int(found.group("day") or found.group("d2"))
    year = int(found.group("year") or found.group("y2"))
    try:
        return date(year, month, day).isoformat() if month else None
    except ValueError:
        return None


def _java_date(found: re.Match[str]) -> datetime | None:
    mon, day, hour, minute, sec, zone, year = found.groups()
    month = next((n for m, n in _MONTHS.items() if m.startswith(mon.lower())), None)
    if month is None or zone not in _ZONE_HOURS:
        return None  # an unknown zone abbreviation: not worth a guess
    try:
        return datetime(
            int(year),
            month,
            int(day),
            int(hour),
            int(minute),
            int(sec),
            tzinfo=timezone(timedelta(hours=_ZONE_HOURS[zone])),
        )
    except ValueError:
        return None


def url_date(url: str) -> datetime | None:
    """A /2024/05/03/ or /20240503/ day in the URL's path, as a day in UTC."""
    found = _URL_DATE.search(url.split("?")[0])
    if found is None:
        return None
    year, month, day = (int(g) for g in found.groups() if g)
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def guess_date(html_text: str) -> datetime | None:
    """Last resort when no source declares a date: htmldate's reading of the page (a day)."""
    found = _htmldate(html_text, None, extensive=False)
    return parse_date(found) if found else None


def htmldate_day(html_text: str, url: str | None = None, language: str | None = None) -> str | None:
    """The day htmldate finds, as trafilatura's own metadata would (its extensive search).

    The quick search :func:`guess_date` ran is never repeated: its day is reused, and the
    extensive search (tens of ms on a large page) runs only where it found none. Dates in
    words are read in the page's ``language`` (declared or detected) and English only
    (:mod:`scraper.extract.datelocales`).
    """
    return _htmldate(html_text, None, extensive=False) or _htmldate(
        html_text, url or None, extensive=True, languages=page_languages(language)
    )


@functools.lru_cache(maxsize=4)
def _htmldate(
    html_text: str,
    url: str | None,
    *,
    extensive: bool,
    languages: tuple[str, ...] | None = None,
) -> str | None:
    """One htmldate search of the page (cached on the text: each runs once per page)."""
    try:
        with held_to(languages):
            return find_date(html_text, url=url, original_date=True, extensive_search=extensive)
    except Exception:  # htmldate on hostile markup must not stop the page
        return None


def parse_date(value: str | None) -> datetime | None:
    """ISO-8601 (or Java ``Date.toString``) date or datetime → aware datetime.

    Naive values are taken as UTC.
    """
    if not value:
        return None
    java = _JAVA_DATE.fullmatch(value.strip())
    if java is not None:
        return _java_date(java)
    value = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    value = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", value)  # +0200 → +02:00
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # no zone given: UTC is the least wrong guess
    return parsed
