"""Page bytes → cleaned article: decode, pre-clean, trafilatura, post-clean, metadata.

:func:`extract_page` is the one path both ``scraper crawl`` and ``scraper eval`` use, so
what is measured is what is stored. It is a picklable top-level function (the crawl runs it
in a process pool) and never raises on bad input.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura
from selectolax.lexbor import LexborHTMLParser

from archive import Access, ArticleImage, ArticleUpdate, Fingerprint, as_record, fingerprint
from scraper.extract.access import read_access
from scraper.extract.charset import decode_html
from scraper.extract.dates import with_guess
from scraper.extract.images import read_images
from scraper.extract.language import choose_language, detection_off
from scraper.extract.liveblog import live_text, live_updates
from scraper.extract.metadata import (
    PageMeta,
    jsonld_objects,
    meta_tags,
    read_meta,
    split_authors,
)
from scraper.extract.metafallback import fill_from_trafilatura
from scraper.extract.nodes import within
from scraper.extract.pagekind import NOT_AN_ARTICLE, not_an_article
from scraper.extract.pagination import page_links
from scraper.extract.postclean import postclean, stitch
from scraper.extract.preclean import PreCleaned, preclean
from scraper.extract.sniff import not_html
from scraper.models import Extraction

_MAX_HTML_CHARS = 8_000_000  # lexbor copes, but trafilatura's lxml pass gets slow beyond
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs per-page noise
_SHORT_TEXT = 200  # below this, look for the body in the page's data (script-rendered pages)
_MIN_EMBEDDED = 500
_RSC_CHUNK = re.compile(r'self\.__next_f\.push\(\[1,("(?:[^"\\]|\\.)*")\]\)')
_RSC_TEXT_ROW = re.compile(r"(?:^|\n)[0-9a-f]+:T([0-9a-f]+),")
_NEXT_DATA = re.compile(r'<script[^>]*id="__NEXT_DATA__"[^>]*>(.*?)</script>', re.S | re.I)
# Below this many characters the cleaned tree may have misled trafilatura (a removed box
# made it pick a smaller container): the page as fetched gets a second pass, kept when it
# yields over twice as much text. On the trafilatura set 1500 chars gets nearly all of the
# recovered snippets of 2000 (.9486 vs .9487 F1; 1000: .9474) at half its CPU (+0.7 ms
# median on fundus, +1.6 ms on the trafilatura set); a lower ratio let sidebars in.
_RECALL_SHORT = 1500
_RECALL_GAIN = 2.0
_BOUND_SLACK = 64  # characters: line breaks an extractor may add where the page had none
# The second pass won only where the cleaned pass kept a small share of the page's text: on
# half A of the three shared sets (95 runs, 6 wins) at most 0.154 of it; where it kept more,
# trafilatura had found the article and the raw page gave the same or less. Above this share
# the pass is not run (it was half of the runs, each a whole trafilatura run of the page).
_RECALL_KEPT = 0.2
_LEAD_MIN = 40
_LEAD_PROBE = 60
_INLINE = frozenset({"b", "strong", "i", "em", "span", "a", "u", "mark", "small", "font"})
_NOT_LEAD = frozenset(
    {
        "a",
        "figure",
        "figcaption",
        "aside",
        "nav",
        "footer",
        "script",
        "style",
        "noscript",
        "template",
        "button",
        "form",
        "head",
        "title",
        "meta",
    }
)


def extract_page(
    body: bytes,
    url: str,
    content_type: str | None = None,
    *,
    drop_selectors: tuple[str, ...] = (),
    body_selectors: tuple[str, ...] = (),
    page_patterns: tuple[str, ...] = (),
) -> Extraction:
    """Extract and clean one article page; bad input gives empty text and a warning.

    ``page_patterns`` are a seed's own page-number patterns (scraper.extract.pagination).
    """
    try:
        return _extract(body, url, content_type, drop_selectors, body_selectors, page_patterns)
    except Exception as exc:  # one bad page must never stop a run
        return Extraction(text="", warnings=(f"extract_failed: {type(exc).__name__}: {exc}",))


def extract_for_archive(
    body: bytes,
    url: str,
    content_type: str | None = None,
    *,
    drop_selectors: tuple[str, ...] = (),
    body_selectors: tuple[str, ...] = (),
    page_patterns: tuple[str, ...] = (),
) -> tuple[Extraction, Fingerprint]:
    """:func:`extract_page` plus the text's dedup fingerprint: the crawl's worker target.

    Normalising, shingling and MinHash cost ~0.3 ms of CPU per article; done here they run
    on all cores beside the extraction, and the archive's writer is left with its SQLite
    lookups and writes.
    """
    extraction = extract_page(
        body,
        url,
        content_type,
        drop_selectors=drop_selectors,
        body_selectors=body_selectors,
        page_patterns=page_patterns,
    )
    return extraction, fingerprint(extraction.text)


def _extract(
    body: bytes,
    url: str,
    content_type: str | None,
    drop_selectors: tuple[str, ...],
    body_selectors: tuple[str, ...],
    page_patterns: tuple[str, ...] = (),
) -> Extraction:
    if not body or not body.strip():
        return Extraction(text="", warnings=("empty_body",))
    html = decode_html(body, content_type)[:_MAX_HTML_CHARS]
    tree = LexborHTMLParser(html)
    objects = jsonld_objects(tree)
    meta = read_meta(tree, objects)
    meta = replace(meta, dates=with_guess(meta.dates, html, url))
    if not_an_article(html, tree, objects, url):  # a listing or collection: nothing to store
        return _build("", meta, None, (NOT_AN_ARTICLE,))
    extras = _page_extras(tree, objects, url)  # before the pre-cleaner drops figures
    next_page, first_page = page_links(  # before it drops the pagination too
        tree, url, tuple(re.compile(p) for p in page_patterns)
    )
    lead = find_lead(tree, meta.description)
    pre = preclean(tree, drop_selectors, body_selectors, meta.title, url)
    doc = _trafilatura(pre.html, url)
    raw = stitch(getattr(doc, "text", None) or "", pre.container_blocks, pre.containers)
    text = postclean(with_lead(raw, lead), meta.title, meta.headlines)
    if len(text) < _RECALL_SHORT and not body_selectors and _may_gain(text, pre, lead):
        text, doc = _second_pass(text, doc, html, url, lead, meta)
    if len(text) < _SHORT_TEXT and not body_selectors:
        embedded = embedded_article_html(html)
        if embedded is not None:
            text = max(text, _extract_fragment(embedded, url, meta.title), key=len)
    if extras.live_updates:
        text = live_text(extras.live_updates, text) or text
    language, language_source = choose_language(meta.language, text)
    meta = fill_from_trafilatura(meta, html, url, language)  # its dates read in that language
    warnings = list(extras.warnings)
    if not text:
        warnings.append("no_text")
    if "\ufffd" in text:
        warnings.append("replacement_chars")
    if detection_off():
        warnings.append("language_detection_off: its model did not load (disk full?)")
    return replace(
        _build(text, meta, doc, tuple(warnings), (language, language_source)),
        access=extras.access,
        images=extras.images,
        live_updates=extras.live_updates,
        next_page=next_page,
        first_page=first_page,
    )


@dataclass(frozen=True)
class _Extras:
    access: str = Access.UNKNOWN
    images: tuple[ArticleImage, ...] = ()
    live_updates: tuple[ArticleUpdate, ...] = ()
    warnings: tuple[str, ...] = ()


def _page_extras(tree: LexborHTMLParser, objects: list[dict[str, Any]], url: str) -> _Extras:
    """Access level, figures and live-blog entries, read from the intact tree.

    Each is optional: one that fails on hostile markup is left at its default with a
    warning, and never costs the page its text.
    """
    metas = meta_tags(tree)
    found: dict[str, Any] = {}
    warnings = []
    readers: dict[str, Callable[[], object]] = {
        "access": lambda: read_access(tree, objects, metas),
        "images": lambda: read_images(tree, url, metas.get("og:image")),
        "live_updates": lambda: live_updates(objects),
    }
    for name, read in readers.items():
        try:
            found[name] = read()
        except Exception as exc:  # see the docstring
            warnings.append(f"{name}_failed: {type(exc).__name__}: {exc}")
    return _Extras(**found, warnings=tuple(warnings))


def _trafilatura(html: str, url: str) -> object:
    return trafilatura.bare_extraction(
        html,
        url=url or None,
        include_comments=False,
        with_metadata=False,
        include_tables=True,
        include_images=False,
        include_links=False,
    )


def _may_gain(text: str, pre: PreCleaned, lead: str | None) -> bool:
    """Whether the page holds enough text for :func:`_second_pass` to be kept at all.

    Its text is the page's own (at most ``page_chars``, plus the lead it may add): when
    even all of it would not pass the gain test, trafilatura's second run is skipped. On
    pages whose article is simply short, the common case, that is most of the pass's cost.
    Nor is it run where the cleaned pass kept over :data:`_RECALL_KEPT` of the page's text.
    """
    if pre.page_chars is None:
        return True
    if len(text) > _RECALL_KEPT * pre.page_chars:
        return False
    most = pre.page_chars + len(lead or "") + _BOUND_SLACK
    return most > _RECALL_GAIN * len(text) + _SHORT_TEXT


def _second_pass(
    text: str, doc: object, html: str, url: str, lead: str | None, meta: PageMeta
) -> tuple[str, object]:
    """trafilatura on the page as fetched, for when the cleaned page gave little text.

    Pre-cleaning removes boxes by class and structure; on some templates that leaves
    trafilatura's scoring with a fragment (a recipe's steps, an FAQ's answers, a body in
    several containers) where the whole page would have given it the article. The longer
    text is kept only when it is much longer, and it goes through the same line rules.
    """
    doc2 = _trafilatura(html, url)
    text2 = postclean(
        with_lead(getattr(doc2, "text", None) or "", lead), meta.title, meta.headlines
    )
    if len(text2) > _RECALL_GAIN * len(text) + _SHORT_TEXT:
        return text2, doc2
    return text, doc


def _extract_fragment(fragment: str, url: str, title: str | None) -> str:
    """The cleaned text of an article body found as page data (no head, no template)."""
    tree = LexborHTMLParser(f"<html><body><article>{fragment}</article></body></html>")
    pre = preclean(tree, title=title)
    doc = _trafilatura(pre.html, url)
    raw = stitch(getattr(doc, "text", None) or "", pre.container_blocks, pre.containers)
    return postclean(raw, title)


def embedded_article_html(html: str) -> str | None:
    """Article HTML that a script-rendered page ships only as data, for when the DOM is empty.

    Next.js App Router pages stream it in React Server Component "text rows"
    (``self.__next_f.push``, rows ``<id>:T<hex byte length>,<text>``); pages-router sites
    put it in the ``__NEXT_DATA__`` JSON. The longest such string holding paragraphs wins.
    """
    found = [
        t
        for t in _rsc_texts(html) + _next_data_texts(html)
        if len(t) >= _MIN_EMBEDDED and "<p" in t
    ]
    return max(found, key=len) if found else None


def _rsc_texts(html: str) -> list[str]:
    if "self.__next_f" not in html:
        return []
    try:
        payload = "".join(json.loads(chunk) for chunk in _RSC_CHUNK.findall(html))
    except ValueError:
        return []
    out = []
    for row in _RSC_TEXT_ROW.finditer(payload):
        size = int(row.group(1), 16)  # in UTF-8 bytes: that many characters cover them all
        raw = payload[row.end() : row.end() + size].encode("utf-8")[:size]
        out.append(raw.decode("utf-8", "ignore"))
    return out


def _next_data_texts(html: str) -> list[str]:
    found = _NEXT_DATA.search(html)
    if found is None:
        return []
    try:
        stack: list[object] = [json.loads(found.group(1))]
    except ValueError:
        return []
    out = []
    while stack:
        node = stack.pop()
        if isinstance(node, str) and len(node) >= _MIN_EMBEDDED:
            out.append(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def with_lead(text: str, lead: str | None) -> str:
    """Put the page's standfirst first when trafilatura left it out."""
    if not lead or not text:
        return text
    probe = " ".join(lead.split()[:8]).casefold()
    if probe in " ".join(text.split()).casefold():
        return text
    return f"{lead}\n{text}"


def find_lead(tree: LexborHTMLParser, description: str | None) -> str | None:
    """The standfirst shown on the page: the element whose text starts like the description.

    Many templates print the lead in the article header, outside the container trafilatura
    picks; the meta description usually repeats it. Only text visible in the body counts
    (a description that is SEO copy alone adds nothing), never a caption, link or aside.
    """
    desc = " ".join((description or "").split()).rstrip(" .…")
    body = tree.body
    if len(desc) < _LEAD_MIN or body is None:
        return None
    probe = desc[:_LEAD_PROBE].casefold()
    head = probe[:24]
    for node in body.traverse(include_text=True):
        if node.tag != "-text":
            continue
        raw = node.text_content
        if not raw or len(raw) < 4 or raw.isspace():
            continue  # under 12 characters even casefolded: the common blank between tags
        piece = " ".join(raw.split()).casefold()
        # the lead's first words, whole in one text node or opening it before inline markup
        if head not in piece and not (len(piece) >= 12 and probe.startswith(piece)):
            continue
        elem = node.parent
        while elem is not None and elem.tag in _INLINE:
            elem = elem.parent
        if elem is None or elem.tag in _NOT_LEAD or within(elem, _NOT_LEAD):
            continue
        text = " ".join(elem.text(deep=True).split())
        if probe in text.casefold() and len(text) <= 2 * len(desc) + 200:
            return text
    return None


def _build(
    text: str,
    meta: PageMeta,
    doc: object,
    warnings: tuple[str, ...],
    chosen: tuple[str | None, str | None] | None = None,
) -> Extraction:
    """Page metadata first; trafilatura's own findings fill the gaps."""
    doc_author = getattr(doc, "author", None)
    language, language_source = chosen or choose_language(meta.language, text)
    return Extraction(
        text=text,
        title=meta.title or getattr(doc, "title", None),
        authors=meta.authors or tuple(split_authors(doc_author)) if doc_author else meta.authors,
        published=meta.dates.published,
        published_source=meta.dates.published_source,
        modified=meta.dates.modified,
        modified_source=meta.dates.modified_source,
        language=language,
        language_source=language_source,
        site_name=meta.site_name,
        canonical_url=meta.canonical_url,
        description=meta.description,
        warnings=warnings,
    )


def extraction_json(extraction: Extraction, url: str | None) -> dict[str, object]:
    """The JSON shape ``scraper extract`` prints: the archive's record (archive.fields)."""
    return as_record(
        {
            "url": url,
            "title": extraction.title,
            "text": extraction.text,
            "authors": list(extraction.authors),
            "published": _iso(extraction.published),
            "published_source": extraction.published_source,
            "modified": _iso(extraction.modified),
            "modified_source": extraction.modified_source,
            "language": extraction.language,
            "language_source": extraction.language_source,
            "access": extraction.access,
            "images": [asdict(image) for image in extraction.images],
            "live_updates": [
                {"time": _iso(u.time), "headline": u.headline, "text": u.text}
                for u in extraction.live_updates
            ],
            "site": extraction.site_name,
            "canonical_url": extraction.canonical_url,
            "description": extraction.description,
            "next_page": extraction.next_page,
            "first_page": extraction.first_page,
        }
    )


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def extract_file_cli(
    path: Path, url: str | None, extract: Callable[[bytes, str], Extraction] | None = None
) -> int:
    """``scraper extract FILE [--url URL]``: print the extraction as JSON; exit code.

    ``extract`` runs the extraction (default: here; the CLI passes the crawl's capped
    worker, :mod:`scraper.cli.capped_extract`).
    """
    try:
        body = path.read_bytes()
    except OSError as exc:
        logging.getLogger("scraper.cli").error(
            f"scraper extract: cannot read {path}: {exc.strerror or exc}"
        )
        return 2
    kind = not_html(body)
    if kind is not None:  # not a page: nothing to extract, not a 324 KB "article"
        logging.getLogger("scraper.cli").error(f"scraper extract: {path} is not HTML ({kind})")
        return 2
    extraction = (extract or extract_page)(body, url or "")
    print(json.dumps(extraction_json(extraction, url), ensure_ascii=False, indent=2))
    for warning in extraction.warnings:
        logging.getLogger("scraper.cli").warning(f"scraper extract: {warning}")
    return 0
