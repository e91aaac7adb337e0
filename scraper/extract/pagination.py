"""An article split over pages: the link to its next page, and to its first from a later one.

A page is page ``n`` of an article "base" URL when its address is the base plus a page
marker: a query parameter (``?page=2``, ``p``, ``pg``, ``seite`` …), a path segment
(``/2/``; not ``/page/2/``, which pages archive listings) or a file suffix (``-2.html``,
``_2.html``), or a seed's own pattern. A link is the continuation only if it is on the
same host, of the same base, and numbered one more (``rel=next`` links must be of the same
base too): a "next story" link or a page outside the article's path is never followed.
``rel=nofollow`` links (comment pagination) are not, and a page linking a page number
beyond :data:`MAX_PAGES` is a listing, so it has no continuation. A later page names its first page
only through a link on it (rel=prev/first or the pagination's own links), never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

MAX_PAGES = 20  # Diffbot's cap too: beyond it, a "next" chain is a listing, not an article
_QUERY_NAMES = frozenset({"page", "p", "pg", "seite", "pagina", "paged", "pagenum"})
# "/2/" continues a post; "/page/2/" is WordPress's (and others') archive listing: not matched
_PATH_PAGE = re.compile(r"^(?P<base>.+?)(?<!/page)(?<!/seite)/(?P<n>\d{1,2})/?$")
_FILE_PAGE = re.compile(
    r"^(?P<base>.+?)[-_](?:page[-_]?|seite[-_]?)?(?P<n>\d{1,2})"
    r"(?P<ext>\.s?html?|\.php|\.aspx?)$"
)
_LINKS = "link[rel][href], a[href]"
_REL_LINKS = ", ".join(
    f'{tag}[rel~="{rel}"][href]'
    for tag in ("link", "a")
    for rel in ("next", "prev", "first", "canonical")
)


@dataclass(frozen=True)
class PageOf:
    """A URL read as page ``number`` of the article at ``base`` (scheme, host, path)."""

    base: str
    number: int


def page_of(url: str, patterns: tuple[re.Pattern[str], ...] = ()) -> PageOf:
    """Which page of which article ``url`` is; page 1 of itself when it has no marker.

    A seed's ``patterns`` come first: the first group of the first that matches the path
    (and query) is the page number, and the path without the match is the article's.
    """
    parts = urlsplit(url)
    host = parts.netloc.lower()
    for pattern in patterns:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        found = pattern.search(target)
        if found and found.groups() and (found.group(1) or "").isdigit():
            rest = target[: found.start()] + target[found.end() :]
            return PageOf(f"{host}{rest.rstrip('/?&')}", int(found.group(1)))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    numbered = [v for k, v in pairs if k.lower() in _QUERY_NAMES and v.isdigit()]
    if numbered:
        kept = urlencode([(k, v) for k, v in pairs if k.lower() not in _QUERY_NAMES])
        return PageOf(f"{host}{parts.path.rstrip('/')}?{kept}".rstrip("?"), int(numbered[0]))
    query = f"?{parts.query}" if parts.query else ""
    for rule in (_FILE_PAGE, _PATH_PAGE):
        found = rule.match(parts.path)
        if found and int(found.group("n")) >= 1:
            path = found.group("base") + (found.groupdict().get("ext") or "")
            return PageOf(f"{host}{path.rstrip('/')}{query}", int(found.group("n")))
    return PageOf(f"{host}{parts.path.rstrip('/')}{query}", 1)


def marked_page(url: str, patterns: tuple[re.Pattern[str], ...] = ()) -> PageOf | None:
    """:func:`page_of`, but only for a URL whose page marker is unambiguous: a seed's own
    pattern or a page query parameter; None otherwise.

    A path or file number (``/2/``, ``-2.html``) is a page marker only once the page itself
    links its pages: read from the URL alone it may just as well be a slug
    ("results-2.html" beside "results-1.html" can be two stories).
    """
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    names = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if any(p.search(target) for p in patterns) or names & _QUERY_NAMES:
        return page_of(url, patterns)
    return None


def page_links(
    tree: LexborHTMLParser, url: str, patterns: tuple[re.Pattern[str], ...] = ()
) -> tuple[str | None, str | None]:
    """(next page, first page) of the article ``url`` shows: each None when there is none.

    The first page is given only for a later page (one that is not page 1 itself).
    """
    if not url:
        return None, None
    here = page_of(url, patterns)
    if here.number >= MAX_PAGES:
        return None, None
    nxt = first = prev = None
    for node in tree.css(_selector(_slug(here.base))):
        href = (node.attributes.get("href") or "").strip()
        if here.number == 1 and not any(c.isdigit() for c in href):
            continue  # from page 1 only a numbered link leads on
        target = _absolute(url, href)
        if target is None:
            continue
        rels = (node.attributes.get("rel") or "").lower().split()
        if "nofollow" in rels:
            continue  # comment and listing pagination; an article's own pages are followed
        seen = page_of(target, patterns)
        if seen.base != here.base:
            continue  # rel=next to another story, or a link outside the article's path
        if seen.number > MAX_PAGES:
            return None, None  # numbered past any article's pages: a listing's pagination
        if seen.number == here.number + 1 and (nxt is None or "next" in rels):
            nxt = target
        elif here.number > 1 and seen.number == 1 and first is None:
            first = target
        elif here.number > 1 and seen.number == here.number - 1 and "prev" in rels:
            prev = target
    return nxt, first or prev


def _selector(slug: str) -> str:
    """Links that may be this article's pages: rel links, "?page=N", and those naming its
    slug (raw or percent-decoded). Matched by lexbor, so a page's hundreds of other links
    never reach Python.
    """
    if not slug or any(c in slug for c in '"\\'):
        return _LINKS
    names = "".join(f', a[href*="{v}"]' for v in dict.fromkeys((slug, unquote(slug))))
    return _REL_LINKS + f', a[href^="?"]{names}'


def _slug(base: str) -> str:
    """The last segment of the article's path without its extension (in every page's URL)."""
    path = base.partition("?")[0]
    last = path.rstrip("/").rpartition("/")[2]
    return last.partition(".")[0] if "/" in path else ""


def _absolute(base: str, href: str) -> str | None:
    target = urljoin(base, href)
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https"):
        return None
    if parts.netloc.lower() != urlsplit(base).netloc.lower():
        return None  # another host is never the same article
    return urlunsplit(parts._replace(fragment=""))
