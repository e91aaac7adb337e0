"""The article's own figures: image URL, caption, credit and which one is the lead.

Read from the intact tree before the pre-cleaner drops figures (captions never reach the
text). Only ``<figure>`` elements inside the article count; the chrome's logos, related
links' thumbnails (an image inside a link, or a box named related/teaser/more) and
sidebars do not. The lead is the figure showing the page's ``og:image``; when none does,
the ``og:image`` itself leads the list, and without one the first figure is the lead.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from archive import ArticleImage
from scraper.extract.nodes import within
from scraper.extract.patterns import AGENCIES, CAPTION_LABELS

_MAX_FIGURES = 60
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-srcset", "srcset", "src")
_NOT_ARTICLE = frozenset({"aside", "nav", "footer", "a"})
_CHROME = re.compile(
    r"(?:^|[\s_-])(related|teasers?|recommend\w*|more|promo|sidebar|newsletter|share|"
    r"author|avatar|widget|advert\w*|ads?|comments?|gallery-thumbs|thumbnails?|most-read|"
    r"popular|trending)(?=$|[\s_-])",
    re.I,
)
_CREDIT_CLASS = re.compile(r"credit|copyright|photographer|rights|source|byline|quelle", re.I)
_LABELS = "|".join(re.escape(w) for w in sorted(CAPTION_LABELS, key=len, reverse=True))
_AGENCY = "|".join(re.escape(a) for a in sorted(AGENCIES, key=len, reverse=True))
# "… winter. Photo: Jane Doe/Agency", "(Credit: Jane Doe)", "© Jane Doe", "| Reuters"
_TRAILING_CREDIT = re.compile(
    rf"\s*(?:\((?:{_LABELS})s?\s*:\s*(?P<p>[^)]+)\)|(?:{_LABELS})s?\s*:\s*(?P<l>[^.]+)"
    rf"|©\s*(?P<c>.+)|[|/]\s*(?P<a>(?:{_AGENCY})\b.*))\s*$",
    re.I,
)
_CREDIT_LABEL = re.compile(rf"^\s*(?:(?:{_LABELS})s?\s*:|©|\(c\))\s*", re.I)
_IMAGE_FILES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
_TINY = 50  # width or height in pixels: icons, spacers and tracking pixels


def read_images(tree: LexborHTMLParser, url: str, og_image: str | None) -> tuple[ArticleImage, ...]:
    """The article's figures in page order, absolute URLs, one marked as the lead."""
    scope = _article_scope(tree)
    if scope is None:
        return ()
    found: list[ArticleImage] = []
    seen: set[str] = set()
    for figure in scope.css("figure")[:_MAX_FIGURES]:
        image = _figure_image(figure, scope, url)
        if image is not None and image.url not in seen:
            seen.add(image.url)
            found.append(image)
    return _mark_lead(found, urljoin(url, og_image) if og_image else None)


def _article_scope(tree: LexborHTMLParser) -> LexborNode | None:
    """The article element holding the headline (else the longest one), main, or body."""
    articles = [a for a in tree.css("article") if not within(a, {"aside", "nav", "footer"})]
    with_h1 = [a for a in articles if a.css_first("h1") is not None]
    if with_h1:
        return with_h1[0]
    if articles:
        return max(articles, key=lambda a: len(a.text(deep=True)))
    return tree.css_first('[itemprop="articleBody"]') or tree.css_first("main") or tree.body


def _figure_image(figure: LexborNode, scope: LexborNode, base: str) -> ArticleImage | None:
    if within(figure, _NOT_ARTICLE, stop=scope) or _in_chrome(figure, scope):
        return None
    img = figure.css_first("img")
    if img is None or _tiny(img) or _links_away(img, figure):
        return None
    src = _source(img) or _source_of_picture(figure)
    if src is None:
        return None
    caption, credit = _caption_and_credit(figure.css_first("figcaption"))
    return ArticleImage(url=urljoin(base, src), caption=caption, credit=credit)


def _links_away(img: LexborNode, figure: LexborNode) -> bool:
    """A thumbnail: the image links to another page (a link to the image file is a zoom)."""
    elem = img.parent
    while elem is not None and elem.mem_id != figure.mem_id:
        if elem.tag == "a":
            href = urlsplit(elem.attributes.get("href") or "").path.lower()
            return not href.endswith(_IMAGE_FILES)
        elem = elem.parent
    return False


def _source(img: LexborNode) -> str | None:
    """The real image URL: lazy-loading attributes first, a data: placeholder never."""
    for attr in _LAZY_ATTRS:
        value = (img.attributes.get(attr) or "").strip()
        if attr.endswith("srcset"):
            value = value.split(",")[0].strip().split(" ")[0] if value else ""
        if value and not value.startswith(("data:", "about:", "javascript:")):
            return value
    return None


def _source_of_picture(figure: LexborNode) -> str | None:
    node = figure.css_first("picture source[srcset]")
    return _source(node) if node is not None else None


def _tiny(img: LexborNode) -> bool:
    for attr in ("width", "height"):
        value = (img.attributes.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < _TINY:
            return True
    return False


def _caption_and_credit(caption: LexborNode | None) -> tuple[str | None, str | None]:
    """Caption text and its credit, from a credit element or the caption's last words."""
    if caption is None:
        return None, None
    credit: str | None = None
    text = _clean(caption.text(deep=True)) or ""
    for node in caption.css("*"):
        attrs = f"{node.attributes.get('class') or ''} {node.attributes.get('itemprop') or ''}"
        if _CREDIT_CLASS.search(attrs) or node.tag in ("small", "cite"):
            credit = _clean(node.text(deep=True))
            if credit:  # the tree stays intact: later stages read it
                head, _, tail = text.rpartition(credit)
                text = f"{head} {tail}".strip() if head or tail else text
            credit = _credit_name(credit)
            break
    if credit is None:
        found = _TRAILING_CREDIT.search(text)
        if found is not None:
            credit = _clean(next(g for g in found.groups() if g))
            text = text[: found.start()].strip()
    return text or None, credit or None


def _clean(text: str | None) -> str | None:
    cleaned = " ".join((text or "").split()).strip(" |/")
    return cleaned or None


def _credit_name(text: str | None) -> str | None:
    """ "Photo: Jane Doe" → "Jane Doe": the label says what the element already is."""
    return _clean(_CREDIT_LABEL.sub("", text or ""))


def _mark_lead(images: list[ArticleImage], og_image: str | None) -> tuple[ArticleImage, ...]:
    if og_image:
        key = _file_key(og_image)
        for i, image in enumerate(images):
            if image.url == og_image or _file_key(image.url) == key:
                return tuple(_as_lead(im) if j == i else im for j, im in enumerate(images))
        return (ArticleImage(url=og_image, lead=True), *images)
    return tuple(_as_lead(im) if j == 0 else im for j, im in enumerate(images))


def _as_lead(image: ArticleImage) -> ArticleImage:
    return ArticleImage(image.url, image.caption, image.credit, lead=True)


def _file_key(url: str) -> str:
    """The image's file name: the same picture served from a CDN host or another path."""
    return urlsplit(url).path.rsplit("/", 1)[-1].lower()


def _in_chrome(node: LexborNode, scope: LexborNode) -> bool:
    elem = node.parent
    while elem is not None and elem.mem_id != scope.mem_id and elem.tag != "body":
        attrs = f"{elem.attributes.get('class') or ''} {elem.attributes.get('id') or ''}"
        if _CHROME.search(attrs):
            return True
        elem = elem.parent
    return False
