"""RSS 0.9x / 1.0 (RDF) / 2.0, Atom and JSON Feed (1.0, 1.1) feeds → :class:`FeedEntry` records.

Parsing goes through :mod:`scraper.discover.xmlsafe` (no entities, no network, recover mode). A feed
cut off mid-item keeps its complete items and drops the unfinished one.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from scraper.discover.xmlsafe import XMLError, maybe_gunzip, parse_xml
from scraper.models import plausible_date
from scraper.urls import canonicalize

_FEED_ROOTS = frozenset({"rss", "RDF", "feed", "channel"})
# Most specific first: a publication date beats an update date.
_DATE_TAGS = ("pubDate", "published", "issued", "date", "created", "updated", "modified")
_W3C_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2}))?$")
_TAG = re.compile(r"<[^>]*>")
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True)
class FeedEntry:
    """One URL found in a feed or sitemap, with its date (timezone-aware) and title."""

    url: str
    published: datetime | None = None
    title: str | None = None


def parse_feed(data: bytes, base_url: str, *, max_bytes: int) -> list[FeedEntry]:
    """Entries of an RSS/RDF/Atom feed, in document order; :class:`XMLError` if unusable."""
    data = maybe_gunzip(data, max_bytes)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return json_feed_entries(data, base_url, max_bytes=max_bytes)
    root = parse_xml(data, max_bytes=max_bytes, base_url=base_url)
    name = localname(root)
    if name not in _FEED_ROOTS:
        raise XMLError(f"not a feed: root element <{name or '?'}>")
    return feed_entries(root, data, base_url)


def feed_entries(root: etree._Element, data: bytes, base_url: str) -> list[FeedEntry]:
    """Extract entries from an already parsed RSS/RDF/Atom tree (also used for sitemaps)."""
    items = [el for el in iter_elements(root) if localname(el) in ("item", "entry")]
    items = complete_only(items, data, root, ("item", "entry"))
    out: list[FeedEntry] = []
    for item in items:
        entry = _entry(item, base_url)
        if entry is not None:
            out.append(entry)
    return out


def json_feed_entries(data: bytes, base_url: str, *, max_bytes: int) -> list[FeedEntry]:
    """Items of a JSON Feed (jsonfeed.org, version 1 and 1.1); :class:`XMLError` if unusable."""
    if len(data) > max_bytes:
        raise XMLError(f"JSON feed larger than {max_bytes} bytes")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise XMLError(f"not a JSON feed: {exc}") from None
    if (
        not isinstance(doc, dict)
        or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/")
        or not isinstance(doc.get("items"), list)
    ):
        raise XMLError("not a JSON feed: no jsonfeed.org version or no items")
    out: list[FeedEntry] = []
    for item in doc["items"]:
        if not isinstance(item, dict):
            continue
        raw = item.get("url") or item.get("external_url")
        url = canonicalize(raw, base_url) if isinstance(raw, str) else None
        if url is None:
            continue
        date = item.get("date_published") or item.get("date_modified")
        title = item.get("title")
        out.append(
            FeedEntry(
                url,
                parse_feed_date(date) if isinstance(date, str) else None,
                clean_title(title) or None if isinstance(title, str) else None,
            )
        )
    return out


def _entry(item: etree._Element, base_url: str) -> FeedEntry | None:
    children: dict[str, etree._Element] = {}
    for child in iter_children(item):
        children.setdefault(localname(child), child)
    base = item.base or base_url
    for raw in _link_candidates(item, children):
        url = canonicalize(raw, base)
        if url is not None:
            break
    else:
        return None
    published = next(
        (
            d
            for tag in _DATE_TAGS
            if tag in children
            if (d := parse_feed_date(text_of(children[tag])))
        ),
        None,
    )
    title = clean_title(text_of(children["title"])) if "title" in children else ""
    return FeedEntry(url=url, published=published, title=title or None)


def clean_title(raw: str) -> str:
    """Plain one-line title: feeds often carry escaped HTML (Atom type="html", CDATA)."""
    if "<" in raw or "&" in raw:
        raw = html.unescape(_TAG.sub("", raw))
    return " ".join(raw.split())


def _link_candidates(item: etree._Element, children: dict[str, etree._Element]) -> Iterator[str]:
    # FeedBurner's origLink is the publisher's URL; <link> there is a tracking redirect.
    if "origLink" in children:
        yield text_of(children["origLink"])
    for child in iter_children(item):
        if localname(child) != "link":
            continue
        href = child.get("href")
        if href is None:  # RSS: the URL is the element text
            yield text_of(child)
        elif child.get("rel", "alternate") == "alternate":  # Atom (RFC 4287 §4.2.7.2)
            yield href
    guid = children.get("guid")
    if guid is not None and guid.get("isPermaLink", "true").lower() != "false":
        yield text_of(guid)  # RSS 2.0: a permalink guid is the item's URL
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    if about:
        yield about  # RSS 1.0 items are identified by their URL
    if "id" in children and text_of(children["id"]).startswith(("http://", "https://")):
        yield text_of(children["id"])  # Atom id, when it is a URL


def parse_feed_date(text: str) -> datetime | None:
    """Parse an RFC 822 (RSS) or ISO 8601 / W3C-DTF (Atom, sitemaps) date; naive → UTC."""
    text = text.strip()
    if not text or len(text) > 64:
        return None
    parsed = _iso_date(text) or _rfc822_date(text)
    if parsed is None:
        return None
    parsed = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return parsed if plausible_date(parsed) else None  # year 9999: no date, not a wrong one


def _iso_date(text: str) -> datetime | None:
    partial = _W3C_PARTIAL.match(text)
    try:
        if partial:  # W3C-DTF allows "YYYY" and "YYYY-MM"
            return datetime(int(partial[1]), int(partial[2] or 1), 1, tzinfo=UTC)
        # Python 3.11 accepts at most microseconds; some CMSs emit nanoseconds.
        return datetime.fromisoformat(_LONG_FRACTION.sub(r"\1", text))
    except (ValueError, OverflowError):
        return None


def _rfc822_date(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


def complete_only(
    items: list[etree._Element], data: bytes, root: etree._Element, names: Iterable[str]
) -> list[etree._Element]:
    """Drop trailing items that recover mode closed at end of data (truncated document)."""
    root_close = re.compile(rb"</(?:[\w.-]+:)?" + re.escape(localname(root).encode()) + rb"\s*>")
    # Byte-level counting only works for ASCII-compatible encodings (not UTF-16/32).
    if not items or b"\x00" in data[:4] or root_close.search(data[-4096:]):
        return items
    alternatives = b"|".join(re.escape(n.encode()) for n in names)
    closed = len(re.findall(rb"</(?:[\w.-]+:)?(?:" + alternatives + rb")\s*>", data))
    return items[: min(len(items), closed)]


def iter_elements(root: etree._Element) -> Iterator[etree._Element]:
    """Every element below ``root`` in document order, skipping entity references."""
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


def iter_children(el: etree._Element) -> Iterator[etree._Element]:
    """Direct child elements of ``el``, skipping entity references."""
    for child in el:
        if isinstance(child.tag, str):
            yield child


def localname(el: etree._Element) -> str:
    """The tag name without its namespace ("" for non-elements)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def text_of(el: etree._Element) -> str:
    """Text content of ``el``; unexpanded entity references contribute nothing."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(text_of(child))
        parts.append(child.tail or "")
    return "".join(parts).strip()
