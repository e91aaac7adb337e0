"""Article metadata from the page head: JSON-LD first, then Open Graph and meta tags.

Read from the same selectolax tree the pre-cleaner uses, before anything is removed.
Dates come from :mod:`scraper.extract.dates` (publication and modification kept apart).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.byline import page_byline
from scraper.extract.dates import Dates, read_dates

_ARTICLE_TYPES = re.compile(r"(article|blogposting|report|posting)$", re.I)
# what opens a byline before the name: "By", its translations, and the longer English forms
_BY_PREFIX = re.compile(
    r"^\s*(view all posts by|all posts by|posts by|written by|article by|reviewed by|"
    r"zeige alle beiträge von|alle beiträge von|beiträge von|beitrag von|artikel von|"
    r"posted by|authored by|autorin|autor|author|by|von|por|par|av|af|di|door|de|przez|fra|"
    r"tekst|text)"
    r"\s*[:]?\s+",
    re.I,
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\||\band\b|\bund\b|\by\b|\bet\b|\bog\b|\boch\b)\s*", re.I)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# "Jane Doe (jd)": newsroom initials after the name
_INITIALS = re.compile(r"\s*\([a-zäöüß]{2,5}\.?\)$")  # "(jd)", "(cog.)"
_TITLE_SEP = re.compile(r"\s+[|–—·•:-]\s+")
_SENTENCE_STOP = re.compile(r"\.(?:\s|$)")
_AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")


@dataclass(frozen=True)
class PageMeta:
    """Metadata found in one page."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    dates: Dates = Dates()
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    # every form of the headline the page declares (JSON-LD headline and alternative, Open
    # Graph, <title>, the <h1> with its kicker spaced apart): the one printed above the body
    # is often not the one chosen as ``title``
    headlines: tuple[str, ...] = ()
    # the name the page's byline shows, read only where JSON-LD and meta tags give no author
    # (scraper.extract.byline): asked before trafilatura's own author search
    byline: tuple[str, ...] = ()
    # the authors are an organisation's name (JSON-LD ``"@type": "Organization"``): a credit
    # to fall back on, asked after the byline and trafilatura's search for a person's
    by_organisation: bool = False


def read_meta(tree: LexborHTMLParser, objects: list[dict[str, Any]] | None = None) -> PageMeta:
    """Collect metadata from JSON-LD, meta tags, ``<link rel=canonical>`` and ``<html lang>``."""
    metas = meta_tags(tree)
    ld = jsonld_article(jsonld_objects(tree) if objects is None else objects)
    h1 = tree.css_first("h1")
    h1_text = " ".join(h1.text(deep=True).split()) if h1 is not None else ""
    site = _text(_ld_name(ld.get("publisher"))) or metas.get("og:site_name")
    candidates = [
        _text(ld.get("headline")),
        metas.get("og:title"),
        metas.get("twitter:title"),
        _title_tag(tree),
    ]
    title = _choose_title(candidates, h1_text, site)
    shown = " ".join(h1.text(deep=True, separator=" ").split()) if h1 is not None else None
    headlines = [*candidates, _one_line(_text(ld.get("alternativeHeadline"))), shown]
    authors = _people(_authors(ld.get("author")) or _meta_authors(metas))
    by_organisation = bool(authors) and (
        _organisation(ld.get("author")) or _names_publisher(authors, site, metas)
    )
    return PageMeta(
        title=title,
        authors=authors,
        byline=page_byline(tree) if by_organisation or not authors else (),
        by_organisation=by_organisation,
        dates=read_dates(tree, ld, metas),
        language=_language(tree, ld, metas),
        site_name=site,
        canonical_url=_canonical(tree) or metas.get("og:url"),
        description=_text(ld.get("description"))
        or metas.get("og:description")
        or metas.get("description"),
        headlines=tuple(dict.fromkeys(h for h in headlines if h and h != title)),
    )


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        return None
    # JSON-LD and CMS meta values often carry escaped entities ("&#8216;") and ZWSPs
    cleaned = " ".join(html.unescape(value).translate(_INVISIBLE).split())
    return cleaned or None


def meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        value = _text(attrs.get("content") or "")
        if key and value and key.lower() not in out:
            out[key.lower()] = value
    return out


def jsonld_objects(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, ``@graph`` members included, in page order."""
    return list(_walk_jsonld(tree))


def _walk_jsonld(tree: LexborHTMLParser) -> Iterator[dict[str, Any]]:
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(deep=True), strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if "@graph" in item:
                    stack.append(item["@graph"])


def ld_types(obj: dict[str, Any]) -> list[str]:
    """The names in a JSON-LD object's ``@type`` (one name or a list of them)."""
    kind = obj.get("@type")
    return [name for name in (kind if isinstance(kind, list) else [kind]) if isinstance(name, str)]


def jsonld_article(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The first JSON-LD object typed as an article (or a WebPage as a last resort)."""
    fallback: dict[str, Any] = {}
    for obj in objects:
        names = ld_types(obj)
        if any(_ARTICLE_TYPES.search(t) for t in names):
            return obj
        if not fallback and "WebPage" in names and obj.get("datePublished"):
            fallback = obj
    return fallback


def _ld_name(value: Any) -> Any:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.get("name") if isinstance(value, dict) else value


def _one_line(text: str | None) -> str | None:
    """``text`` if it reads as a headline: publishers also fill ``alternativeHeadline`` with
    the standfirst, which has sentences ("… tot. Sein …", "… Juni.")."""
    return None if text is None or _SENTENCE_STOP.search(text) else text


def _title_tag(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    return _text(node.text(deep=True)) if node is not None else None


def _choose_title(candidates: list[str | None], h1: str, site: str | None) -> str | None:
    """The headline: the page's h1 if a declared title confirms it, else the first declared."""
    found = [c for c in candidates if c]
    if h1 and any(h1.casefold() in c.casefold() for c in found):
        return h1
    for cand in found:
        return _strip_site(cand, site)
    return h1 or None


def _strip_site(title: str, site: str | None) -> str:
    """Drop a " | Site name" suffix (or prefix) from a <title>/og:title."""
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    if site and parts[-1].casefold() in site.casefold() + " " + site.casefold().replace(" ", ""):
        return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    if site and parts[0].casefold() == site.casefold():
        return " - ".join(parts[1:])
    return title


def _authors(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = _ld_name(item)
        if isinstance(name, str):
            names.extend(split_authors(name))
    return _dedupe(names)


def _organisation(value: Any) -> bool:
    """Whether every JSON-LD author given is typed as an organisation, not a person."""
    items = value if isinstance(value, list) else [value]
    kinds = [ld_types(item) for item in items if isinstance(item, dict)]
    return len(kinds) == len(items) > 0 and all("Organization" in k for k in kinds)


def _names_publisher(authors: tuple[str, ...], site: str | None, metas: dict[str, str]) -> bool:
    """Whether the one author credited is the publisher itself ("Five Books" on Five Books'
    pages), typed as a person or not: an organisation's credit, not a person's."""
    if len(authors) != 1:
        return False
    name = squashed(authors[0])
    return bool(name) and any(
        name == squashed(other) for other in (site, metas.get("og:site_name")) if other
    )


def squashed(text: str) -> str:
    """A name compared letter for letter: no case, spaces or punctuation ("ORF.at" = "ORF at")."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _people(names: tuple[str, ...]) -> tuple[str, ...]:
    """Author names without newsroom initials ("Jane Doe (jd)" → "Jane Doe")."""
    return tuple(_INITIALS.sub("", name) for name in names)


def _meta_authors(metas: dict[str, str]) -> tuple[str, ...]:
    for key in _AUTHOR_META:
        value = metas.get(key)
        if value and not value.startswith(("http://", "https://")):
            return _dedupe(split_authors(value))
    return ()


def split_authors(raw: str) -> list[str]:
    """ "By Jane Doe and John Roe" → ["Jane Doe", "John Roe"]; URLs and e-mails dropped."""
    raw = _BY_PREFIX.sub("", " ".join(raw.split()))
    out = []
    for part in _AUTHOR_SPLIT.split(raw):
        part = _BY_PREFIX.sub("", part).strip(" ·-–")  # keep the dot of "Urian B."
        if part and "@" not in part and "://" not in part and len(part) <= 80:
            out.append(part)
    return out


def _dedupe(names: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return tuple(out)


def _language(tree: LexborHTMLParser, ld: dict[str, Any], metas: dict[str, str]) -> str | None:
    html = tree.css_first("html")
    candidates = [
        html.attributes.get("lang") if html is not None else None,
        _text(ld.get("inLanguage")),
        metas.get("og:locale"),
        metas.get("content-language"),
        metas.get("language"),
    ]
    for cand in candidates:
        if cand:
            code = re.split(r"[-_]", cand.strip())[0].lower()
            if re.fullmatch(r"[a-z]{2,3}", code):
                return code
    return None


def _canonical(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first('link[rel="canonical"][href]')
    href = node.attributes.get("href") if node is not None else None
    return href.strip() if href and href.strip().startswith(("http://", "https://")) else None
