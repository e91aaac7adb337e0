"""Metadata never below trafilatura's: its own findings fill the fields our rules leave empty.

Our rules (:mod:`scraper.extract.metadata`) read JSON-LD, meta tags and ``<time>`` first;
where they find no title, no author or no publication date, trafilatura's metadata
functions are asked for that field alone, on the page as fetched. They run only then (most
pages need none of them), and its date search only when the date is missing: the full
``with_metadata`` pass would double trafilatura's cost on every page.

Authors are the names a page credits: a role alone ("Staff Writer", "Ph.D."), a handle
("jrobison") or a "By" never counts as one. A team's byline ("Resy Staff", "The Diggs Team")
is the credit the publisher gives, and counts; so does an organisation credited as the author
(typed so in JSON-LD, or named as the site), but a person's name the page's byline prints, and
then trafilatura's search, come first (unless that finds the organisation itself again). A
commenter's "Jane Doe says" is no credit. A date our rules read as the page's
*modified* date is never taken as the publication date.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from lxml.etree import XPath

from scraper.extract.dates import Dates, htmldate_day
from scraper.extract.metadata import PageMeta, split_authors, squashed

TRAFILATURA = "trafilatura"  # published_source of a date trafilatura found
# trafilatura's author search (``extract_author``) selects only an ``<author>`` element,
# a ``<rel>`` one, or elements whose class, id, itemprop, rel or data attributes hold one
# of these words (its AUTHOR_XPATHS, case aside). Markup holding none of them cannot give it
# an author, and its whole-tree walks (about 9 ms a page) are not run. Only the attributes
# those walks read are tested, on the tree already parsed (a word in the text, a script or a
# <meta> alone cannot give it an author): about 1 ms, where it skips the search on 46 % of
# the pages that ask for it (trafilatura set). Lower-casing the page's string to search it
# cost 2.6 ms and skipped fewer (30 %).
_AUTHOR_SEARCH_WORDS = (
    "author",
    "byl",
    "bbl",
    "username",
    "screenname",
    "writer",
    "zuozhe",
    "bianji",
    "xiaobian",
    "channel-name",
    "submitted-by",
    "posted-by",
    "journalist-name",
)
_SEARCHED_MARKUP = XPath(
    "//@class|//@id|//@itemprop|//@rel|//@data-testid|//@data-component|//author|//rel",
    smart_strings=False,
)

_ROLE_WORDS = frozenset(
    """
staff writer writers editor editors editorial reporter reporters correspondent contributor
contributors contributing columnist author authors team desk coordinator manager director
expert specialist producer photographer senior associate chief managing news newsroom
marketing event events founder ceo cto president intern guest admin administrator webmaster
dietitian nutritionist md phd ph.d. rd rn mba cfp cpa esq jr. sr. dr. msc bsc ma ms ba bs
""".split()
)
_HANDLE = re.compile(r"^@|^[a-z0-9_.]+$|\d|_")
# the words that open a job title after a name ("Keith Barry Senior Autos Reporter"); the
# last word of a team's name ("Guardian staff reporter", "Luxury Travel Expert") is not one
_TITLE_START = frozenset(
    "senior junior chief head lead former founder co-founder ceo cto cfo president".split()
)
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# what follows a name in a byline: a date, "Updated …", a separator
_TAIL = re.compile(
    rf"\s*(?:[•|·]|\b(?:last\s+)?updated\b|\bpublished\b|\b(?:{_MONTH})\b\.?(?=\s*\d|\s*$)"
    rf"|\bmay\b(?=\s*\d)).*$",
    re.I,
)
_NOT_NAME = frozenset(
    """
written by updated last posted published view all posts article january february march april
may june july august september october november december jan feb mar apr jun jul aug sep
sept oct nov dec name follow user
""".split()
)
_COMMENTER = frozenset({"says", "said", "sagt", "schreibt", "writes", "wrote"})
_NO_CREDIT = _ROLE_WORDS | _NOT_NAME  # words that alone make no credit
_CREDENTIAL = re.compile(
    r"^(?:[A-Z][A-Za-z]?\.?){1,4}[®™]?$|^[A-Z]{2,6}(?:-[A-Z]+)?(?: \d+)?[®™]?$"
)


def people(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Only the credited names: roles alone, credentials, handles and "By" dropped."""
    out = []
    for raw in names:
        for part in split_authors(raw):
            name = _credit(part)
            if _is_person(name) and name not in out:
                out.append(name)
    return tuple(out)


def _credit(name: str) -> str:
    """The name in a byline piece: "Jane Doe • March 3" → "Jane Doe".

    A trailing date or "Updated …", and a job title after a name of two words or more
    ("Keith Barry Senior Autos Reporter") are cut; :func:`split_authors` has already cut a
    lead-in ("Written by", "View all posts by").
    """
    words = _TAIL.sub("", name).split()
    if not words:
        words = name.split()  # "March 2024" or "Updated": left for _is_person to refuse
    for at in range(2, len(words)):
        if words[at].casefold().strip(",.()") in _TITLE_START:
            return " ".join(words[:at])
    return " ".join(words)


def _is_person(name: str) -> bool:
    words = name.split()
    if not words or len(words) > 6 or _CREDENTIAL.match(name):
        return False
    if len(words) == 1 and _HANDLE.search(name):
        return False
    if len(words) > 1 and words[-1].casefold() in _COMMENTER:
        return False  # "Art Edwards says": a commenter's name over a comment, not the author
    # a job title alone ("Staff Writer") is not a credit; a team's ("Resy Staff") is
    return not all(w.casefold().strip(",.()") in _NO_CREDIT for w in words)


def fill_from_trafilatura(
    meta: PageMeta, html: str, url: str, language: str | None = None
) -> PageMeta:
    """``meta`` with its empty title, authors or published date taken from trafilatura.

    ``language`` is the article's (declared or detected): dates written in words are read
    in it and in English (:mod:`scraper.extract.datelocales`); the declared one by default.
    """
    # the byline printed on the page comes before trafilatura's author search, whose finds
    # often carry the byline's neighbours ("Jane Doe", "Home", "Digital Security Expert")
    if meta.by_organisation:  # a person's name, where the page prints one, before it
        authors = people(meta.byline)
    else:
        authors = people(meta.authors) or people(meta.byline)
    if meta.title and authors and meta.dates.published is not None:
        return replace(meta, authors=authors) if authors != meta.authors else meta
    try:
        found = _trafilatura_fields(
            html,
            url,
            want_date=meta.dates.published is None,
            want_title=not meta.title,
            want_author=not authors,
            language=language or meta.language,
        )
    except Exception:  # its helpers on hostile markup: our own fields stand
        found = {}
    title = meta.title or found.get("title")
    authors = authors or people(str(found.get("author") or "").split(";"))
    if meta.by_organisation and (not authors or _names_one(authors, meta.authors)):
        authors = people(meta.authors)  # no person found, or the organisation itself again
    return replace(
        meta, title=title, authors=authors, dates=_with_date(meta.dates, found.get("date"))
    )


def _names_one(found: tuple[str, ...], credited: tuple[str, ...]) -> bool:
    """Whether any name trafilatura found is one already credited, spelt otherwise
    ("ORF at" for "ORF.at", "Annette Thurmon" for "annette thurmon")."""
    credited_as = {squashed(name) for name in credited}
    return any(squashed(name) in credited_as for name in found)


def _with_date(dates: Dates, day: object) -> Dates:
    """Its day, at noon UTC (the day as the page shows it, whatever the reader's zone)."""
    if dates.published is not None or not isinstance(day, str):
        return dates
    try:
        when = datetime.fromisoformat(day[:10]).replace(hour=12, tzinfo=UTC)
    except ValueError:
        return dates
    if dates.modified is not None and dates.modified.date() == when.date():
        return dates  # the page's "updated" date: never the publication date
    return replace(dates, published=when, published_source=TRAFILATURA)


def _trafilatura_fields(
    html: str,
    url: str,
    *,
    want_date: bool,
    want_title: bool = True,
    want_author: bool = True,
    language: str | None = None,
) -> dict[str, Any]:
    """The fields asked for, as trafilatura's ``extract_metadata`` finds them.

    Only those asked for are looked up: the page is parsed for a title or an author alone.
    The date is :func:`scraper.extract.dates.htmldate_day`: the quick search ``with_guess``
    ran is reused, never run again.
    """
    from trafilatura.metadata import (
        examine_meta,
        extract_author,
        extract_meta_json,
        extract_title,
    )
    from trafilatura.utils import load_html

    found: dict[str, Any] = {"date": htmldate_day(html, url, language)} if want_date else {}
    tree = load_html(html) if want_title or want_author else None
    if tree is None:
        return found
    doc = examine_meta(tree)
    if doc.author and " " not in doc.author:
        doc.author = None
    doc = extract_meta_json(tree, doc)
    if want_title:
        found["title"] = doc.title or extract_title(tree)
    if want_author:
        found["author"] = doc.author or (extract_author(tree) if _may_name(tree) else None)
    return found


def _may_name(tree: Any) -> bool:
    """Whether trafilatura's author search can find anything in the page parsed as ``tree``."""
    found = _SEARCHED_MARKUP(tree)
    if any(not isinstance(value, str) for value in found):
        return True  # an <author> or <rel> element
    names = " ".join(found).lower()
    return any(word in names for word in _AUTHOR_SEARCH_WORDS)
